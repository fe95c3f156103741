/**
 * One raw awsJson request (1.0 or 1.1) over HTTP, for the bad-input tables:
 * they send what no SDK would, so they cannot use one, and read the error as
 * the protocol puts it (`__type`, `message` or `Message`).
 */
export interface AwsJsonAnswer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
  type?: string;
  message?: string;
}

export async function awsJsonCall(
  endpoint: string,
  target: string,
  body: unknown,
  options: { version: '1.0' | '1.1'; headers?: Record<string, string> },
): Promise<AwsJsonAnswer> {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': `application/x-amz-json-${options.version}`, 'x-amz-target': target, ...options.headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const parsed = (await res.json()) as Record<string, unknown>;
  const message = typeof parsed.message === 'string' ? parsed.message : typeof parsed.Message === 'string' ? parsed.Message : undefined;
  return {
    status: res.status,
    headers: res.headers,
    body: parsed,
    ...(typeof parsed.__type === 'string' ? { type: parsed.__type } : {}),
    ...(message !== undefined ? { message } : {}),
  };
}
