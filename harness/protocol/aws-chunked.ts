/**
 * `aws-chunked` bodies, as the newest SDKs send streams: each chunk is
 * `<hex-size>[;chunk-signature=<sig>]\r\n<bytes>\r\n`, a zero-size chunk ends
 * the data, then optional trailer lines (`x-amz-checksum-crc32:<b64>`) and a
 * blank line. Only the bytes are the object — never the framing (s3rver's bug).
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html
 *
 * Decoded as the bytes arrive (`AwsChunkedDecoder`), so the payload can be
 * hashed and stored while the upload is still on the wire; socket reads split
 * the framing anywhere, so every state survives a boundary at any byte.
 */
import { incompleteBody } from './errors.ts';

/** The framing's metadata, once the whole body has been decoded. */
export interface ChunkedFraming {
  /** Payload bytes of each data chunk, in order (for chunk-signature verification). */
  chunkLengths: number[];
  /** `chunk-signature` of each chunk including the final zero-size one. */
  chunkSignatures: string[];
  /** Trailer headers, lower-cased names (`x-amz-checksum-crc32`), without `x-amz-trailer-signature`. */
  trailers: Record<string, string>;
  trailerSignature?: string;
  /** Trailer lines as signed (`name:value\n` each) for trailer-signature verification. */
  trailerText: string;
}

export interface DecodedChunked extends ChunkedFraming {
  body: Buffer;
  /** Data chunks in order (views into `body`). */
  chunks: Buffer[];
}

const CR = 0x0d;
const LF = 0x0a;
/** Chunk-header and trailer lines are < 200 bytes in practice; anything longer is not aws-chunked framing. */
const MAX_LINE = 4096;

type State = 'header' | 'data' | 'data-crlf' | 'trailer' | 'done';

/**
 * Incremental decoder: `write()` raw bytes as they arrive, payload bytes come
 * out through `onData` (views into the written buffers — copy them if they
 * must outlive the next read), `end()` checks the framing was complete.
 * Throws AWS `IncompleteBody` naming the byte where the framing broke.
 */
export class AwsChunkedDecoder implements ChunkedFraming {
  readonly chunkLengths: number[] = [];
  readonly chunkSignatures: string[] = [];
  readonly trailers: Record<string, string> = {};
  trailerSignature?: string;
  trailerText = '';

  private state: State = 'header';
  /** Raw bytes consumed before the current `write()` (for error positions). */
  private offset = 0;
  /** A line split across writes: its bytes so far, and the raw position it started at. */
  private line: Buffer[] = [];
  private lineLength = 0;
  private lineStart = 0;
  /** Payload bytes left in the current chunk, its size, and where its payload starts/ends. */
  private remaining = 0;
  private size = 0;
  private dataStart = 0;
  private crlfSeen = 0;

  constructor(private readonly onData: (bytes: Buffer) => void) {}

  write(raw: Buffer): void {
    let i = 0;
    while (i < raw.length && this.state !== 'done') {
      if (this.state === 'data') {
        const n = Math.min(this.remaining, raw.length - i);
        this.onData(raw.subarray(i, i + n));
        this.remaining -= n;
        i += n;
        if (this.remaining === 0) {
          this.state = 'data-crlf';
          this.crlfSeen = 0;
        }
      } else if (this.state === 'data-crlf') {
        if (raw[i] !== (this.crlfSeen === 0 ? CR : LF)) throw this.notFollowedByCrlf();
        i++;
        if (++this.crlfSeen === 2) this.startLine(this.offset + i, 'header');
      } else {
        i = this.readLine(raw, i);
      }
    }
    this.offset += raw.length;
  }

  /** Call when the body has ended; throws when the framing stopped half-way. */
  end(): void {
    switch (this.state) {
      case 'done':
        return;
      case 'trailer':
        // Tolerate a missing final CRLF after the last trailer line.
        if (this.lineLength > 0) this.trailerLine(this.takeLine(this.lineLength));
        this.state = 'done';
        return;
      case 'header':
        throw incompleteBody(`aws-chunked chunk header missing at byte ${this.lineStart}`);
      case 'data':
        throw incompleteBody(`aws-chunked chunk of ${this.size} bytes at byte ${this.dataStart} runs past the end of the body`);
      case 'data-crlf':
        throw this.notFollowedByCrlf();
    }
  }

  private notFollowedByCrlf(): Error {
    return incompleteBody(`aws-chunked chunk at byte ${this.dataStart + this.size} is not followed by CRLF`);
  }

  private startLine(at: number, state: 'header' | 'trailer'): void {
    this.state = state;
    this.line = [];
    this.lineLength = 0;
    this.lineStart = at;
  }

