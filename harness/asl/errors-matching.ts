/**
 * Which Retrier/Catcher handles an error, and how long a retry waits.
 * https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html
 * - `States.Runtime` is terminal: no Retry or Catch handles it, even by name
 *   (recorded AWS behaviour: a Catch on "States.Runtime" does not catch it).
 * - `States.DataLimitExceeded` is never retried, but a Catch (States.ALL
 *   included) does handle it — AWS's recorded behaviour for oversized task
 *   results, although the error-handling page calls it terminal.
 * - `States.TaskFailed` matches any error except `States.Timeout` (and the terminal ones).
 * - `States.HeartbeatTimeout` is a kind of `States.Timeout` for matching.
 * - The first matching retrier is the one used, even when its attempts are spent.
 */
import type { IdSource } from '../core/index.ts';
import type { Catcher, Retrier } from './definition.ts';

export function errorMatches(errorEquals: readonly string[], error: string, forRetry: boolean): boolean {
  if (error === 'States.Runtime') return false;
  if (error === 'States.DataLimitExceeded' && forRetry) return false;
  for (const name of errorEquals) {
    if (name === error || name === 'States.ALL') return true;
    if (name === 'States.TaskFailed' && error !== 'States.Timeout' && error !== 'States.HeartbeatTimeout') return true;
    if (name === 'States.Timeout' && error === 'States.HeartbeatTimeout') return true;
  }
  return false;
}

export function findRetrier(retriers: readonly Retrier[], error: string): number {
  for (let i = 0; i < retriers.length; i++) if (errorMatches(retriers[i]!.errorEquals, error, true)) return i;
  return -1;
}

export function findCatcher(catchers: readonly Catcher[], error: string): Catcher | undefined {
  for (const c of catchers) if (errorMatches(c.errorEquals, error, false)) return c;
  return undefined;
}

/**
 * Delay before retry number `attempt` (0-based) of one retrier, in ms:
 * IntervalSeconds × BackoffRate^attempt, capped by MaxDelaySeconds; with
 * JitterStrategy FULL a seeded uniform value in [0, delay).
 */
export function retryDelayMs(r: Retrier, attempt: number, ids: IdSource): number {
  let seconds = r.intervalSeconds * Math.pow(r.backoffRate, attempt);
  if (r.maxDelaySeconds !== undefined) seconds = Math.min(seconds, r.maxDelaySeconds);
  if (r.jitter === 'FULL') seconds = ids.random() * seconds;
  return Math.round(seconds * 1000);
}
