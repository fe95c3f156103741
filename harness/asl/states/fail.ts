/**
 * Fail: stops the (sub-)workflow with Error/Cause (or ErrorPath/CausePath, which
 * may also be intrinsic functions; JSONata: expressions). No `FailStateExited`
 * event exists in AWS.
 * https://docs.aws.amazon.com/step-functions/latest/dg/state-fail.html
 */
import { evaluateIntrinsic, isIntrinsic } from '../expressions.ts';
import { EngineError } from '../frame.ts';
import { readPathOrFail } from '../jsonpath/index.ts';
import type { Step, StateRun } from './base.ts';

function asText(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  return typeof v === 'string' ? v : JSON.stringify(v);
}

export async function runFail(run: StateRun): Promise<Step> {
  const raw = run.raw;
  let error: string | undefined;
  let cause: string | undefined;
  if (run.jsonata) {
    if (raw.Error !== undefined) error = asText(await run.evalJsonata(raw.Error, 'Error'));
    if (raw.Cause !== undefined) cause = asText(await run.evalJsonata(raw.Cause, 'Cause'));
  } else {
    run.effectiveInput(); // TestState reports the (InputPath-less) afterInputPath stage of a Fail state
    const scope = run.pathScope(run.input);
    const read = (field: 'ErrorPath' | 'CausePath'): string | undefined => {
      const path = raw[field] as string;
      const v = isIntrinsic(path) ? evaluateIntrinsic(path, scope, run.where, run.env.ids, field) : readPathOrFail(path, scope, run.where, field);
      return asText(v);
    };
    error = typeof raw.ErrorPath === 'string' ? read('ErrorPath') : asText(raw.Error);
    cause = typeof raw.CausePath === 'string' ? read('CausePath') : asText(raw.Cause);
  }
  throw new EngineError(error ?? '', cause);
}
