/**
 * The digest worker (MD5 of large bodies on the second core) and the body
 * receiver that feeds it, over real HTTP: right digests whatever the chunking,
 * back-pressure instead of unbounded memory, and a worker that crashes, exits
 * or answers nonsense costs speed, never bytes or correctness.
 */
import { createHash } from 'node:crypto';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { receiveBody, type ReceiveOptions } from '../../harness/protocol/body.ts';
import { checksumOf } from '../../harness/protocol/checksums.ts';
import { DIGEST_WORKER_SOURCE, DigestWorker, type DigestOffload } from '../../harness/protocol/digest-worker.ts';
import { payload } from '../support/bytes.ts';

const md5 = (b: Buffer) => createHash('md5').update(b).digest('base64');

/** Feeds a job `data` in pieces of the given sizes (cycled), honouring back-pressure. */
async function feed(job: NonNullable<ReturnType<DigestOffload['begin']>>, data: Buffer, sizes: number[]): Promise<number> {
  let pauses = 0;
  for (let at = 0, k = 0; at < data.length; k++) {
    const n = sizes[k % sizes.length]!;
    if (!job.update(data.subarray(at, at + n))) {
      pauses++;
      await new Promise<void>((r) => job.onDrain(r));
    }
    at += n;
  }
  return pauses;
}

const workers: DigestWorker[] = [];
function worker(options: ConstructorParameters<typeof DigestWorker>[0] = {}): DigestWorker {
  const w = new DigestWorker({ minBytes: 1, ...options });
  workers.push(w);
  return w;
}
afterEach(async () => {
  for (const w of workers.splice(0)) await w.close();
});

describe('DigestWorker', () => {
  it('hashes bytes handed over in odd pieces (block boundaries anywhere) to the right MD5 and SHA-256', async () => {
    const w = worker();
    expect(await w.ready()).toBe(true);
    const data = payload(1_000_003, 1);
    const job = w.begin(data.length, ['md5', 'sha256'])!;
    expect(job).toBeDefined();
    await feed(job, data, [1, 65535, 65537, 3, 100_000, 7]);
    expect(await job.finish()).toEqual({ md5: md5(data), sha256: createHash('sha256').update(data).digest('base64') });
  });

  it('keeps jobs apart when bodies interleave', async () => {
    const w = worker();
    await w.ready();
    const a = payload(300_000, 2);
    const b = payload(200_000, 3);
    const ja = w.begin(a.length, ['md5'])!;
    const jb = w.begin(b.length, ['md5'])!;
    for (let i = 0; i < 300_000; i += 50_000) {
      ja.update(a.subarray(i, i + 50_000));
      jb.update(b.subarray(i, i + 50_000));
    }
    expect(await Promise.all([jb.finish(), ja.finish()])).toEqual([{ md5: md5(b) }, { md5: md5(a) }]);
  });

  it('refuses small bodies and jobs before it is online (the caller hashes in-thread)', async () => {
    const w = new DigestWorker({ minBytes: 1024 });
    workers.push(w);
    expect(w.begin(10 * 1024, ['md5'])).toBeUndefined(); // starting, not online yet
    await w.ready();
    expect(w.begin(100, ['md5'])).toBeUndefined();
    expect(w.begin(10 * 1024, ['md5'])).toBeDefined();
  });

  it('asks the caller to pause when too much is waiting, and resumes it once the worker caught up', async () => {
    const w = worker({ maxInFlight: 128 * 1024 });
    await w.ready();
    const data = payload(4 * 1024 * 1024, 4);
    const job = w.begin(data.length, ['md5'])!;
    const pauses = await feed(job, data, [64 * 1024]);
    expect(pauses).toBeGreaterThan(0);
    expect(await job.finish()).toEqual({ md5: md5(data) });
  });

  it('a worker that crashes mid-job rejects the job, resumes paused callers, and is restarted for the next one', async () => {
    // Dies on its third block: after the job began and some bytes were hashed.
    const crashing = DIGEST_WORKER_SOURCE.replace("} else if (m.op === 'data') {", "} else if (m.op === 'data') { globalThis.n = (globalThis.n || 0) + 1; if (globalThis.n === 3) process.exit(7);");
    const w = worker({ source: crashing, maxInFlight: 64 * 1024 });
    await w.ready();
    const data = payload(1024 * 1024, 5);
    const job = w.begin(data.length, ['md5'])!;
    await feed(job, data, [64 * 1024]); // would hang here if a paused caller were never resumed
    await expect(job.finish()).rejects.toThrow(/digest worker/);
    expect(w.disabled).toBe(false);
    expect(await w.ready()).toBe(true);
    const again = w.begin(1000, ['md5'])!;
    again.update(data.subarray(0, 1000));
    expect(await again.finish()).toEqual({ md5: md5(data.subarray(0, 1000)) });
  });

  it('is given up after repeated deaths: no more jobs, everything in-thread', async () => {
    const w = worker({ source: 'process.exit(3)' });
    // Each round starts a worker that dies at once ('online' may still be seen first); a job begun on it
    // rejects when its exit is processed.
    for (let i = 0; i < 20 && !w.disabled; i++) {
      if (!(await w.ready())) continue;
      const job = w.begin(1 << 20, ['md5']);
      await job?.finish().catch(() => undefined);
    }
    expect(w.disabled).toBe(true);
    expect(await w.ready()).toBe(false);
    expect(w.begin(1 << 20, ['md5'])).toBeUndefined();
  });

  it('a worker that answers with an error rejects the job instead of inventing a digest', async () => {
    const w = worker({ source: DIGEST_WORKER_SOURCE.replace("createHash(a)]", "createHash('no-such-hash')]") });
    await w.ready();
    const job = w.begin(10, ['md5'])!;
    job.update(Buffer.from('0123456789'));
    await expect(job.finish()).rejects.toThrow(/digest worker failed/);
  });
});

