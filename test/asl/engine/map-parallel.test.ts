/** Map (inline and distributed) and Parallel: outputs, events, concurrency, failures, variable scoping. */
import { describe, expect, it } from 'vitest';
import type { S3Access } from '../../../harness/asl/index.ts';
import { FakeInvoker, namedError, single, testEngine } from './helpers.ts';

const FN = 'arn:aws:lambda:us-east-1:123456789012:function:f';
const inner = (states: Record<string, unknown>, startAt = Object.keys(states)[0]!) => ({ ProcessorConfig: { Mode: 'INLINE' }, StartAt: startAt, States: states });

describe('inline Map', () => {
  it('maps items through ItemSelector with $$.Map.Item and records iteration events', async () => {
    const r = await testEngine().run(
      single({
        Type: 'Map',
        ItemsPath: '$.xs',
        MaxConcurrency: 1,
        ItemSelector: { 'value.$': '$$.Map.Item.Value', 'index.$': '$$.Map.Item.Index', 'tag.$': '$.tag' },
        ItemProcessor: inner({ P: { Type: 'Pass', End: true } }),
      }),
      { xs: ['a', 'b'], tag: 't' },
    );
    expect(r.output).toEqual([{ value: 'a', index: 0, tag: 't' }, { value: 'b', index: 1, tag: 't' }]);
    expect(r.types).toEqual([
      'ExecutionStarted', 'MapStateEntered', 'MapStateStarted',
      'MapIterationStarted', 'PassStateEntered', 'PassStateExited', 'MapIterationSucceeded',
      'MapIterationStarted', 'PassStateEntered', 'PassStateExited', 'MapIterationSucceeded',
      'MapStateSucceeded', 'MapStateExited', 'ExecutionSucceeded',
    ]);
    expect(r.history[2]).toMatchObject({ mapStateStartedEventDetails: { length: 2 } });
    expect(r.history[3]).toMatchObject({ mapIterationStartedEventDetails: { index: 0, name: 'S' } });
  });

  it('never runs more iterations at once than MaxConcurrency (observer peak)', async () => {
    let running = 0;
    let peak = 0;
    const observer = {
      mapIterationStarted: () => {
        running++;
        peak = Math.max(peak, running);
        return () => running--;
      },
    };
    const invoker = new FakeInvoker({ f: async (e) => e });
    const r = await testEngine({ invoker, observer }).run(
      single({ Type: 'Map', MaxConcurrency: 3, ItemProcessor: inner({ T: { Type: 'Task', Resource: FN, End: true } }) }),
      Array.from({ length: 10 }, (_, i) => i),
    );
    expect(r.output).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(peak).toBe(3);
  });

  it('a failing iteration fails the Map (MapIterationFailed, MapStateFailed) and Catch handles it', async () => {
    const r = await testEngine().run(
      single(
        { Type: 'Map', MaxConcurrency: 1, ItemProcessor: inner({ F: { Type: 'Fail', Error: 'ItemBad', Cause: 'c' } }), Catch: [{ ErrorEquals: ['ItemBad'], Next: 'H' }] },
        { H: { Type: 'Pass', End: true } },
      ),
      [1, 2],
    );
    expect(r.output).toEqual({ Error: 'ItemBad', Cause: 'c' });
    expect(r.types).toEqual(['ExecutionStarted', 'MapStateEntered', 'MapStateStarted', 'MapIterationStarted', 'FailStateEntered', 'MapIterationFailed', 'MapStateFailed', 'MapStateExited', 'PassStateEntered', 'PassStateExited', 'ExecutionSucceeded']);
  });

  it('iterations read outer variables', async () => {
    const r = await testEngine().run(
      {
        StartAt: 'Init',
        States: {
          Init: { Type: 'Pass', Assign: { base: 10 }, Next: 'M' },
          M: { Type: 'Map', ItemProcessor: inner({ P: { Type: 'Pass', Parameters: { 'sum.$': 'States.MathAdd($, $base)' }, Assign: { inner: 1 }, End: true } }), Next: 'After' },
          After: { Type: 'Pass', Parameters: { 'out.$': '$', 'hasInner.$': 'States.ArrayLength(States.Array($base))' }, End: true },
        },
      },
      [1, 2],
    );
    expect(r.output).toEqual({ out: [{ sum: 11 }, { sum: 12 }], hasInner: 1 });
  });
});

