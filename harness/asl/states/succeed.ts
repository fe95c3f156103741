/**
 * Succeed: ends the (sub-)workflow successfully.
 * https://docs.aws.amazon.com/step-functions/latest/dg/state-succeed.html
 */
import type { Step, StateRun } from './base.ts';

export function runSucceed(run: StateRun): Step | Promise<Step> {
  const eff = run.effectiveInput();
  const step = run.finish(undefined, eff, { hasResult: false });
  const end = (s: Step): Step => ({ next: undefined, output: s.output });
  return step instanceof Promise ? step.then(end) : end(step);
}
