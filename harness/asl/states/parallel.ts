/**
 * Parallel: runs every branch on the same input concurrently; output is the
 * array of branch outputs. Branches see the outer variables (a copy: what they
 * assign stays inside). The first failing branch stops the others.
 * https://docs.aws.amazon.com/step-functions/latest/dg/state-parallel.html
 */
import { Cancel } from '../cancel.ts';
import { AbortedError, markStateFailed, toStatesError } from '../frame.ts';
import { mockedResult } from '../inspection.ts';
import type { Step, StateRun } from './base.ts';
import { runProgram } from './program.ts';

export async function runParallel(run: StateRun): Promise<Step> {
  const mock = run.env.test?.mock;
  // TestState with a mock: the mocked array is the branches' result (AWS reports no InputPath/Parameters stage then).
  if (mock !== undefined) return run.retrying(async () => run.finish(mockedResult(mock), run.input, { hasResult: true, checkSize: true }));
  return run.retrying(async () => {
    run.resetContext();
    const eff = run.effectiveInput();
    const input = await run.parameters(eff);
    const frame = run.frame;
    frame.emit('ParallelStateStarted');
    const controller = new Cancel(frame.signal);
    let failure: unknown;
    try {
      const results = await Promise.all(
        run.state.branches.map(async (branch) => {
          const child = frame.child({ ...frame.vars }, controller);
          try {
            const out = await runProgram(branch, child, input);
            frame.prev = child.prev;
            return out;
          } catch (e) {
            if (failure === undefined && !(e instanceof AbortedError)) {
              failure = e;
              frame.prev = child.prev;
              controller.abort();
            }
            throw e;
          }
        }),
      ).catch((e: unknown) => {
        throw failure ?? e;
      });
      frame.emit('ParallelStateSucceeded');
      return run.finish(results, eff, { hasResult: true, checkSize: true });
    } catch (e) {
      if (frame.signal.aborted) throw new AbortedError();
      if (e instanceof AbortedError) throw e;
      throw markStateFailed(toStatesError(e));
    } finally {
      controller.detach();
    }
  });
}
