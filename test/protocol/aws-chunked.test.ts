/**
 * aws-chunked bodies over real HTTP: unsigned with trailers, signed chunks
 * (verified), trailing checksums, decoded length, Content-MD5, Expect:
 * 100-continue — and the framing never becomes object bytes.
 */
import { createHash, createHmac } from 'node:crypto';
import { request } from 'node:http';
import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Checksum, SourceData } from '@smithy/types';
import { startEmulator, type Emulator } from '../../harness/emulator/index.ts';
import { decodeAwsChunked } from '../../harness/protocol/aws-chunked.ts';

let em: Emulator;
let verifying: Emulator;
beforeAll(async () => {
  em = await startEmulator({ services: ['s3'], log: false });
  verifying = await startEmulator({ services: ['s3'], log: false, verifySignatures: true });
  for (const e of [em, verifying]) await send(e, { method: 'PUT', path: '/chunky', sign: e === verifying });
});
afterAll(async () => {
  await em?.dispose();
  await verifying?.dispose();
});

interface Sent {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  continued: boolean;
}

const crc32b64 = (b: Buffer) => {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(crc32(b));
  return out.toString('base64');
};

class Sha256 implements Checksum {
  private h;
  constructor(private readonly secret?: SourceData) {
    this.h = secret === undefined ? createHash('sha256') : createHmac('sha256', Buffer.from(secret as Uint8Array));
  }
  update(d: Uint8Array): void {
    this.h.update(d);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.h.digest());
  }
  reset(): void {
    this.h = this.secret === undefined ? createHash('sha256') : createHmac('sha256', Buffer.from(this.secret as Uint8Array));
  }
}

async function send(
  e: Emulator,
  opts: { method: string; path: string; headers?: Record<string, string>; body?: Buffer; sign?: boolean; secret?: string; expectContinue?: boolean },
): Promise<Sent> {
  const url = new URL(e.endpoint);
  const headers: Record<string, string> = { host: url.host, ...(opts.headers ?? {}) };
  if (opts.body) headers['content-length'] = String(opts.body.length);
  if (opts.sign) {
    headers['x-amz-content-sha256'] ??= createHash('sha256').update(opts.body ?? Buffer.alloc(0)).digest('hex');
    const signer = new SignatureV4({ credentials: { accessKeyId: 'test', secretAccessKey: opts.secret ?? 'test' }, region: 'us-east-1', service: 's3', sha256: Sha256, uriEscapePath: false });
    const signed = await signer.sign({ method: opts.method, protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: opts.path, query: {}, headers, body: opts.body }, { signingDate: new Date('2026-01-02T03:04:05Z') });
    Object.assign(headers, signed.headers);
  }
  if (opts.expectContinue) headers.expect = '100-continue';
  return new Promise((resolve, reject) => {
    let continued = false;
    const req = request({ host: url.hostname, port: url.port, method: opts.method, path: opts.path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8'), continued }));
    });
    req.on('error', reject);
    if (opts.expectContinue) {
      req.on('continue', () => {
        continued = true;
        req.end(opts.body);
      });
    } else req.end(opts.body);
  });
}

async function get(e: Emulator, key: string): Promise<Buffer> {
  const res = await fetch(`${e.endpoint}/chunky/${key}`);
  return Buffer.from(await res.arrayBuffer());
}

function unsignedChunked(data: Buffer, chunkSize: number, trailer?: string): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < data.length; i += chunkSize) {
    const c = data.subarray(i, i + chunkSize);
    parts.push(Buffer.from(`${c.length.toString(16)}\r\n`), c, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`0\r\n${trailer ? `${trailer}\r\n` : ''}\r\n`));
  return Buffer.concat(parts);
}

describe('decodeAwsChunked (unit)', () => {
  it('joins chunks, reads trailers, and names where broken framing breaks', () => {
    const d = decodeAwsChunked(Buffer.from('3\r\nabc\r\n2\r\nde\r\n0\r\nx-amz-checksum-crc32:AAAA\r\n\r\n'));
    expect(d.body.toString()).toBe('abcde');
    expect(d.trailers).toEqual({ 'x-amz-checksum-crc32': 'AAAA' });
    expect(() => decodeAwsChunked(Buffer.from('zz\r\nabc'))).toThrow(/not hexadecimal/);
    expect(() => decodeAwsChunked(Buffer.from('10\r\nabc\r\n'))).toThrow(/runs past the end/);
    expect(() => decodeAwsChunked(Buffer.from('3\r\nabcX\r\n0\r\n\r\n'))).toThrow(/not followed by CRLF/);
  });
});

