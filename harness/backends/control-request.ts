/**
 * One request to the control API (`/_rehearse/…`), over node:http. Not
 * `fetch`: Node loads its fetch (undici) on first use, 30–45 ms of a lone
 * scenario's start, and each call costs about twice a plain request. The
 * global agent keeps the connection alive between calls (Node ≥ 19) and
 * unreferences it while idle, so it never holds the process open.
 */
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';

export interface ControlResponse {
  status: number;
  /** The body as text ('' when empty). */
  text: string;
}

export async function controlRequest(url: string, method: string, body?: unknown, signal?: AbortSignal): Promise<ControlResponse> {
  const target = new URL(url);
  const send = target.protocol === 'https:' ? (await import('node:https')).request : httpRequest;
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body), 'utf8');
  const options: RequestOptions = {
    method,
    headers: payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {},
    ...(signal ? { signal } : {}),
  };
  return new Promise<ControlResponse>((resolve, reject) => {
    const req = send(target, options, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', (e) => reject(signal?.aborted ? signal.reason : e));
    req.end(payload);
  });
}

/** `{ error: { code, message } }` from a control API error body, or undefined when the body is not that. */
export function controlError(text: string): { code?: string; message?: string } | undefined {
  try {
    return (JSON.parse(text) as { error?: { code?: string; message?: string } }).error;
  } catch {
    return undefined;
  }
}
