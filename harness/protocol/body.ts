/**
 * Reads a request body into memory with a size limit, decoding aws-chunked
 * framing and hashing as the bytes arrive, so a large upload is hashed while
 * it is still on the wire instead of after it has landed.
 *
 * Given a digest worker (`offload`: the caller passes one when this thread has
 * other requests to serve), the MD5 of a large body whose length is announced
 * up front (Content-Length, or x-amz-decoded-content-length for aws-chunked)
 * is computed there, on the other core, leaving this thread free. Every other
 * digest (CRC32, CRC32C, …: cheap), and MD5 without a worker, is computed
 * here, chunk by chunk.
 */
import type { IncomingMessage } from 'node:http';
import { constants as bufferConstants } from 'node:buffer';
import { AwsChunkedDecoder, framingOf, type ChunkedFraming } from './aws-chunked.ts';
import { checksumOf, createDigester, type ChecksumAlgorithm, type Digester } from './checksums.ts';
import type { DigestOffload, OffloadDigests, OffloadJob } from './digest-worker.ts';
import { incompleteBody } from './errors.ts';

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`request body exceeds ${limit} bytes`);
  }
}

export const MAX_BUFFER = bufferConstants.MAX_LENGTH;

export type DigestAlgorithm = ChecksumAlgorithm | 'MD5';

export interface ReceiveOptions {
  /** Most bytes accepted on the wire, framing included. */
  rawLimit: number;
  /** Most payload bytes accepted (after aws-chunked decoding). */
  limit: number;
  /** The body is aws-chunked framed: decode it, and keep only the payload. */
  chunked: boolean;
  /** Payload length announced up front (Content-Length, or x-amz-decoded-content-length when chunked). */
  expectedLength?: number;
  /** Digests to compute over the payload while it arrives (base64 results). */
  algorithms?: readonly DigestAlgorithm[];
  /** Hashes MD5 of large bodies on another thread; without it everything is hashed here. */
  offload?: DigestOffload;
}

export interface ReceivedBody {
  /** The payload (aws-chunked framing removed). */
  body: Buffer;
  /** base64 digests of `body`, one per requested algorithm. */
  digests: Partial<Record<DigestAlgorithm, string>>;
  /** aws-chunked framing metadata (trailers, chunk signatures) when the body was chunked. */
  framing?: ChunkedFraming;
}

/**
 * Receives, decodes and hashes a request body. Rejects with BodyTooLargeError
 * as soon as a limit is passed (the caller answers and closes the
 * connection), with AWS `IncompleteBody` for broken aws-chunked framing or a
 * decoded length that disagrees with x-amz-decoded-content-length, or with the
 * stream's error / "client aborted the request".
 */
export function receiveBody(req: IncomingMessage, options: ReceiveOptions): Promise<ReceivedBody> {
  const { rawLimit, limit, chunked, expectedLength } = options;
  const algorithms = options.algorithms ?? [];

  // MD5 of a large body of announced length goes to the worker (it declines small ones); the rest is hashed here.
  let job: OffloadJob | undefined;
  if (options.offload && algorithms.includes('MD5') && expectedLength !== undefined && Number.isSafeInteger(expectedLength) && expectedLength <= limit) {
    job = options.offload.begin(expectedLength, ['md5']);
  }
  const inThread = algorithms.filter((a) => !(job && a === 'MD5')).map((a): [DigestAlgorithm, Digester] => [a, createDigester(a)]);
  const chunks: Buffer[] = [];
  let payloadSize = 0;
  let rawSize = 0;
  let failure: unknown;
  let settled = false;
  let paused = false;

  return new Promise<ReceivedBody>((resolve, reject) => {
    const fail = (e: unknown) => {
      if (settled) return;
      settled = true;
      job?.abort();
      reject(e);
    };
    const tooLarge = (n: number) => {
      req.off('data', onData);
      // Stop reading; the caller answers and closes the connection.
      req.pause();
      fail(new BodyTooLargeError(n));
    };
    const onPayload = (bytes: Buffer) => {
      payloadSize += bytes.length;
      if (payloadSize > limit) throw new BodyTooLargeError(limit);
      chunks.push(bytes);
      for (const [, d] of inThread) d.update(bytes);
      if (job && !job.update(bytes) && !paused) {
        // The worker is behind: let TCP slow the client down instead of queueing the body in memory.
        paused = true;
        req.pause();
        job.onDrain(() => {
          paused = false;
          if (!settled) req.resume();
        });
      }
    };
    const decoder = chunked ? new AwsChunkedDecoder(onPayload) : undefined;
    const onData = (chunk: Buffer) => {
      if (settled) return;
      rawSize += chunk.length;
      if (rawSize > rawLimit) return tooLarge(rawLimit);
      // A framing error is reported once the body has been read (the connection stays usable); the rest is only counted.
      if (failure !== undefined) return;
      try {
        if (decoder) decoder.write(chunk);
        else onPayload(chunk);
      } catch (e) {
        if (e instanceof BodyTooLargeError) return tooLarge(limit);
        failure = e;
        job?.abort();
      }
    };
    req.on('data', onData);
    // `on`, not `once`: each of these fires at most once per request (and `settled` guards them), and `once`
    // wraps and later unhooks every listener.
    req.on('end', () => {
      if (settled) return;
      try {
        if (failure !== undefined) throw failure;
        decoder?.end();
        if (chunked && expectedLength !== undefined && payloadSize !== expectedLength) {
          throw incompleteBody(`x-amz-decoded-content-length is ${expectedLength} but the aws-chunked body carries ${payloadSize} bytes`);
        }
      } catch (e) {
        fail(e);
        return;
      }
      settled = true;
      const finished = job?.finish();
      // Joined while the worker finishes hashing.
      const body = joined(chunks, payloadSize);
      const digests: Partial<Record<DigestAlgorithm, string>> = {};
      for (const [a, d] of inThread) digests[a] = d.digest();
      const framing = decoder ? framingOf(decoder) : undefined;
      if (!finished) {
        resolve({ body, digests, framing });
        return;
      }
      // If the worker could not finish (crashed, exited), every byte is here: hash them in-thread.
      void finished
        .catch((): OffloadDigests => ({}))
        .then((fromWorker) => {
          digests.MD5 = fromWorker.md5 ?? checksumOf('MD5', body);
          resolve({ body, digests, framing });
        });
    });
    req.on('error', fail);
    req.on('aborted', () => fail(new Error('client aborted the request')));
  });
}

function joined(chunks: Buffer[], size: number): Buffer {
  if (chunks.length === 0) return Buffer.alloc(0);
  if (chunks.length !== 1) return Buffer.concat(chunks, size);
  // A lone chunk may be a slice of a larger socket buffer; copy small ones so a stored
  // 100-byte object does not keep 64 KiB alive.
  const only = chunks[0]!;
  return only.buffer.byteLength > only.length * 2 ? Buffer.from(only) : only;
}