describe('receiveBody over HTTP', () => {
  let server: Server;
  let handler: (req: IncomingMessage) => Promise<unknown>;
  const started = new Promise<void>((resolve) => {
    server = createServer((req, res) => {
      handler(req).then(
        (v) => res.end(JSON.stringify(v)),
        (e: unknown) => res.end(JSON.stringify({ error: (e as Error).message })),
      );
    });
    server.listen(0, '127.0.0.1', () => resolve());
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  async function put(body: Buffer, pieces: number[], headers: Record<string, string> = {}): Promise<Record<string, unknown>> {
    await started;
    const port = (server.address() as AddressInfo).port;
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, method: 'PUT', path: '/', headers: { 'content-length': String(body.length), ...headers } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString()) as Record<string, unknown>));
      });
      req.on('error', reject);
      // Several writes so the server sees several reads (TCP may still merge some; the results must not depend on it).
      let at = 0;
      for (let k = 0; at < body.length; k++) {
        const n = pieces[k % pieces.length]!;
        req.write(body.subarray(at, at + n));
        at += n;
      }
      req.end();
    });
  }

  function receiveWith(offload: DigestOffload | undefined, extra: Partial<ReceiveOptions> = {}) {
    handler = async (req) => {
      const r = await receiveBody(req, {
        rawLimit: 64 << 20,
        limit: 64 << 20,
        chunked: req.headers['content-encoding'] === 'aws-chunked',
        expectedLength: Number(req.headers['x-amz-decoded-content-length'] ?? req.headers['content-length']),
        algorithms: ['MD5', 'CRC32'],
        offload,
        ...extra,
      });
      return { size: r.body.length, md5: r.digests.MD5, crc32: r.digests.CRC32, sameBytes: r.body.equals(expected), trailers: r.framing?.trailers };
    };
  }
  let expected: Buffer = Buffer.alloc(0);

  it('with a healthy worker: MD5 from the worker, CRC32 in-thread, the body intact', async () => {
    const w = worker();
    await w.ready();
    expected = payload(3 * 1024 * 1024 + 5, 6);
    receiveWith(w);
    const r = await put(expected, [70_000, 1, 131_072]);
    expect(r).toMatchObject({ size: expected.length, md5: md5(expected), crc32: checksumOf('CRC32', expected), sameBytes: true });
    expect(w.jobsBegun).toBe(1);
  });

  it('aws-chunked through the worker: only the payload is hashed and kept, the trailer is read', async () => {
    const w = worker();
    await w.ready();
    expected = payload(700_001, 7);
    const crc = checksumOf('CRC32', expected);
    const parts: Buffer[] = [];
    for (let i = 0; i < expected.length; i += 65_536) {
      const c = expected.subarray(i, i + 65_536);
      parts.push(Buffer.from(`${c.length.toString(16)}\r\n`), c, Buffer.from('\r\n'));
    }
    parts.push(Buffer.from(`0\r\nx-amz-checksum-crc32:${crc}\r\n\r\n`));
    receiveWith(w);
    const r = await put(Buffer.concat(parts), [9_999, 65_536, 3], { 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': String(expected.length) });
    expect(r).toMatchObject({ size: expected.length, md5: md5(expected), crc32: crc, sameBytes: true, trailers: { 'x-amz-checksum-crc32': crc } });
    expect(w.jobsBegun).toBe(1);
  });

  it('a worker that dies during the upload: the digests are computed in-thread from the kept bytes', async () => {
    const w = worker({ source: DIGEST_WORKER_SOURCE.replace("} else if (m.op === 'data') {", "} else if (m.op === 'data') { process.exit(9);") });
    await w.ready();
    expected = payload(2 * 1024 * 1024, 8);
    receiveWith(w);
    const r = await put(expected, [65_536]);
    expect(r).toMatchObject({ size: expected.length, md5: md5(expected), crc32: checksumOf('CRC32', expected), sameBytes: true });
  });

  it('a worker that hangs up without an answer (closed mid-upload) also falls back', async () => {
    const w = worker();
    await w.ready();
    expected = payload(1024 * 1024, 9);
    handler = async (req) => {
      const pending = receiveBody(req, { rawLimit: 64 << 20, limit: 64 << 20, chunked: false, expectedLength: expected.length, algorithms: ['MD5'], offload: w });
      await w.close();
      const r = await pending;
      return { md5: r.digests.MD5, sameBytes: r.body.equals(expected) };
    };
    expect(await put(expected, [65_536])).toEqual({ md5: md5(expected), sameBytes: true });
  });
});
