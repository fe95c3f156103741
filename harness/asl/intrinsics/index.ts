/**
 * Intrinsic functions for JSONPath states (all 18), one file per family.
 * https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html
 */
import type { IdSource } from '../../core/index.ts';
import type { StateRef } from '../errors.ts';
import { runtimeError } from '../jsonpath/messages.ts';
import { pathNotFoundError, readPath, type PathScope } from '../jsonpath/resolve.ts';
import {
  statesArray, statesArrayContains, statesArrayGetItem, statesArrayLength, statesArrayPartition, statesArrayRange, statesArrayUnique,
} from './array.ts';
import { statesBase64Decode, statesBase64Encode } from './encoding.ts';
import { statesFormat } from './format.ts';
import { statesHash } from './hash.ts';
import { statesJsonMerge, statesJsonToString, statesStringToJson } from './json.ts';
import { statesMathAdd, statesMathRandom } from './math.ts';
import { IntrinsicSyntaxError, looksLikeIntrinsic, parseIntrinsic, type IntrinsicArg, type IntrinsicCall } from './parser.ts';
import type { IntrinsicImpl } from './shared.ts';
import { statesStringSplit } from './string.ts';
import { statesUuid } from './uuid.ts';

export { parseIntrinsic, IntrinsicSyntaxError } from './parser.ts';
export type { IntrinsicCall, IntrinsicArg } from './parser.ts';

export const INTRINSIC_FUNCTIONS: Readonly<Record<string, IntrinsicImpl>> = {
  'States.Format': statesFormat,
  'States.StringToJson': statesStringToJson,
  'States.JsonToString': statesJsonToString,
  'States.Array': statesArray,
  'States.ArrayPartition': statesArrayPartition,
  'States.ArrayContains': statesArrayContains,
  'States.ArrayRange': statesArrayRange,
  'States.ArrayGetItem': statesArrayGetItem,
  'States.ArrayLength': statesArrayLength,
  'States.ArrayUnique': statesArrayUnique,
  'States.Base64Encode': statesBase64Encode,
  'States.Base64Decode': statesBase64Decode,
  'States.Hash': statesHash,
  'States.JsonMerge': statesJsonMerge,
  'States.MathRandom': statesMathRandom,
  'States.MathAdd': statesMathAdd,
  'States.StringSplit': statesStringSplit,
  'States.UUID': statesUuid,
};

/** AWS allows up to 10 nested intrinsic functions in one field. */
export const MAX_INTRINSIC_NESTING = 10;

export function isIntrinsic(text: string): boolean {
  return looksLikeIntrinsic(text);
}

/**
 * Problems with an intrinsic expression that can be found without running it
 * (syntax, unknown function, nesting); used by validation. Empty when fine.
 */
export function checkIntrinsic(expression: string): string[] {
  let call: IntrinsicCall;
  try {
    call = parseIntrinsic(expression);
  } catch (e) {
    if (e instanceof IntrinsicSyntaxError) return [e.message];
    throw e;
  }
  const problems: string[] = [];
  if (call.depth > MAX_INTRINSIC_NESTING) problems.push(`more than ${MAX_INTRINSIC_NESTING} nested intrinsic functions`);
  const visit = (c: IntrinsicCall): void => {
    if (!INTRINSIC_FUNCTIONS[c.name]) problems.push(`unknown intrinsic function '${c.name}'`);
    for (const a of c.args) if (a.kind === 'call') visit(a.call);
  };
  visit(call);
  return problems;
}

/**
 * Evaluates `States.X(...)`. `field` (e.g. `value.$`) names the template key
 * in the message when a path argument finds nothing.
 */
export function evaluateIntrinsic(expression: string, scope: PathScope, where: StateRef, ids: IdSource, field = ''): unknown {
  let call: IntrinsicCall;
  try {
    call = parseIntrinsic(expression);
  } catch (e) {
    if (e instanceof IntrinsicSyntaxError) throw runtimeError(where, e.message);
    throw e;
  }
  return evaluateCall(call, scope, where, ids, field);
}

function evaluateCall(call: IntrinsicCall, scope: PathScope, where: StateRef, ids: IdSource, field: string): unknown {
  const impl = INTRINSIC_FUNCTIONS[call.name];
  if (!impl) throw runtimeError(where, `The intrinsic function '${call.name}' is not supported`);
  const args = call.args.map((a) => evaluateArg(a, scope, where, ids, field));
  return impl(args, { where, ids, call });
}

function evaluateArg(arg: IntrinsicArg, scope: PathScope, where: StateRef, ids: IdSource, field: string): unknown {
  if (arg.kind === 'literal') return arg.value;
  if (arg.kind === 'call') return evaluateCall(arg.call, scope, where, ids, field);
  const result = readPath(arg.path, scope);
  if (!result.found) throw pathNotFoundError(where, arg.path, field, scope);
  return result.value;
}
