/**
 * Reads a request body into memory with a size limit, hashing as it arrives
 * so large uploads are not walked twice.
 */
import type { IncomingMessage } from 'node:http';
import { constants as bufferConstants } from 'node:buffer';
import type { Digester } from './checksums.ts';

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`request body exceeds ${limit} bytes`);
  }
}

export const MAX_BUFFER = bufferConstants.MAX_LENGTH;

/** Resolves with the whole body; rejects with BodyTooLargeError past `limit`, or the stream's error. */
export function readBody(req: IncomingMessage, limit: number, digesters: Digester[] = []): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    const onData = (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        req.off('data', onData);
        // Stop reading; the caller answers and closes the connection.
        req.pause();
        reject(new BodyTooLargeError(limit));
        return;
      }
      chunks.push(chunk);
      for (const d of digesters) d.update(chunk);
    };
    req.on('data', onData);
    req.once('end', () => {
      if (failed) return;
      if (chunks.length !== 1) return resolve(Buffer.concat(chunks, size));
      // A lone chunk may be a slice of a larger socket buffer; copy small ones so a stored
      // 100-byte object does not keep 64 KiB alive.
      const only = chunks[0]!;
      resolve(only.buffer.byteLength > only.length * 2 ? Buffer.from(only) : only);
    });
    req.once('error', (e) => {
      if (!failed) {
        failed = true;
        reject(e);
      }
    });
    req.once('aborted', () => {
      if (!failed) {
        failed = true;
        reject(new Error('client aborted the request'));
      }
    });
  });
}
