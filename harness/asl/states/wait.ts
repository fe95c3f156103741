/**
 * Wait: Seconds / SecondsPath / Timestamp / TimestampPath (JSONata: Seconds /
 * Timestamp expressions). Sleeps on the Clock, so virtual time jumps over it.
 * Cause texts are AWS's.
 * https://docs.aws.amazon.com/step-functions/latest/dg/state-wait.html
 */
import { runtimeError } from '../frame.ts';
import { compileOrFail, readPath } from '../jsonpath/index.ts';
import type { Step, StateRun } from './base.ts';

/** ISO-8601 extended offset date-time, as AWS accepts it (`2016-03-14T01:59:00Z`, `…+01:00`, fractions). */
const ISO_OFFSET = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

export function parseTimestamp(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const m = ISO_OFFSET.exec(text);
  if (!m) return undefined;
  const [mo, d, h, mi, s] = [Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6])];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

function display(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

export async function runWait(run: StateRun): Promise<Step> {
  const eff = run.effectiveInput();
  const raw = run.raw;
  const now = run.env.clock.now();
  const fail = (message: string) => runtimeError(run.state.name, run.where.enteredEventId, message);
  let delayMs = 0;
  if (run.jsonata) {
    if (raw.Seconds !== undefined) {
      const v = await run.evalJsonata(raw.Seconds, 'Seconds');
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
        throw run.evaluationFailed(
          runtimeError(run.state.name, run.where.enteredEventId, `The Seconds field must be a non-negative integer, but was: ${display(v)}`, 'States.QueryEvaluationError'),
          'Seconds',
          run.frame.prev,
        );
      }
      delayMs = v * 1000;
    } else if (raw.Timestamp !== undefined) {
      const v = await run.evalJsonata(raw.Timestamp, 'Timestamp');
      const at = parseTimestamp(v);
      if (at === undefined) {
        throw run.evaluationFailed(
          runtimeError(run.state.name, run.where.enteredEventId, `The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: ${display(v)}`, 'States.QueryEvaluationError'),
          'Timestamp',
          run.frame.prev,
        );
      }
      delayMs = at - now;
    }
  } else if (typeof raw.Seconds === 'number') {
    delayMs = raw.Seconds * 1000;
  } else if (typeof raw.Timestamp === 'string') {
    delayMs = (parseTimestamp(raw.Timestamp) ?? now) - now;
  } else if (typeof raw.SecondsPath === 'string') {
    const path = raw.SecondsPath;
    const r = readPath(compileOrFail(path, run.where), run.pathScope(eff));
    if (!r.found) throw fail(`The SecondsPath parameter does not reference an input value: ${path}`);
    const v = r.value;
    if (typeof v !== 'number' || !Number.isInteger(v)) throw fail(`The SecondsPath parameter cannot be parsed as a long value: ${path} == ${display(v)}`);
    if (v < 0) throw fail(`The SecondsPath parameter references a negative value: ${path} == ${display(v)}`);
    delayMs = v * 1000;
  } else if (typeof raw.TimestampPath === 'string') {
    const path = raw.TimestampPath;
    const r = readPath(compileOrFail(path, run.where), run.pathScope(eff));
    if (!r.found) throw fail(`The TimestampPath parameter does not reference an input value: ${path}`);
    const at = parseTimestamp(r.value);
    if (at === undefined) throw fail(`The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: ${path} == ${display(r.value)}`);
    delayMs = at - now;
  }
  if (delayMs > 0) await run.sleep(delayMs);
  return run.finish(undefined, eff, { hasResult: false });
}

