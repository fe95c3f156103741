/**
 * The JSONPath query language: path selection, payload templates, ResultPath
 * and Assign. https://docs.aws.amazon.com/step-functions/latest/dg/concepts-input-output-filtering.html
 */
import type { StateRef } from '../errors.ts';
import { compileOrFail, invalidPathError, readPath, type PathScope } from './resolve.ts';

export type { PathScope } from './resolve.ts';
export { applyPayloadTemplate } from './payload-template.ts';
export { applyResultPath } from './result-path.ts';
export { evaluateAssignJsonPath } from './assign.ts';
export { readPath, readPathOrFail, pathNotFoundError, invalidPathError, compileOrFail } from './resolve.ts';
export { compilePath, isValidPath, PathSyntaxError } from './path.ts';
export type { CompiledPath, Lookup } from './path.ts';
export { statePrefix, runtimeError, jsonText } from './messages.ts';

/**
 * InputPath / OutputPath / ItemsPath and other `*Path` selections.
 * Absent → `$` (the whole input); null → `{}` (InputPath/OutputPath per AWS).
 * A path that selects nothing fails with States.Runtime:
 * `Invalid path '$.x' : No results for path: $['x']`.
 */
export function selectPath(path: string | null | undefined, scope: PathScope, where: StateRef, _field: string): unknown {
  if (path === undefined || path === '$') return scope.input;
  if (path === null) return {};
  const compiled = compileOrFail(path, where);
  const result = readPath(compiled, scope);
  if (!result.found) throw invalidPathError(where, compiled, result);
  return result.value;
}
