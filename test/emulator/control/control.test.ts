/** The /_rehearse/ control API over HTTP, through the typed ControlClient, and the virtual clock rule. */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CreateBucketCommand, GetObjectCommand, ListBucketsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { VirtualClock, type Clock } from '../../../harness/core/index.ts';
import { ControlApiError, ControlClient } from '../../../harness/backends/control-client.ts';
import { startEmulator, type Emulator } from '../../../harness/emulator/index.ts';
import { s3Client } from '../../support/clients.ts';

const START = Date.UTC(2030, 0, 1);

describe('control API', () => {
  let em: Emulator;
  let clock: VirtualClock;
  let control: ControlClient;
  beforeAll(async () => {
    clock = new VirtualClock({ start: START, autoAdvance: 'idle' });
    em = await startEmulator({ services: ['s3'], clock, log: false });
    control = new ControlClient(em.endpoint);
  });
  afterAll(() => em?.dispose());

  it('health names the services and the clock kind', async () => {
    const h = await control.health();
    expect(h).toMatchObject({ status: 'ok', clock: 'virtual', services: ['s3'] });
    expect(h.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('reset forgets every bucket, the fault plan and observations', async () => {
    const s3 = s3Client(em.endpoint);
    await s3.send(new CreateBucketCommand({ Bucket: 'to-forget' }));
    await control.setFaults({ operations: [{ service: 's3', operation: 'GetObject', error: { code: 'InternalError' } }] });
    em.observations.recordSnsMessage({ topicArn: 't', messageId: 'm', message: 'x', attributes: {}, caller: 'client', time: 0 });
    await control.reset();
    expect((await s3.send(new ListBucketsCommand({}))).Buckets ?? []).toEqual([]);
    expect(await control.faults()).toEqual({});
    expect((await control.observations()).snsMessages).toEqual([]);
    s3.destroy();
  });

  it('faults: install, read back, apply by call number, clear; a bad plan is rejected naming the field', async () => {
    const s3 = s3Client(em.endpoint, { extra: { maxAttempts: 1 } });
    await s3.send(new CreateBucketCommand({ Bucket: 'faulty' }));
    await s3.send(new PutObjectCommand({ Bucket: 'faulty', Key: 'k', Body: 'v' }));
    const plan = { operations: [{ service: 's3', operation: 'GetObject', invocations: ['1-2'], error: { code: 'InternalError', message: 'injected' } }] };
    await control.setFaults(plan);
    expect(await control.faults()).toEqual(plan);
    for (let i = 0; i < 2; i++) {
      await expect(s3.send(new GetObjectCommand({ Bucket: 'faulty', Key: 'k' }))).rejects.toMatchObject({ name: 'InternalError', $metadata: { httpStatusCode: 500 } });
    }
    expect(await (await s3.send(new GetObjectCommand({ Bucket: 'faulty', Key: 'k' }))).Body!.transformToString()).toBe('v');
    await control.clearFaults();
    expect(await control.faults()).toEqual({});

    const bad = control.setFaults({ operations: [{ service: 's3', operation: '', error: { code: 'X' } }] });
    await expect(bad).rejects.toBeInstanceOf(ControlApiError);
    await expect(bad).rejects.toMatchObject({ status: 400, code: 'InvalidFaultPlan', message: expect.stringContaining('operations[0].operation') });
    await expect(control.setFaults({ functions: [{ function: 'f', invocations: ['5-2'], throw: { errorType: 'E' } }] })).rejects.toMatchObject({ code: 'InvalidFaultPlan' });
    s3.destroy();
  });

  it('latency faults wait on the (virtual) clock', async () => {
    const s3 = s3Client(em.endpoint);
    await s3.send(new CreateBucketCommand({ Bucket: 'slow' }));
    await control.setFaults({ operations: [{ service: 's3', operation: 'PutObject', latencyMs: 60_000 }] });
    const before = clock.now();
    await s3.send(new PutObjectCommand({ Bucket: 'slow', Key: 'k', Body: 'v' }));
    expect(clock.now() - before).toBeGreaterThanOrEqual(60_000);
    await control.clearFaults();
    s3.destroy();
  });

  it('observations and logs return their documented shapes', async () => {
    const o = await control.observations();
    expect(Object.keys(o).sort()).toEqual(['eventDeliveries', 'events', 'functionConcurrency', 'invocations', 'mapConcurrency', 'secretReads', 'snsMessages', 'sqsDeadLetters', 'sqsMessages']);
    expect(await control.logs('nobody')).toEqual({ invocations: [] });
  });

  it('unknown routes are 404 and bad clock requests 400, as JSON errors', async () => {
    const r = await fetch(`${em.endpoint}/_rehearse/nope`);
    expect(r.status).toBe(404);
    expect(await r.json()).toMatchObject({ error: { code: 'NotFound' } });
    await expect(control.setClock({ advanceMs: -5 })).rejects.toMatchObject({ status: 400, code: 'InvalidClockRequest' });
    const badJson = await fetch(`${em.endpoint}/_rehearse/clock`, { method: 'POST', body: '{nope' });
    expect(badJson.status).toBe(400);
    expect(await badJson.json()).toMatchObject({ error: { code: 'InvalidJson' } });
  });
});

describe('virtual clock rule (serve --clock virtual)', () => {
  it('a pending callback hold stops the jump; advancing via the control API fires the timer', async () => {
    const clock = new VirtualClock({ start: START, autoAdvance: 'idle' });
    await using em = await startEmulator({ services: ['s3'], clock, log: false });
    const control = new ControlClient(em.endpoint);
    // A task token waiting for an outside client (what the Step Functions service does for .waitForTaskToken).
    const releaseCallback = (clock as Clock).hold('callback', 'task token for Approve');
    let fired = 0;
    clock.setTimer(3_600_000, () => fired++); // the task's 1 h timeout
    await new Promise((r) => setTimeout(r, 50));
    const state = await control.clock();
    expect(fired).toBe(0);
    expect(state.now).toBe(START);
    expect(state.pendingTimers).toEqual([START + 3_600_000]);
    expect(state.holds).toEqual([{ kind: 'callback', label: 'task token for Approve' }]);

    const advanced = await control.advance(3_600_000);
    expect(fired).toBe(1);
    expect(advanced.now).toBe(START + 3_600_000);
    releaseCallback();
  });

  it("'idle-ignoring-callbacks' lets time jump over a pending callback; 'idle' jumps when nothing holds", async () => {
    const clock = new VirtualClock({ start: START, autoAdvance: 'idle' });
    await using em = await startEmulator({ services: ['s3'], clock, log: false });
    const control = new ControlClient(em.endpoint);
    const release = (clock as Clock).hold('callback', 'pending token');
    const fired = new Promise<number>((resolve) => clock.setTimer(10_000, () => resolve(clock.now())));
    await control.setClock({ autoAdvance: 'idle-ignoring-callbacks' });
    expect(await fired).toBe(START + 10_000);
    release();
    await control.setClock({ autoAdvance: 'idle' });
    const second = new Promise<number>((resolve) => clock.setTimer(5_000, () => resolve(clock.now())));
    expect(await second).toBe(START + 15_000);
  });

  it('a running request holds the clock: no jump while an S3 call is in flight', async () => {
    const clock = new VirtualClock({ start: START, autoAdvance: 'idle' });
    await using em = await startEmulator({ services: ['s3'], clock, log: false });
    const s3 = s3Client(em.endpoint);
    await s3.send(new CreateBucketCommand({ Bucket: 'held' }));
    // While the body is still streaming the request holds 'work'; the timer must not fire before it ends.
    const { PassThrough } = await import('node:stream');
    const body = new PassThrough();
    const put = s3.send(new PutObjectCommand({ Bucket: 'held', Key: 'slow-body', Body: body, ContentLength: 6 }));
    body.write('abc');
    // Wait until the request is at the server (its hold is taken), body half sent.
    await vi.waitFor(() => expect(clock.describeHolds().some((h) => h.kind === 'work' && h.label.startsWith('PUT /held/slow-body'))).toBe(true), { timeout: 10_000 });
    let fired = false;
    clock.setTimer(1000, () => {
      fired = true;
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(fired).toBe(false);
    expect(clock.now()).toBe(START);
    body.end('def');
    await put;
    await vi.waitFor(() => expect(fired).toBe(true), { timeout: 10_000 });
    expect(clock.now()).toBe(START + 1000);
    s3.destroy();
  });

  it('a real clock refuses advance with ClockNotVirtual', async () => {
    await using em = await startEmulator({ services: ['s3'], log: false });
    await expect(new ControlClient(`${em.endpoint}/_rehearse`).advance(5)).rejects.toMatchObject({ status: 400, code: 'ClockNotVirtual' });
    expect((await new ControlClient(em.endpoint).clock()).kind).toBe('system');
  });
});