describe('Parallel', () => {
  it('runs branches on the same input and outputs their results in branch order', async () => {
    const r = await testEngine().run(
      single({
        Type: 'Parallel',
        Branches: [
          { StartAt: 'A', States: { A: { Type: 'Pass', Result: 'a', End: true } } },
          { StartAt: 'B', States: { B: { Type: 'Wait', Seconds: 5, Next: 'B2' }, B2: { Type: 'Pass', Result: 'b', End: true } } },
        ],
        ResultPath: '$.results',
      }),
      { in: 1 },
    );
    expect(r.output).toEqual({ in: 1, results: ['a', 'b'] });
    expect(r.types[0]).toBe('ExecutionStarted');
    expect(r.types.slice(1, 3)).toEqual(['ParallelStateEntered', 'ParallelStateStarted']);
    expect(r.types.slice(-3)).toEqual(['ParallelStateSucceeded', 'ParallelStateExited', 'ExecutionSucceeded']);
  });

  it('the first failing branch stops the others and fails the state', async () => {
    const invoker = new FakeInvoker({ f: () => { throw namedError('Broken'); } });
    const r = await testEngine({ invoker }).run(
      single({
        Type: 'Parallel',
        Branches: [
          { StartAt: 'Slow', States: { Slow: { Type: 'Wait', Seconds: 3600, Next: 'Never' }, Never: { Type: 'Pass', End: true } } },
          { StartAt: 'T', States: { T: { Type: 'Task', Resource: FN, End: true } } },
        ],
      }),
    );
    expect(r.snapshot).toMatchObject({ status: 'FAILED', error: 'Broken' });
    expect(r.types).not.toContain('WaitStateExited');
    expect(r.types.slice(-2)).toEqual(['ParallelStateFailed', 'ExecutionFailed']);
  });

  it('a retried Parallel records ParallelStateFailed only once, after the last attempt', async () => {
    const r = await testEngine().run(
      single({ Type: 'Parallel', Branches: [{ StartAt: 'F', States: { F: { Type: 'Fail', Error: 'E' } } }], Retry: [{ ErrorEquals: ['E'], MaxAttempts: 2, IntervalSeconds: 1 }] }),
    );
    expect(r.types.filter((x) => x === 'ParallelStateStarted')).toHaveLength(3);
    expect(r.types.filter((x) => x === 'ParallelStateFailed')).toHaveLength(1);
  });
});

class MemoryS3 implements S3Access {
  readonly objects = new Map<string, string>();
  async getObject(bucket: string, key: string): Promise<Buffer> {
    const v = this.objects.get(`${bucket}/${key}`);
    if (v === undefined) throw new Error(`NoSuchKey ${bucket}/${key}`);
    return Buffer.from(v);
  }
  async listObjects(bucket: string, prefix: string) {
    return [...this.objects.keys()]
      .filter((k) => k.startsWith(`${bucket}/${prefix}`))
      .map((k) => ({ Key: k.slice(bucket.length + 1), Size: this.objects.get(k)!.length, ETag: '"e"', LastModified: '2026-01-01T00:00:00Z', StorageClass: 'STANDARD' }));
  }
  async putObject(bucket: string, key: string, body: string): Promise<void> {
    this.objects.set(`${bucket}/${key}`, body);
  }
}

