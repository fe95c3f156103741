/**
 * The incremental aws-chunked decoder against socket reads that split the
 * framing anywhere: in a size line, between CR and LF, inside a chunk's
 * bytes, inside a trailer. Whatever the split, the payload, the digests
 * computed chunk by chunk, the trailers and the error messages must be those
 * of decoding the whole body at once.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AwsChunkedDecoder, decodeAwsChunked } from '../../harness/protocol/aws-chunked.ts';
import { checksumOf, createDigester } from '../../harness/protocol/checksums.ts';

function framed(data: Buffer, sizes: number[], trailer = '', signatures = false): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  let n = 0;
  for (const size of sizes) {
    const c = data.subarray(at, at + size);
    at += size;
    const ext = signatures ? `;chunk-signature=${String(n++).padStart(64, '0')}` : '';
    parts.push(Buffer.from(`${c.length.toString(16)}${ext}\r\n`), c, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`0${signatures ? `;chunk-signature=${'f'.repeat(64)}` : ''}\r\n${trailer}\r\n`));
  return Buffer.concat(parts);
}

interface Outcome {
  payload: Buffer;
  md5: string;
  crc32: string;
  trailers: Record<string, string>;
  chunkLengths: number[];
  chunkSignatures: string[];
  trailerSignature?: string;
  error?: string;
}

/** Feeds `raw` in the given pieces, hashing the payload as it comes out (what the receiver does). */
function decodeInPieces(raw: Buffer, cuts: number[]): Outcome {
  const out: Buffer[] = [];
  const md5 = createDigester('MD5');
  const crc = createDigester('CRC32');
  const d = new AwsChunkedDecoder((b) => {
    // Copy: views into a socket read must not be trusted after the next one.
    out.push(Buffer.from(b));
    md5.update(b);
    crc.update(b);
  });
  let error: string | undefined;
  try {
    let from = 0;
    for (const cut of [...cuts, raw.length]) {
      d.write(raw.subarray(from, cut));
      from = cut;
    }
    d.end();
  } catch (e) {
    error = (e as Error).message;
  }
  return {
    payload: Buffer.concat(out),
    md5: md5.digest(),
    crc32: crc.digest(),
    trailers: { ...d.trailers },
    chunkLengths: [...d.chunkLengths],
    chunkSignatures: [...d.chunkSignatures],
    trailerSignature: d.trailerSignature,
    error,
  };
}

/** A small deterministic generator (tests need no randomness, only many different cuts). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const data = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 37 + 11) & 0xff));

describe('AwsChunkedDecoder: any split of the framing decodes the same', () => {
  const trailer = `x-amz-checksum-crc32:${checksumOf('CRC32', data)}\r\nx-amz-trailer-signature:${'a'.repeat(64)}`;
  const raw = framed(data, [100, 7, 1, 192], trailer, true);
  const whole = decodeInPieces(raw, []);

  it('decodes the whole body: payload, chunk lengths and signatures, trailers', () => {
    expect(whole.error).toBeUndefined();
    expect(whole.payload.equals(data)).toBe(true);
    expect(whole.md5).toBe(createHash('md5').update(data).digest('base64'));
    expect(whole.chunkLengths).toEqual([100, 7, 1, 192]);
    expect(whole.chunkSignatures).toHaveLength(5);
    expect(whole.trailers).toEqual({ 'x-amz-checksum-crc32': checksumOf('CRC32', data) });
    expect(whole.trailerSignature).toBe('a'.repeat(64));
  });

  it('every single cut point (including between CR and LF) gives the same result', () => {
    for (let cut = 1; cut < raw.length; cut++) expect(decodeInPieces(raw, [cut]), `cut at ${cut}`).toEqual(whole);
  });

  it('one byte at a time gives the same result', () => {
    expect(decodeInPieces(raw, Array.from({ length: raw.length - 1 }, (_, i) => i + 1))).toEqual(whole);
  });

  it('many random multi-way splits give the same result', () => {
    const next = lcg(7);
    for (let round = 0; round < 300; round++) {
      const cuts = [...new Set(Array.from({ length: 1 + Math.floor(next() * 12) }, () => 1 + Math.floor(next() * (raw.length - 1))))].sort((a, b) => a - b);
      expect(decodeInPieces(raw, cuts), `cuts ${cuts.join(',')}`).toEqual(whole);
    }
  });

  it('matches decodeAwsChunked, and tolerates a missing final CRLF after the last trailer', () => {
    const d = decodeAwsChunked(raw);
    expect(d.body.equals(data)).toBe(true);
    expect(d.chunks.map((c) => c.length)).toEqual([100, 7, 1, 192]);
    const noFinalCrlf = Buffer.from('3\r\nabc\r\n0\r\nx-amz-checksum-crc32:AAAA');
    for (let cut = 1; cut < noFinalCrlf.length; cut++) {
      const r = decodeInPieces(noFinalCrlf, [cut]);
      expect(r.error).toBeUndefined();
      expect(r.trailers).toEqual({ 'x-amz-checksum-crc32': 'AAAA' });
    }
  });
});

describe('AwsChunkedDecoder: broken framing fails with the same message wherever the reads split', () => {
  const cases: Array<[string, Buffer, RegExp]> = [
    ['size is not hex', Buffer.from('zz\r\nabc\r\n0\r\n\r\n'), /chunk size "zz" at byte 0 is not hexadecimal/],
    ['a chunk runs past the end', Buffer.from('10\r\nabc\r\n'), /chunk of 16 bytes at byte 4 runs past the end/],
    ['no CRLF after the bytes', Buffer.from('3\r\nabcX\r\n0\r\n\r\n'), /chunk at byte 6 is not followed by CRLF/],
    ['the body stops inside the CRLF', Buffer.from('3\r\nabc\r'), /chunk at byte 6 is not followed by CRLF/],
    ['no final zero chunk', Buffer.from('3\r\nabc\r\n'), /chunk header missing at byte 8/],
    ['a trailer that is not name:value', Buffer.from('3\r\nabc\r\n0\r\nnonsense\r\n\r\n'), /trailer line "nonsense" is not name:value/],
    ['a size line that never ends', Buffer.from(`1${'0'.repeat(5000)}`), /is not hexadecimal/],
  ];
  for (const [name, raw, message] of cases) {
    it(name, () => {
      const whole = decodeInPieces(raw, []);
      expect(whole.error).toMatch(message);
      for (let cut = 1; cut < Math.min(raw.length, 64); cut++) expect(decodeInPieces(raw, [cut]).error, `cut at ${cut}`).toBe(whole.error);
    });
  }

  it('a bare LF inside a size line is part of the line, as with a whole-body search for CRLF', () => {
    const raw = Buffer.from('3\nx\r\nabc\r\n0\r\n\r\n');
    expect(decodeInPieces(raw, []).error).toMatch(/not hexadecimal/);
    expect(decodeInPieces(raw, [2]).error).toBe(decodeInPieces(raw, []).error);
  });
});
