/**
 * Succeed: ends the (sub-)workflow successfully.
 * https://docs.aws.amazon.com/step-functions/latest/dg/state-succeed.html
 */
import type { Step, StateRun } from './base.ts';

export async function runSucceed(run: StateRun): Promise<Step> {
  const eff = run.effectiveInput();
  const step = await run.finish(undefined, eff, { hasResult: false });
  return { next: undefined, output: step.output };
}