describe('distributed Map', () => {
  const distributed = (extra: Record<string, unknown>, states: Record<string, unknown> = { P: { Type: 'Pass', End: true } }) =>
    single({ Type: 'Map', ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, StartAt: Object.keys(states)[0], States: states }, ...extra });

  it('reads a CSV through ItemReader, batches with ItemBatcher, records MapRun events only', async () => {
    const s3 = new MemoryS3();
    s3.objects.set('in/rows.csv', 'name,size\na,1\nb,2\nc,3\n');
    const r = await testEngine({ s3 }).run(
      distributed({
        ItemReader: { Resource: 'arn:aws:states:::s3:getObject', ReaderConfig: { InputType: 'CSV', CSVHeaderLocation: 'FIRST_ROW' }, Parameters: { Bucket: 'in', Key: 'rows.csv' } },
        ItemBatcher: { MaxItemsPerBatch: 2, BatchInput: { job: 'j' } },
      }),
    );
    expect(r.output).toEqual([
      { job: 'j', Items: [{ name: 'a', size: '1' }, { name: 'b', size: '2' }] },
      { job: 'j', Items: [{ name: 'c', size: '3' }] },
    ]);
    expect(r.types).toEqual(['ExecutionStarted', 'MapStateEntered', 'MapStateStarted', 'MapRunStarted', 'MapRunSucceeded', 'MapStateSucceeded', 'MapStateExited', 'ExecutionSucceeded']);
    expect(r.history[3]).toMatchObject({ mapRunStartedEventDetails: { mapRunArn: expect.stringMatching(/^arn:aws:states:us-east-1:123456789012:mapRun:test\/S:[0-9a-f-]{36}$/) } });
  });

  it('tolerates failures up to ToleratedFailureCount, then fails with States.ExceedToleratedFailureThreshold', async () => {
    const states = { C: { Type: 'Choice', Choices: [{ Variable: '$', NumericGreaterThan: 2, Next: 'Bad' }], Default: 'Ok' }, Bad: { Type: 'Fail', Error: 'Big' }, Ok: { Type: 'Pass', End: true } };
    const t = testEngine();
    const ok = await t.run(distributed({ ToleratedFailureCount: 2 }, states), [1, 2, 3, 4]);
    expect(ok.snapshot.status).toBe('SUCCEEDED');
    expect(ok.output).toEqual([1, 2, { Error: 'Big', Cause: '' }, { Error: 'Big', Cause: '' }]);
    const bad = await t.run(distributed({ ToleratedFailureCount: 1 }, states), [1, 2, 3, 4]);
    expect(bad.snapshot).toMatchObject({ status: 'FAILED', error: 'States.ExceedToleratedFailureThreshold' });
    expect(bad.types.slice(-3)).toEqual(['MapRunFailed', 'MapStateFailed', 'ExecutionFailed']);
  });

  it('a child run that loops forever fails at the history event limit instead of hanging', async () => {
    const loop = { A: { Type: 'Pass', Next: 'C' }, C: { Type: 'Choice', Choices: [{ Variable: '$.done', IsPresent: true, Next: 'E' }], Default: 'A' }, E: { Type: 'Succeed' } };
    const r = await testEngine({ maxHistoryEvents: 200 }).run(distributed({ ToleratedFailureCount: 1 }, loop), [{ x: 1 }, { done: true }]);
    expect(r.snapshot.status).toBe('SUCCEEDED');
    expect(r.output).toEqual([{ Error: 'States.Runtime', Cause: 'The execution reached the maximum number of history events (200).' }, { done: true }]);
  });

  it('ResultWriter puts the results and a manifest in S3 and outputs their location', async () => {
    const s3 = new MemoryS3();
    const r = await testEngine({ s3 }).run(distributed({ ResultWriter: { Resource: 'arn:aws:states:::s3:putObject', Parameters: { Bucket: 'out', Prefix: 'runs' } } }), [{ a: 1 }]);
    const out = r.output as { MapRunArn: string; ResultWriterDetails: { Bucket: string; Key: string } };
    expect(out.ResultWriterDetails.Bucket).toBe('out');
    const manifest = JSON.parse(s3.objects.get(`out/${out.ResultWriterDetails.Key}`)!) as { ResultFiles: { SUCCEEDED: Array<{ Key: string }> } };
    const results = JSON.parse(s3.objects.get(`out/${manifest.ResultFiles.SUCCEEDED[0]!.Key}`)!) as Array<{ Output: string; Status: string }>;
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ Output: '{"a":1}', Status: 'SUCCEEDED' });
  });
});
