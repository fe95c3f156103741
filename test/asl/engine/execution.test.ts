/** Executions: determinism, timeouts, stop, history limit, observer hooks, bad input. */
import { describe, expect, it } from 'vitest';
import type { HistoryEvent } from '../../../harness/asl/index.ts';
import { FakeInvoker, namedError, single, testEngine } from './helpers.ts';

const FN = 'arn:aws:lambda:us-east-1:123456789012:function:f';

describe('determinism', () => {
  it('same seed and input → identical history (ids, timestamps, tokens, uuids, jitter)', async () => {
    const def = {
      StartAt: 'U',
      States: {
        U: { Type: 'Pass', Parameters: { 'id.$': 'States.UUID()' }, Next: 'T' },
        T: { Type: 'Task', Resource: FN, Retry: [{ ErrorEquals: ['States.ALL'], JitterStrategy: 'FULL', IntervalSeconds: 30, MaxAttempts: 2 }], Next: 'W' },
        W: { Type: 'Wait', Seconds: 10, End: true },
      },
    };
    const make = () => {
      let n = 0;
      return new FakeInvoker({ f: (e) => { if (++n < 3) throw namedError('X'); return e; } });
    };
    const histories: HistoryEvent[][] = [];
    for (const seed of ['same', 'same', 'other']) {
      const r = await testEngine({ invoker: make(), seed }).run(def, { a: 1 });
      expect(r.snapshot.status).toBe('SUCCEEDED');
      histories.push([...r.history]);
    }
    expect(JSON.stringify(histories[0])).toBe(JSON.stringify(histories[1]));
    expect(JSON.stringify(histories[0])).not.toBe(JSON.stringify(histories[2]));
  });
});

describe('execution lifecycle', () => {
  it('execution TimeoutSeconds ends in TIMED_OUT with ExecutionTimedOut', async () => {
    const r = await testEngine().run({ TimeoutSeconds: 60, ...single({ Type: 'Wait', Seconds: 3600 }) });
    expect(r.snapshot.status).toBe('TIMED_OUT');
    expect(r.types).toEqual(['ExecutionStarted', 'WaitStateEntered', 'ExecutionTimedOut']);
    expect(r.history[2]!.timestamp - r.history[0]!.timestamp).toBe(60_000);
  });

  it('stop() records ExecutionAborted and stops the running state', async () => {
    const t = testEngine();
    const h = t.start(single({ Type: 'Wait', Seconds: 3600 }));
    await new Promise((r) => setImmediate(r));
    t.engine.stop(h.executionArn, 'Manual', 'operator');
    const s = await h.done;
    expect(s).toMatchObject({ status: 'ABORTED', error: 'Manual', cause: 'operator' });
    await t.clock.advance(4_000_000);
    expect(h.history().map((e) => e.type)).toEqual(['ExecutionStarted', 'WaitStateEntered', 'ExecutionAborted']);
  });

  it('fails with States.Runtime at the history event limit', async () => {
    const loop = { StartAt: 'A', States: { A: { Type: 'Pass', Next: 'C' }, C: { Type: 'Choice', Choices: [{ Variable: '$.done', IsPresent: true, Next: 'End' }], Default: 'A' }, End: { Type: 'Succeed' } } };
    const r = await testEngine({ maxHistoryEvents: 100 }).run(loop);
    expect(r.snapshot.status).toBe('FAILED');
    expect(r.snapshot.error).toBe('States.Runtime');
    expect(r.history).toHaveLength(100);
    expect(r.types.at(-1)).toBe('ExecutionFailed');
  });

  it('calls observer hooks for every event and at the end', async () => {
    const seen: string[] = [];
    let finished = '';
    const t = testEngine({ observer: { eventRecorded: (_arn, e) => seen.push(e.type), executionFinished: (s) => (finished = s.status) } });
    const r = await t.run(single({ Type: 'Pass' }));
    expect(seen).toEqual(r.types);
    expect(finished).toBe('SUCCEEDED');
  });

  it('rejects bad input, duplicate names and invalid definitions with AWS error codes', async () => {
    const t = testEngine();
    const def = JSON.stringify(single({ Type: 'Pass' }));
    const req = { executionArn: 'arn:aws:states:us-east-1:123456789012:execution:test:x', stateMachineArn: 'arn:sm', stateMachineName: 'test', name: 'x', definition: def, input: '{', type: 'STANDARD' as const, roleArn: 'r' };
    expect(() => t.engine.start(req)).toThrow(expect.objectContaining({ code: 'InvalidExecutionInput' }));
    t.engine.start({ ...req, input: '{}' });
    expect(() => t.engine.start({ ...req, input: '{}' })).toThrow(expect.objectContaining({ code: 'ExecutionAlreadyExists' }));
    expect(() => t.engine.start({ ...req, executionArn: 'arn:y', definition: '{"StartAt":"Nope","States":{}}', input: '{}' })).toThrow(expect.objectContaining({ code: 'InvalidDefinition' }));
  });

  it('$$ context object carries Execution, StateMachine and State fields', async () => {
    const r = await testEngine().run(single({ Type: 'Pass', Parameters: { 'ctx.$': '$$' } }), { k: 1 });
    expect(r.output).toEqual({
      ctx: {
        Execution: { Id: 'arn:aws:states:us-east-1:123456789012:execution:test:exec-1', Input: { k: 1 }, Name: 'exec-1', RoleArn: 'arn:aws:iam::123456789012:role/test', StartTime: '2026-01-01T00:00:00.000Z', RedriveCount: 0 },
        StateMachine: { Id: 'arn:aws:states:us-east-1:123456789012:stateMachine:test', Name: 'test' },
        State: { Name: 'S', EnteredTime: '2026-01-01T00:00:00.000Z' },
      },
    });
  });
});
