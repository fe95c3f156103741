/**
 * Pass: passes its input (or `Result` / `Parameters`) on. `Result` wins over
 * `Parameters` when both are set (recorded AWS behaviour, TestState's
 * IO_RESULT_PASS_STATE), and TestState then reports no InputPath/Parameters stage.
 * https://docs.aws.amazon.com/step-functions/latest/dg/state-pass.html
 */
import { dataLimitError, MAX_PAYLOAD_BYTES } from '../payload.ts';
import type { Step, StateRun } from './base.ts';

export function runPass(run: StateRun): Step | Promise<Step> {
  const eff = run.effectiveInput();
  if (run.jsonata) return run.finish(undefined, eff, { hasResult: false, checkSize: 'Output' in run.raw });
  if ('Result' in run.raw) {
    if (run.state.resultSize > MAX_PAYLOAD_BYTES) throw dataLimitError(run.state.name);
    run.inspection?.drop('afterInputPath');
    return run.finish(run.raw.Result, eff, { hasResult: true });
  }
  if ('Parameters' in run.raw) return run.finish(run.parametersPath(eff), eff, { hasResult: true });
  run.inspection?.record('afterParameters', eff);
  return run.finish(eff, eff, { hasResult: true });
}