describe('aws-chunked over HTTP', () => {
  const data = Buffer.from('The quick brown fox jumps over the lazy dog. '.repeat(2000));

  it('STREAMING-UNSIGNED-PAYLOAD-TRAILER: stores only the payload and verifies the trailing CRC32', async () => {
    const body = unsignedChunked(data, 8192, `x-amz-checksum-crc32:${crc32b64(data)}`);
    const r = await send(em, {
      method: 'PUT',
      path: '/chunky/unsigned',
      body,
      headers: {
        'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
        'content-encoding': 'aws-chunked',
        'x-amz-decoded-content-length': String(data.length),
        'x-amz-trailer': 'x-amz-checksum-crc32',
      },
    });
    expect(r.status).toBe(200);
    expect(r.headers['x-amz-checksum-crc32']).toBe(crc32b64(data));
    const stored = await get(em, 'unsigned');
    expect(stored.length).toBe(data.length);
    expect(stored.equals(data)).toBe(true);
    // The classic emulator bug: chunk headers or trailers inside the object.
    expect(stored.includes(Buffer.from('x-amz-checksum'))).toBe(false);
    expect(stored.includes(Buffer.from('2000\r\n'))).toBe(false);
    const head = await fetch(`${em.endpoint}/chunky/unsigned`, { method: 'HEAD' });
    expect(head.headers.get('content-encoding')).toBeNull();
  });

  it('a trailing checksum that does not match is BadDigest and nothing is stored', async () => {
    const body = unsignedChunked(data, 8192, 'x-amz-checksum-crc32:AAAAAA==');
    const r = await send(em, {
      method: 'PUT',
      path: '/chunky/bad-trailer',
      body,
      headers: { 'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER', 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': String(data.length), 'x-amz-trailer': 'x-amz-checksum-crc32' },
    });
    expect(r.status).toBe(400);
    expect(r.body).toContain('<Code>BadDigest</Code>');
    expect((await fetch(`${em.endpoint}/chunky/bad-trailer`)).status).toBe(404);
  });

  it('x-amz-decoded-content-length that disagrees with the chunks is IncompleteBody; truncated framing too', async () => {
    const r = await send(em, {
      method: 'PUT',
      path: '/chunky/short',
      body: unsignedChunked(data, 4096),
      headers: { 'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER', 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': String(data.length + 5) },
    });
    expect(r.status).toBe(400);
    expect(r.body).toContain('<Code>IncompleteBody</Code>');
    const cut = unsignedChunked(data, 4096).subarray(0, 5000);
    const r2 = await send(em, { method: 'PUT', path: '/chunky/cut', body: cut, headers: { 'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER', 'content-encoding': 'aws-chunked' } });
    expect(r2.status).toBe(400);
    expect(r2.body).toContain('<Code>IncompleteBody</Code>');
  });

  function signingKey(secret: string): Buffer {
    let k = createHmac('sha256', `AWS4${secret}`).update('20260102').digest();
    for (const p of ['us-east-1', 's3', 'aws4_request']) k = createHmac('sha256', k).update(p).digest();
    return k;
  }

  /** Builds STREAMING-AWS4-HMAC-SHA256-PAYLOAD per https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html */
  function signedChunked(payload: Buffer, seedSignature: string, chunkSize: number, secret = 'test', tamper = false): Buffer {
    const key = signingKey(secret);
    const scope = '20260102/us-east-1/s3/aws4_request';
    const empty = createHash('sha256').update('').digest('hex');
    let prev = seedSignature;
    const out: Buffer[] = [];
    const chunks: Buffer[] = [];
    for (let i = 0; i < payload.length; i += chunkSize) chunks.push(payload.subarray(i, i + chunkSize));
    chunks.push(Buffer.alloc(0));
    for (const c of chunks) {
      const sts = `AWS4-HMAC-SHA256-PAYLOAD\n20260102T030405Z\n${scope}\n${prev}\n${empty}\n${createHash('sha256').update(c).digest('hex')}`;
      const sig = createHmac('sha256', key).update(sts).digest('hex');
      prev = sig;
      const bytes = tamper && c.length > 0 ? Buffer.from(c).fill(0x41, 0, 1) : c;
      out.push(Buffer.from(`${c.length.toString(16)};chunk-signature=${sig}\r\n`), bytes, Buffer.from('\r\n'));
    }
    return Buffer.concat(out);
  }

  async function signedPut(e: Emulator, key: string, tamper: boolean): Promise<Sent> {
    // The seed signature signs the headers; we need it before framing the body, so sign first, then frame.
    const url = new URL(e.endpoint);
    const payload = data;
    const frameLen = signedChunked(payload, '0'.repeat(64), 16384).length;
    const headers: Record<string, string> = {
      host: url.host,
      'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
      'content-encoding': 'aws-chunked',
      'x-amz-decoded-content-length': String(payload.length),
      'content-length': String(frameLen),
    };
    const signer = new SignatureV4({ credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, region: 'us-east-1', service: 's3', sha256: Sha256, uriEscapePath: false });
    const signed = await signer.sign({ method: 'PUT', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: `/chunky/${key}`, query: {}, headers }, { signingDate: new Date('2026-01-02T03:04:05Z') });
    const seed = /Signature=([0-9a-f]{64})/.exec(String(signed.headers.authorization))![1]!;
    const body = signedChunked(payload, seed, 16384, 'test', tamper);
    return new Promise((resolve, reject) => {
      const req = request({ host: url.hostname, port: url.port, method: 'PUT', path: `/chunky/${key}`, headers: signed.headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString(), continued: false }));
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  it('STREAMING-AWS4-HMAC-SHA256-PAYLOAD: chunk signatures verified; a tampered chunk is SignatureDoesNotMatch', async () => {
    const ok = await signedPut(verifying, 'signed', false);
    expect(ok.body).toBe('');
    expect(ok.status).toBe(200);
    const stored = await send(verifying, { method: 'GET', path: '/chunky/signed', sign: true });
    expect(stored.body).toBe(data.toString());
    const bad = await signedPut(verifying, 'tampered', true);
    expect(bad.status).toBe(403);
    expect(bad.body).toContain('<Code>SignatureDoesNotMatch</Code>');
    // Without verification the same framing is decoded, never stored raw.
    const lenient = await signedPut(em, 'signed-lenient', false);
    expect(lenient.status).toBe(200);
    expect((await get(em, 'signed-lenient')).equals(data)).toBe(true);
  });

  it('Content-MD5: right → stored, wrong → BadDigest, not base64 → InvalidDigest', async () => {
    const body = Buffer.from('md5 me');
    const good = createHash('md5').update(body).digest('base64');
    expect((await send(em, { method: 'PUT', path: '/chunky/md5', body, headers: { 'content-md5': good } })).status).toBe(200);
    const wrong = await send(em, { method: 'PUT', path: '/chunky/md5-wrong', body, headers: { 'content-md5': createHash('md5').update('other').digest('base64') } });
    expect(wrong.status).toBe(400);
    expect(wrong.body).toContain('<Code>BadDigest</Code>');
    const invalid = await send(em, { method: 'PUT', path: '/chunky/md5-invalid', body, headers: { 'content-md5': 'not-base64!' } });
    expect(invalid.body).toContain('<Code>InvalidDigest</Code>');
  });

  it('Expect: 100-continue gets a 100 before the body is sent', async () => {
    const r = await send(em, { method: 'PUT', path: '/chunky/continued', body: Buffer.from('after continue'), expectContinue: true });
    expect(r.continued).toBe(true);
    expect(r.status).toBe(200);
    expect((await get(em, 'continued')).toString()).toBe('after continue');
  });

  it('with --verify-signatures a wrong secret is SignatureDoesNotMatch (403) and an unsigned request AccessDenied', async () => {
    const wrong = await send(verifying, { method: 'PUT', path: '/chunky/wrong-secret', body: Buffer.from('x'), sign: true, secret: 'not-the-secret' });
    expect(wrong.status).toBe(403);
    expect(wrong.body).toContain('<Code>SignatureDoesNotMatch</Code>');
    const unsigned = await send(verifying, { method: 'GET', path: '/chunky/signed' });
    expect(unsigned.status).toBe(403);
    expect(unsigned.body).toContain('<Code>AccessDenied</Code>');
    const right = await send(verifying, { method: 'PUT', path: '/chunky/right-secret', body: Buffer.from('x'), sign: true });
    expect(right.status).toBe(200);
  });
});
