/**
 * A keep-alive HTTP/1.1 client that costs next to nothing: pre-built request
 * bytes on one socket, one request at a time, a response read by its
 * Content-Length. Beside an SDK client it shows what a server itself costs
 * per request, without the SDK's own work sharing the thread (bench/dynamodb.ts).
 */
import { connect, type Socket } from 'node:net';

export interface RawClient {
  /** Sends one request and resolves when its whole response has arrived. */
  send(request: Buffer): Promise<void>;
  close(): void;
}

/** An awsJson request as SDK v3 sends it: the same headers (an unchecked signature: the endpoint verifies none by default). */
export function awsJsonRequest(target: string, body: string): Buffer {
  const headers = [
    'POST / HTTP/1.1',
    'host: 127.0.0.1',
    'content-type: application/x-amz-json-1.0',
    `x-amz-target: ${target}`,
    'x-amz-user-agent: aws-sdk-js/3.0.0',
    'amz-sdk-invocation-id: 5b4f6a34-1c2e-4f1e-9d1a-2a6b3c4d5e6f',
    'amz-sdk-request: attempt=1; max=3',
    'x-amz-date: 20261204T190000Z',
    'authorization: AWS4-HMAC-SHA256 Credential=bench/20261204/us-east-1/dynamodb/aws4_request, SignedHeaders=amz-sdk-invocation-id;amz-sdk-request;content-length;content-type;host;x-amz-date;x-amz-target;x-amz-user-agent, Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
    `content-length: ${Buffer.byteLength(body)}`,
  ];
  return Buffer.from(`${headers.join('\r\n')}\r\n\r\n${body}`);
}

export function rawClient(endpoint: string): Promise<RawClient> {
  const url = new URL(endpoint);
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(Number(url.port), url.hostname, () => {
      socket.off('error', reject);
      resolve({ send, close: () => socket.destroy() });
    });
    socket.once('error', reject);
    socket.setNoDelay(true);
    let pending: Buffer = Buffer.alloc(0);
    let responseEnd = -1;
    let done: (() => void) | undefined;
    socket.on('data', (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      if (responseEnd < 0) {
        const headEnd = pending.indexOf('\r\n\r\n');
        if (headEnd < 0) return;
        const length = /\r\ncontent-length: *(\d+)/i.exec(pending.subarray(0, headEnd).toString('latin1'));
        if (!length) throw new Error('raw client: a response without Content-Length');
        responseEnd = headEnd + 4 + Number(length[1]);
      }
      if (pending.length < responseEnd) return;
      pending = pending.subarray(responseEnd);
      responseEnd = -1;
      const finish = done;
      done = undefined;
      finish?.();
    });
    function send(request: Buffer): Promise<void> {
      return new Promise((r) => {
        done = r;
        socket.write(request);
      });
    }
  });
}
