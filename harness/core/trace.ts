/**
 * `REHEARSE_TRACE=1`: where a run's time goes, as `[trace +<ms since the
 * process started>] <what>` lines on stderr (CLI start, template check,
 * endpoint start, each deployed resource, each Lambda cold start). Off, it
 * costs one comparison per call.
 */
const ON = process.env.REHEARSE_TRACE === '1';

export function trace(what: string): void {
  if (ON) process.stderr.write(`[trace +${Math.round(performance.now())}ms] ${what}\n`);
}

/** Runs `work`, tracing how long it took under `what`. */
export async function traced<T>(what: string, work: () => Promise<T>): Promise<T> {
  if (!ON) return work();
  const start = performance.now();
  try {
    return await work();
  } finally {
    trace(`${what}: ${Math.round(performance.now() - start)} ms`);
  }
}
