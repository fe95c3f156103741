/**
 * The gallery's two small functions. gallery-updater's pure part: reading a
 * Gallery Image Ready event from an SQS record (a bad one names what is
 * wrong). gallery-cleanup against the embedded endpoint: it deletes the tmp/
 * objects written before the schedule fired, and nothing else. The whole
 * path (S3 → EventBridge → state machine → queue → updater; the 03:00
 * schedule on virtual time) runs in scenarios/gallery-*.yaml.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { handler as cleanup } from '../../lambdas/gallery-cleanup/index.ts';
import { readGalleryEvent } from '../../lambdas/gallery-updater/index.ts';
import { s3Client } from '../support/clients.ts';
import { BUCKET, startHandlerEnv, type HandlerEnv } from './harness-env.ts';

const event = { id: 'e-1', time: '2026-06-01T12:00:00Z', 'detail-type': 'Gallery Image Ready', detail: { bucket: 'gallery-uploads', key: 'uploads/a.jpg', resizedKey: 'resized/uploads/a.jpg', width: 800, height: 600, size: 1234 } };

describe('gallery-updater', () => {
  it('reads the gallery entry from the event in the record body', () => {
    expect(readGalleryEvent({ messageId: 'm1', body: JSON.stringify(event) })).toEqual({
      imageKey: 'uploads/a.jpg',
      bucket: 'gallery-uploads',
      resizedKey: 'resized/uploads/a.jpg',
      width: 800,
      height: 600,
      size: 1234,
      eventId: 'e-1',
      readyAt: '2026-06-01T12:00:00Z',
    });
  });

  it('names what makes a record unreadable', () => {
    expect(() => readGalleryEvent({ messageId: 'm2', body: 'not json' })).toThrow('message m2 is not JSON');
    expect(() => readGalleryEvent({ messageId: 'm3', body: JSON.stringify({ ...event, detail: undefined }) })).toThrow('message m3 detail must be a JSON object, got undefined');
    expect(() => readGalleryEvent({ messageId: 'm4', body: JSON.stringify({ ...event, detail: { ...event.detail, width: '800' } }) })).toThrow('message m4 detail.width must be a number, got "800"');
  });
});

describe('gallery-cleanup', () => {
  let env: HandlerEnv;
  beforeAll(async () => {
    env = await startHandlerEnv(['s3']);
    process.env.GALLERY_BUCKET = BUCKET;
  });
  afterAll(async () => {
    delete process.env.GALLERY_BUCKET;
    await env?.dispose();
  });

  it('deletes the tmp/ objects written before the schedule fired, and nothing else', async () => {
    for (const key of ['tmp/a.bin', 'tmp/deep/b.bin', 'uploads/keep.jpg']) await env.put(key, Buffer.from('x'));
    const early = await cleanup({ 'detail-type': 'Scheduled Event', time: '2000-01-01T03:00:00Z' });
    expect(early.deleted).toEqual([]);
    const out = await cleanup({ 'detail-type': 'Scheduled Event', time: new Date(Date.now() + 60_000).toISOString() });
    expect(out.deleted.sort()).toEqual(['tmp/a.bin', 'tmp/deep/b.bin']);
    const left = await s3Client(env.em.endpoint).send(new ListObjectsV2Command({ Bucket: BUCKET }));
    expect((left.Contents ?? []).map((o) => o.Key)).toEqual(['uploads/keep.jpg']);
    await expect(cleanup({ time: 'soon' })).rejects.toThrow('event.time must be a timestamp, got "soon"');
  });
});
