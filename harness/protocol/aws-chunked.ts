/**
 * `aws-chunked` bodies, as the newest SDKs send streams: each chunk is
 * `<hex-size>[;chunk-signature=<sig>]\r\n<bytes>\r\n`, a zero-size chunk ends
 * the data, then optional trailer lines (`x-amz-checksum-crc32:<b64>`) and a
 * blank line. Only the bytes are the object — never the framing (s3rver's bug).
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html
 */
import { incompleteBody } from './errors.ts';

export interface DecodedChunked {
  body: Buffer;
  /** Data chunks in order (for chunk-signature verification). */
  chunks: Buffer[];
  /** `chunk-signature` of each chunk including the final zero-size one. */
  chunkSignatures: string[];
  /** Trailer headers, lower-cased names (`x-amz-checksum-crc32`), without `x-amz-trailer-signature`. */
  trailers: Record<string, string>;
  trailerSignature?: string;
  /** Trailer lines as signed (`name:value\n` each) for trailer-signature verification. */
  trailerText: string;
}

const CRLF = Buffer.from('\r\n');

function lineEnd(buf: Buffer, from: number): number {
  return buf.indexOf(CRLF, from);
}

/** Decodes a complete aws-chunked body; throws `IncompleteBody` naming where the framing broke. */
export function decodeAwsChunked(raw: Buffer): DecodedChunked {
  const chunks: Buffer[] = [];
  const chunkSignatures: string[] = [];
  let pos = 0;
  for (;;) {
    const end = lineEnd(raw, pos);
    if (end < 0) throw incompleteBody(`aws-chunked chunk header missing at byte ${pos}`);
    const header = raw.subarray(pos, end).toString('latin1');
    const [sizeHex, ...exts] = header.split(';');
    if (!sizeHex || !/^[0-9a-fA-F]{1,16}$/.test(sizeHex.trim())) {
      throw incompleteBody(`aws-chunked chunk size ${JSON.stringify(header.slice(0, 40))} at byte ${pos} is not hexadecimal`);
    }
    const size = parseInt(sizeHex.trim(), 16);
    for (const ext of exts) {
      const eq = ext.indexOf('=');
      if (eq > 0 && ext.slice(0, eq).trim() === 'chunk-signature') chunkSignatures.push(ext.slice(eq + 1).trim());
    }
    pos = end + 2;
    if (size === 0) break;
    if (pos + size > raw.length) throw incompleteBody(`aws-chunked chunk of ${size} bytes at byte ${pos} runs past the end of the body`);
    chunks.push(raw.subarray(pos, pos + size));
    pos += size;
    if (raw[pos] !== 0x0d || raw[pos + 1] !== 0x0a) throw incompleteBody(`aws-chunked chunk at byte ${pos} is not followed by CRLF`);
    pos += 2;
  }
  const trailers: Record<string, string> = {};
  let trailerSignature: string | undefined;
  let trailerText = '';
  while (pos < raw.length) {
    let end = lineEnd(raw, pos);
    if (end < 0) end = raw.length; // tolerate a missing final CRLF
    const line = raw.subarray(pos, end).toString('utf8');
    pos = end + 2;
    if (line === '') break;
    const colon = line.indexOf(':');
    if (colon <= 0) throw incompleteBody(`aws-chunked trailer line ${JSON.stringify(line.slice(0, 60))} is not name:value`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'x-amz-trailer-signature') trailerSignature = value;
    else {
      trailers[name] = value;
      trailerText += `${name}:${value}\n`;
    }
  }
  const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  return { body, chunks, chunkSignatures, trailers, trailerSignature, trailerText };
}

/** Whether a request body is aws-chunked framed. */
export function isAwsChunked(contentSha256: string | undefined, contentEncoding: string | undefined): boolean {
  if (contentSha256?.startsWith('STREAMING-')) return true;
  return (contentEncoding ?? '').split(',').some((e) => e.trim().toLowerCase() === 'aws-chunked');
}
