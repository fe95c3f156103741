/**
 * The change feed (harness/emulator/changes.ts) and its route,
 * GET /_rehearse/changes: a wait returns once a topic it names changed —
 * an execution started (`executions`), its history grew (`execution:<arn>`),
 * something was observed (`observations`) — and not for other topics;
 * bad parameters are named. Over real HTTP against a real endpoint.
 */
import { CreateStateMachineCommand, DescribeExecutionCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REAL_CLOCK, VirtualClock } from '../../../harness/core/index.ts';
import { ChangeFeed } from '../../../harness/emulator/changes.ts';
import { startEmulator, type Emulator } from '../../../harness/emulator/index.ts';
import { createControlApi, type ControlApi } from '../../../harness/scenario/control.ts';
import { sfnClient } from '../../support/clients.ts';

describe('ChangeFeed', () => {
  it('wakes a waiter for its topics only, once per burst, and at once for a change it has not seen', async () => {
    const feed = new ChangeFeed();
    const start = feed.current;
    let woke = 0;
    const a = feed.wait(start, ['execution:a'], 5_000).then((seq) => (woke++, seq));
    const other = feed.wait(start, ['execution:b'], 30);
    feed.changed('execution:a');
    feed.changed('execution:a', 'executions');
    expect(await a).toBe(start + 2);
    expect(woke).toBe(1);
    // No change of execution:b: it returns when its wait ends, with the number now.
    expect(await other).toBe(start + 2);
    // Changed before the wait began: no waiting.
    expect(await feed.wait(start, ['executions'], 5_000)).toBe(start + 2);
    // No `after`: the number to wait from.
    expect(await feed.wait(undefined, [], 5_000)).toBe(start + 2);
  });

  it('gives up on an aborted wait, and forgets topics on clear', async () => {
    const feed = new ChangeFeed();
    const stop = new AbortController();
    const w = feed.wait(feed.current, ['observations'], 5_000, stop.signal);
    stop.abort();
    expect(await w).toBe(0);
    feed.changed('execution:x');
    const seq = feed.current;
    feed.clear();
    // clear itself is a change of executions and observations (everything may look different)…
    expect(await feed.wait(seq, ['observations'], 5_000)).toBeGreaterThan(seq);
    // …and execution:x has no change after it any more.
    const started = REAL_CLOCK.now();
    await feed.wait(seq, ['execution:x'], 50);
    expect(REAL_CLOCK.now() - started).toBeGreaterThanOrEqual(40);
  });
});

describe('GET /_rehearse/changes', () => {
  let em: Emulator;
  let control: ControlApi;
  let arn: string;
  const sfn = () => sfnClient(em.endpoint);
  beforeAll(async () => {
    // Time moves only when told: the execution waits in its Wait state until the test advances the clock.
    em = await startEmulator({ services: ['states'], clock: new VirtualClock({ start: Date.UTC(2030, 0, 1), autoAdvance: 'off' }), log: false });
    control = createControlApi(`${em.endpoint}/_rehearse`);
    const definition = { StartAt: 'Hold', States: { Hold: { Type: 'Wait', Seconds: 60, Next: 'Done' }, Done: { Type: 'Succeed' } } };
    const created = await sfn().send(
      new CreateStateMachineCommand({ name: 'waits', definition: JSON.stringify(definition), roleArn: 'arn:aws:iam::000000000000:role/r' }),
    );
    arn = created.stateMachineArn!;
  });
  afterAll(() => em?.dispose());

  it('returns once an execution starts, then once its history grows, and not for another execution', async () => {
    const seq0 = await control.changes(undefined, [], 0);
    const started = control.changes(seq0, ['executions'], 5_000);
    const { executionArn } = await sfn().send(new StartExecutionCommand({ stateMachineArn: arn, input: '{}' }));
    const seq1 = await started;
    expect(seq1).toBeGreaterThan(seq0);

    const unrelated = REAL_CLOCK.now();
    await control.changes(seq1, ['execution:arn:aws:states:us-east-1:000000000000:execution:waits:other'], 300);
    expect(REAL_CLOCK.now() - unrelated).toBeGreaterThanOrEqual(250);

    const seq2 = await control.changes(undefined, [], 0);
    const grew = control.changes(seq2, [`execution:${executionArn}`], 5_000);
    await control.advanceClock(60_000);
    expect(await grew).toBeGreaterThan(seq2);
    expect((await sfn().send(new DescribeExecutionCommand({ executionArn }))).status).toBe('SUCCEEDED');
  });

  it('names a bad parameter, and keeps serving', async () => {
    const get = async (query: string) => {
      const res = await fetch(`${em.endpoint}/_rehearse/changes${query}`);
      return { status: res.status, body: (await res.json()) as { error?: { code: string; message: string }; seq?: number } };
    };
    const negative = await get('?after=-1&topics=executions');
    expect(negative.status).toBe(400);
    expect(negative.body.error).toMatchObject({ code: 'InvalidChangesRequest' });
    expect(negative.body.error?.message).toContain('`after`');
    const noTopics = await get('?after=3');
    expect(noTopics.status).toBe(400);
    expect(noTopics.body.error?.message).toContain('`topics`');
    expect((await get('?waitMs=abc&after=0&topics=executions')).body.error?.message).toContain('`waitMs`');
    const post = await fetch(`${em.endpoint}/_rehearse/changes`, { method: 'POST' });
    expect(post.status).toBe(400);
    expect(typeof (await get('')).body.seq).toBe('number');
  });
});
