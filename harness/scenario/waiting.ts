/**
 * What a slow scenario is waiting for. A phase (a deploy, a `when` step, the
 * settling of executions) still running after 2 s of real time is reported,
 * then again every 10 s, so a CI log shows where a scenario sits long before
 * its timeout ends it — instead of silence.
 */
import { REAL_CLOCK, type Timer } from '../core/index.ts';
import type { StepSpec } from './schema.ts';

/** Told `what` is still running after `elapsedMs` of real time. */
export type WaitingListener = (what: string, elapsedMs: number) => void;

export const FIRST_REPORT_MS = 2_000;
export const REPEAT_REPORT_MS = 10_000;

/** Runs `work`, telling `listener` while it takes longer than 2 s. */
export async function reportingWaits<T>(what: string, listener: WaitingListener | undefined, work: () => Promise<T>): Promise<T> {
  if (!listener) return work();
  const t0 = REAL_CLOCK.now();
  let timer: Timer | undefined;
  let due = 0;
  const arm = (delay: number) => {
    due += delay;
    timer = REAL_CLOCK.setTimer(delay, () => {
      // A timer may fire a millisecond before its delay by the wall clock: never report less than it waited for.
      listener(what, Math.max(REAL_CLOCK.now() - t0, due));
      arm(REPEAT_REPORT_MS);
    });
  };
  arm(FIRST_REPORT_MS);
  try {
    return await work();
  } finally {
    timer?.cancel();
  }
}

/** `when[2] await {"status":"SUCCEEDED"}` — the step's id, its action and (shortened) what it was given. */
export function describeStep(step: StepSpec, id: string): string {
  const action = (Object.keys(step) as Array<keyof StepSpec>).find((k) => k !== 'name' && step[k] !== undefined);
  if (action === undefined) return id;
  const args = JSON.stringify(step[action]) ?? '';
  const shown = args.length > 80 ? `${args.slice(0, 77)}…` : args;
  return `${id} ${step.name !== undefined ? `'${step.name}' ` : ''}${String(action)} ${shown}`.trimEnd();
}
