/** startEmulator: the composition root — ports, disposal, seeds, services, and surviving bad input. */
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { startEmulator } from '../../../harness/emulator/index.ts';
import { s3Client } from '../../support/clients.ts';

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

describe('startEmulator', () => {
  it('listens on 127.0.0.1 with port 0, and dispose (or await using) releases the port', async () => {
    let port: number;
    {
      await using em = await startEmulator({ log: false, services: ['s3'] });
      expect(em.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(em.host).toBe('127.0.0.1');
      port = em.port;
      expect(await portFree(port)).toBe(false);
      expect(em.region).toBe('us-east-1');
      expect(em.accountId).toBe('000000000000');
    }
    expect(await portFree(port)).toBe(true);
  });

  it('dispose lets a keep-alive client go and is idempotent', async () => {
    const em = await startEmulator({ log: false, services: ['s3'] });
    const s3 = s3Client(em.endpoint);
    await s3.send(new CreateBucketCommand({ Bucket: 'keepalive' }));
    await Promise.all([em.dispose(), em.dispose()]);
    expect(await portFree(em.port)).toBe(true);
    s3.destroy();
  });

  it('builds only the services asked for, and reports them', async () => {
    await using em = await startEmulator({ log: false, services: ['s3'] });
    expect(em.services).toEqual(['s3']);
    const h = (await (await fetch(`${em.endpoint}/_rehearse/health`)).json()) as { services: string[] };
    expect(h.services).toEqual(['s3']);
  });

  it('the same seed gives the same request ids (deterministic runs)', async () => {
    const ids = async () => {
      await using em = await startEmulator({ log: false, services: ['s3'], seed: 42 });
      const s3 = s3Client(em.endpoint);
      const a = await s3.send(new CreateBucketCommand({ Bucket: 'seeded' }));
      const b = await s3.send(new PutObjectCommand({ Bucket: 'seeded', Key: 'k', Body: 'v' }));
      s3.destroy();
      return [a.$metadata.requestId, b.$metadata.requestId];
    };
    const first = await ids();
    expect(first[0]).toMatch(/^[0-9A-F]{16}$/);
    expect(await ids()).toEqual(first);
  });

  it('serves many concurrent requests without losing one', async () => {
    await using em = await startEmulator({ log: false, services: ['s3'] });
    const s3 = s3Client(em.endpoint);
    await s3.send(new CreateBucketCommand({ Bucket: 'busy' }));
    await Promise.all(Array.from({ length: 50 }, (_, i) => s3.send(new PutObjectCommand({ Bucket: 'busy', Key: `k${i}`, Body: `v${i}` }))));
    const list = await (await fetch(`${em.endpoint}/busy?list-type=2`)).text();
    expect(list).toContain('<KeyCount>50</KeyCount>');
    s3.destroy();
  });

  it('fails clearly when the port is taken', async () => {
    await using em = await startEmulator({ log: false, services: ['s3'] });
    await expect(startEmulator({ log: false, services: ['s3'], port: em.port })).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });
});
