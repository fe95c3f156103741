/**
 * "Healthy" is not always "serving": Step Functions Local's JVM accepts
 * connections for several seconds before it answers ("socket hang up"), and
 * LocalStack reports health before every service is available. After
 * `up --wait`, each backend makes one real API call until it succeeds.
 */
import { REAL_CLOCK, RehearseError, type Clock } from '../core/index.ts';

export interface ReadinessOptions {
  /** Give up after this long (default 60 s). */
  timeoutMs?: number;
  /** Pause between attempts (default 500 ms). */
  intervalMs?: number;
  clock?: Clock;
  fetch?: typeof fetch;
}

/** An awsJson 1.0 call with no input (e.g. `AWSStepFunctions.ListStateMachines`). */
export function awsJsonProbe(target: string): RequestInit {
  return {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.0',
      'x-amz-target': target,
      // Any credentials work locally; a well-formed header keeps strict emulators happy.
      authorization: 'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/states/aws4_request, SignedHeaders=host, Signature=0',
    },
    body: '{}',
  };
}

/**
 * Retries `url` until `ok(response)` says it is serving. Connection errors and
 * 5xx count as not yet; the last problem is in the error when time runs out.
 */
export async function waitUntilServing(
  what: string,
  url: string,
  init: RequestInit,
  ok: (status: number, body: string) => boolean,
  options: ReadinessOptions = {},
): Promise<void> {
  const clock = options.clock ?? REAL_CLOCK;
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 60_000;
  const interval = options.intervalMs ?? 500;
  const deadline = clock.now() + timeoutMs;
  let last: string;
  for (;;) {
    try {
      const res = await doFetch(url, { ...init, signal: AbortSignal.timeout(Math.min(10_000, timeoutMs)) });
      const body = await res.text();
      if (ok(res.status, body)) return;
      last = `HTTP ${res.status} ${body.slice(0, 120)}`;
    } catch (e) {
      // fetch wraps the socket error: its cause says what happened ("UND_ERR_SOCKET other side closed").
      const cause = e instanceof Error ? (e.cause as { code?: string; message?: string } | undefined) : undefined;
      last = cause ? [cause.code, cause.message].filter(Boolean).join(' ') : e instanceof Error ? e.message : String(e);
    }
    if (clock.now() + interval > deadline) {
      throw new RehearseError('ERR_BACKEND_UNAVAILABLE', `${what} at ${url} did not start serving within ${timeoutMs / 1000} s (last: ${last})`);
    }
    await clock.sleep(interval);
  }
}