  /** Consumes bytes of a header/trailer line from `raw[i…]`; returns where it stopped. */
  private readLine(raw: Buffer, i: number): number {
    let from = i;
    for (;;) {
      const lf = raw.indexOf(LF, from);
      if (lf < 0) {
        this.appendLine(raw.subarray(i));
        return raw.length;
      }
      // A line ends at CRLF; a bare LF is part of the line (as with indexOf('\r\n')). The CR may have come in the previous write.
      const prevIsCr = lf > i ? raw[lf - 1] === CR : this.lineLength > 0 && this.lastLineByte() === CR;
      if (!prevIsCr) {
        from = lf + 1;
        continue;
      }
      this.appendLine(raw.subarray(i, lf + 1));
      const text = this.takeLine(this.lineLength - 2);
      if (this.state === 'header') this.headerLine(text, this.offset + lf + 1);
      else if (text === '') this.state = 'done';
      else {
        this.trailerLine(text);
        this.startLine(this.offset + lf + 1, 'trailer');
      }
      return lf + 1;
    }
  }

  private appendLine(part: Buffer): void {
    if (part.length === 0) return;
    this.line.push(part);
    this.lineLength += part.length;
    if (this.lineLength > MAX_LINE) {
      const head = this.takeLine(Math.min(this.lineLength, 40));
      throw this.state === 'header'
        ? incompleteBody(`aws-chunked chunk size ${JSON.stringify(head)} at byte ${this.lineStart} is not hexadecimal`)
        : incompleteBody(`aws-chunked trailer line at byte ${this.lineStart} is longer than ${MAX_LINE} bytes`);
    }
  }

  private lastLineByte(): number | undefined {
    const last = this.line[this.line.length - 1];
    return last?.[last.length - 1];
  }

  /** The first `length` bytes of the pending line as text (latin1 for headers, utf8 for trailers). */
  private takeLine(length: number): string {
    const bytes = this.line.length === 1 ? this.line[0]! : Buffer.concat(this.line, this.lineLength);
    return bytes.subarray(0, length).toString(this.state === 'header' ? 'latin1' : 'utf8');
  }

  private headerLine(header: string, dataStart: number): void {
    const [sizeHex, ...exts] = header.split(';');
    const hex = sizeHex?.trim() ?? '';
    if (!/^[0-9a-fA-F]{1,16}$/.test(hex)) {
      throw incompleteBody(`aws-chunked chunk size ${JSON.stringify(header.slice(0, 40))} at byte ${this.lineStart} is not hexadecimal`);
    }
    const size = parseInt(hex, 16);
    for (const ext of exts) {
      const eq = ext.indexOf('=');
      if (eq > 0 && ext.slice(0, eq).trim() === 'chunk-signature') this.chunkSignatures.push(ext.slice(eq + 1).trim());
    }
    if (size === 0) {
      this.startLine(dataStart, 'trailer');
      return;
    }
    this.chunkLengths.push(size);
    this.size = size;
    this.remaining = size;
    this.dataStart = dataStart;
    this.state = 'data';
  }

  private trailerLine(line: string): void {
    const colon = line.indexOf(':');
    if (colon <= 0) throw incompleteBody(`aws-chunked trailer line ${JSON.stringify(line.slice(0, 60))} is not name:value`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'x-amz-trailer-signature') this.trailerSignature = value;
    else {
      this.trailers[name] = value;
      this.trailerText += `${name}:${value}\n`;
    }
  }
}

/** Decodes a complete aws-chunked body; throws `IncompleteBody` naming where the framing broke. */
export function decodeAwsChunked(raw: Buffer): DecodedChunked {
  const parts: Buffer[] = [];
  const decoder = new AwsChunkedDecoder((b) => parts.push(b));
  decoder.write(raw);
  decoder.end();
  const body = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  return { ...framingOf(decoder), body, chunks: chunkViews(body, decoder.chunkLengths) };
}

/** The framing metadata of a finished decoder, as a plain value. */
export function framingOf(d: AwsChunkedDecoder): ChunkedFraming {
  return { chunkLengths: d.chunkLengths, chunkSignatures: d.chunkSignatures, trailers: d.trailers, trailerSignature: d.trailerSignature, trailerText: d.trailerText };
}

/** Each data chunk as a view into the decoded body. */
export function chunkViews(body: Buffer, lengths: readonly number[]): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  for (const n of lengths) {
    out.push(body.subarray(at, at + n));
    at += n;
  }
  return out;
}

/** Whether a request body is aws-chunked framed. */
export function isAwsChunked(contentSha256: string | undefined, contentEncoding: string | undefined): boolean {
  if (contentSha256?.startsWith('STREAMING-')) return true;
  // Most requests send no Content-Encoding: nothing to split.
  if (contentEncoding === undefined || contentEncoding === '') return false;
  return contentEncoding.split(',').some((e) => e.trim().toLowerCase() === 'aws-chunked');
}
