/**
 * external-call: calls the external HTTP service named in the configuration
 * (`externalServiceUrl`) with the workflow's input as a JSON POST body.
 * Failures are classified the way the external-call workflow retries them:
 *  - 5xx, 429, network errors and our own deadline → ServiceException (retried 2 s × 2.0);
 *  - other 4xx → ClientException (not retried: the same request fails again).
 * The Task's TimeoutSeconds (10 s) bounds a hung call → States.Timeout (retried 1 s).
 *
 * Without `externalServiceUrl` the function answers locally with an echo, so
 * the workflow can run without a network; failures are then injected through
 * Rehearse fault plans (throw ServiceException, time out).
 */
import { getConfig } from '../shared/config.ts';
import { ClientException, ServiceException } from '../shared/errors.ts';

export interface ExternalResponse {
  status: number;
  body: unknown;
  /** True when no external service is configured and the call was answered locally. */
  simulated: boolean;
}

export async function callExternal(url: string, payload: unknown, timeoutMs: number): Promise<ExternalResponse> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(payload ?? {}),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (e) {
    const err = e as Error;
    const why = err.name === 'TimeoutError' ? `no response within ${timeoutMs} ms` : err.message;
    throw new ServiceException(`external service ${url} unreachable: ${why}`, { cause: e });
  }
  const text = await res.text();
  if (res.status >= 500 || res.status === 429) throw new ServiceException(`external service ${url} answered ${res.status}: ${text.slice(0, 200)}`);
  if (res.status >= 400) throw new ClientException(`external service ${url} rejected the request with ${res.status}: ${text.slice(0, 200)}`);
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    // Non-JSON answers are passed on as text.
  }
  return { status: res.status, body, simulated: false };
}

export async function handler(event: unknown): Promise<ExternalResponse> {
  const config = await getConfig();
  if (!config.externalServiceUrl) return { status: 200, body: { echo: event ?? null }, simulated: true };
  return callExternal(config.externalServiceUrl, event, config.externalTimeoutMs);
}
