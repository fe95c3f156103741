/**
 * The embedded backend, and `endpoint=URL` against a real endpoint started
 * in-process with startEmulator: the health probe decides the capabilities,
 * and SDK calls go through the URL alone.
 */
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { startEmulator } from '../../harness/emulator/index.ts';
import { createBackend, type Backend } from '../../harness/backends/index.ts';
import type { EmbeddedBackend } from '../../harness/backends/embedded.ts';

function s3(backend: Backend): S3Client {
  return new S3Client({ endpoint: backend.endpoint, region: backend.region, credentials: backend.credentials, forcePathStyle: true });
}

async function roundTrip(backend: Backend, bucket: string): Promise<string> {
  const client = s3(backend);
  await client.send(new CreateBucketCommand({ Bucket: bucket }));
  await client.send(new PutObjectCommand({ Bucket: bucket, Key: 'k.txt', Body: 'through the SDK' }));
  const body = await (await client.send(new GetObjectCommand({ Bucket: bucket, Key: 'k.txt' }))).Body!.transformToString();
  client.destroy();
  return body;
}

describe('embedded backend', () => {
  it('starts on loopback with virtual time and every capability; dispose releases the port', async () => {
    const backend = (await createBackend('embedded', { log: false })) as EmbeddedBackend;
    try {
      expect(backend.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(backend.controlUrl).toBe(`${backend.endpoint}/_rehearse`);
      expect(backend.capabilities).toMatchObject({ virtualTime: true, operationFaults: true, observations: true, localCodeDirectories: true });
      expect(backend.emulator.clock.kind).toBe('virtual');
      expect(await roundTrip(backend, 'embedded-check')).toBe('through the SDK');
    } finally {
      await backend.dispose();
    }
    await expect(fetch(`${backend.endpoint}/_rehearse/health`)).rejects.toThrow();
  });

  it('--real-time runs on the system clock and says virtual time is unavailable', async () => {
    await using backend = await createBackend('embedded', { realTime: true, log: false });
    expect(backend.capabilities.virtualTime).toBe(false);
  });
});

describe('endpoint=URL against a real startEmulator', () => {
  it('probes /_rehearse/health: control API, virtual clock, lambda → control-api faults', async () => {
    await using emulator = await startEmulator({ clock: 'virtual', log: false });
    await using backend = await createBackend(`endpoint=${emulator.endpoint}`);
    expect(backend.name).toBe('endpoint');
    expect(backend.controlUrl).toBe(`${emulator.endpoint}/_rehearse`);
    expect(backend.capabilities).toEqual({
      virtualTime: true,
      functionFaults: emulator.services.includes('lambda') ? 'control-api' : 'none',
      operationFaults: true,
      observations: true,
      localCodeDirectories: true,
    });
    expect(await roundTrip(backend, 'endpoint-check')).toBe('through the SDK');
  });

  it('a wall-clock endpoint reports no virtual time; disposing the backend leaves the endpoint running', async () => {
    await using emulator = await startEmulator({ clock: 'real', log: false });
    const backend = await createBackend(`endpoint=${emulator.endpoint}`);
    expect(backend.capabilities.virtualTime).toBe(false);
    await backend.dispose();
    expect((await fetch(`${emulator.endpoint}/_rehearse/health`)).status).toBe(200);
  });
});
