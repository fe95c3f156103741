import { describe, expect, it } from 'vitest';
import type { HistoryEvent } from '../../harness/asl/api.ts';
import { attemptsOf, indexHistory, pathTaken, taskTokenOf } from '../../harness/scenario/history.ts';
import { checkCount, evaluateThen, sameFunction, type Evidence } from '../../harness/scenario/matchers.ts';
import type { ExecutionRecord } from '../../harness/scenario/results.ts';
import { Then } from '../../harness/scenario/schema.ts';
import { matchValue, select } from '../../harness/scenario/value-match.ts';

const T0 = 1_700_000_000_000;

/** A history as AWS records a Lambda task throttled twice, then succeeding (3 s, 4.5 s back-off). */
function throttledHistory(): HistoryEvent[] {
  let id = 0;
  const ev = (type: string, prev: number, t: number, details: Record<string, unknown> = {}): HistoryEvent => ({
    id: ++id,
    previousEventId: prev,
    timestamp: T0 + t,
    type,
    ...details,
  });
  const token = 'A'.repeat(40);
  return [
    ev('ExecutionStarted', 0, 0, { executionStartedEventDetails: { input: '{}' } }),
    ev('TaskStateEntered', 1, 0, { stateEnteredEventDetails: { name: 'Validate', input: '{}' } }),
    ev('TaskScheduled', 2, 0, { taskScheduledEventDetails: { parameters: JSON.stringify({ Payload: { taskToken: token } }) } }),
    ev('TaskFailed', 3, 10, { taskFailedEventDetails: { error: 'Lambda.TooManyRequestsException', cause: 'throttled' } }),
    ev('TaskScheduled', 4, 3010),
    ev('TaskFailed', 5, 3020, { taskFailedEventDetails: { error: 'Lambda.TooManyRequestsException', cause: 'throttled' } }),
    ev('TaskScheduled', 6, 7520),
    ev('TaskSucceeded', 7, 7530, { taskSucceededEventDetails: { output: '{"ok":true}' } }),
    ev('TaskStateExited', 8, 7530, { stateExitedEventDetails: { name: 'Validate', output: '{"ok":true}' } }),
    ev('PassStateEntered', 9, 7530, { stateEnteredEventDetails: { name: 'Done', input: '{"ok":true}' } }),
    ev('PassStateExited', 10, 7530, { stateExitedEventDetails: { name: 'Done', output: '{"ok":true}' } }),
    ev('ExecutionSucceeded', 11, 7530, { executionSucceededEventDetails: { output: '{"ok":true,"size":800}' } }),
  ];
}

function record(history: HistoryEvent[], extra: Partial<ExecutionRecord> = {}): ExecutionRecord {
  return {
    name: 'exec-1',
    executionArn: 'arn:aws:states:us-east-1:123456789012:execution:m:exec-1',
    stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:m',
    workflow: 'm',
    status: 'SUCCEEDED',
    output: { ok: true, size: 800, items: [{ w: 1 }, { w: 2 }] },
    startDate: T0,
    stopDate: T0 + 7530,
    history,
    ...extra,
  };
}

function evidence(exec: ExecutionRecord, extra: Partial<Evidence> = {}): Evidence {
  return {
    executions: [exec],
    aliases: {},
    objects: new Map(),
    prefixes: new Map(),
    secretValues: [],
    leakSources: [],
    secretsGiven: false,
    delayToleranceSeconds: 0.05,
    observations: { invocations: [], functionConcurrency: {}, mapConcurrency: {}, secretReads: [], snsMessages: [], sqsMessages: [], sqsDeadLetters: [], events: [], eventDeliveries: [] },
    ...extra,
  };
}

describe('history reading', () => {
  it('attributes events to states and measures attempts and retry delays in (virtual) seconds', () => {
    const index = indexHistory(throttledHistory());
    expect(pathTaken(index)).toEqual(['Validate', 'Done']);
    const a = attemptsOf(index.entriesByName.get('Validate')![0]!);
    expect(a.count).toBe(3);
    expect(a.retryDelaysSeconds).toEqual([3, 4.5]);
    expect(a.errors).toEqual(['Lambda.TooManyRequestsException', 'Lambda.TooManyRequestsException']);
  });

  it('captures a task token from the schedule event parameters', () => {
    const index = indexHistory(throttledHistory());
    expect(taskTokenOf(index.entriesByName.get('Validate')![0]!)).toBe('A'.repeat(40));
  });
});

describe('value matching', () => {
  it('matches partially and reports the path of a difference', () => {
    expect(matchValue({ a: 1 }, { a: 1, b: 2 })).toEqual([]);
    const mm = matchValue({ a: { b: [1, 3] } }, { a: { b: [1, 2] } });
    expect(mm).toHaveLength(1);
    expect(mm[0]).toMatchObject({ path: '$.a.b[1]', expected: 3, actual: 2 });
  });
  it('supports $-matchers', () => {
    expect(matchValue({ n: { $gte: 3, $lt: 10 }, s: { $matches: '^ab' }, x: { $absent: true } }, { n: 5, s: 'abc' })).toEqual([]);
    expect(matchValue({ n: { $gte: 6 } }, { n: 5 })[0]!.message).toBe('expected gte 6, got 5');
    expect(matchValue({ l: { $length: 2 } }, { l: [1, 2, 3] })[0]!.message).toBe('expected length 2, got 3');
  });
  it('selects with JSONPath', () => {
    expect(select('$.items[1].w', { items: [{ w: 1 }, { w: 2 }] })).toEqual({ found: true, value: 2 });
    expect(select('$.items[*].w', { items: [{ w: 1 }, { w: 2 }] }).value).toEqual([1, 2]);
    expect(select('$.nope', { a: 1 }).found).toBe(false);
  });
  it('counts and names functions', () => {
    expect(checkCount({ atLeast: 2, atMost: 4 }, 5)).toEqual({ ok: false, expected: 'at least 2 and at most 4' });
    expect(sameFunction('arn:aws:lambda:us-east-1:123456789012:function:resize-image:$LATEST', 'resize-image')).toBe(true);
    expect(sameFunction('resize-images', 'resize-image')).toBe(false);
  });
});

describe('then checks', () => {
  const then = (v: unknown) => Then.parse(v);

  it('passes when the execution matches every expectation', () => {
    const checks = evaluateThen(
      then({
        execution: { status: 'SUCCEEDED', output: { ok: true }, outputPaths: { '$.size': { $gte: 800 } } },
        path: ['Validate', 'Done'],
        states: { Validate: { attempts: 3, retryDelaysSeconds: [3, 4.5], errors: ['Lambda.TooManyRequestsException', 'Lambda.TooManyRequestsException'] } },
        history: [{ type: 'TaskFailed', state: 'Validate', error: 'Lambda.TooManyRequestsException' }, { type: 'ExecutionSucceeded' }],
      }),
      evidence(record(throttledHistory())),
    );
    expect(checks.filter((c) => c.status !== 'passed')).toEqual([]);
    expect(checks.length).toBe(8);
  });

  it('names the failing expectation, expected, actual and where', () => {
    const checks = evaluateThen(then({ states: { Validate: { attempts: 2, retryDelaysSeconds: [3, 4] } } }), evidence(record(throttledHistory())));
    const attempts = checks.find((c) => c.id === 'then.states.Validate.attempts')!;
    expect(attempts).toMatchObject({ status: 'failed', expected: 2, actual: 3, where: { state: 'Validate', execution: 'exec-1' } });
    expect(attempts.message).toBe('expected Validate attempts exactly 2, got 3 (failures: Lambda.TooManyRequestsException, Lambda.TooManyRequestsException)');
    const delays = checks.find((c) => c.id === 'then.states.Validate.retryDelaysSeconds')!;
    expect(delays).toMatchObject({ status: 'failed', expected: [3, 4], actual: [3, 4.5] });
    expect(delays.where).toMatchObject({ state: 'Validate', atSeconds: 7.52 });
  });

  it('fails a status, path and history expectation with where it happened', () => {
    const failed = record(throttledHistory(), { status: 'FAILED', error: 'States.TaskFailed', cause: 'boom' });
    const checks = evaluateThen(
      then({ execution: { status: 'SUCCEEDED', cause: { contains: 'bang' } }, path: ['Validate', 'Resize'], history: [{ type: 'ExecutionFailed' }] }),
      evidence(failed),
    );
    const byId = Object.fromEntries(checks.map((c) => [c.id, c]));
    expect(byId['then.execution.status']!.message).toBe('expected status SUCCEEDED, got FAILED (States.TaskFailed: "boom")');
    expect(byId['then.execution.cause']!.status).toBe('failed');
    expect(byId['then.path']!.message).toBe("state 'Resize' was not entered after 'Validate'");
    expect(byId['then.history[0]']!.message).toBe('no ExecutionFailed event');
  });

  it('checks observations: Map peak, invocations, cold starts, SNS and secret reads', () => {
    const ev = evidence(record(throttledHistory()), {
      observations: {
        invocations: [
          { functionName: 'resize-image', requestId: 'r1', invocationNumber: 1, invocationType: 'RequestResponse', startTime: T0, coldStart: true },
          { functionName: 'resize-image', requestId: 'r2', invocationNumber: 2, invocationType: 'RequestResponse', startTime: T0, coldStart: false },
        ],
        functionConcurrency: { 'resize-image': 2 },
        mapConcurrency: { 'arn:x#ProcessImages': 5 },
        secretReads: [{ secretId: 'image-processor/config', arn: 'arn:aws:secretsmanager:us-east-1:1:secret:image-processor/config-AbCdEf', versionId: 'v1', versionStages: ['AWSCURRENT'], caller: 'resize-image', operation: 'GetSecretValue', time: T0 }],
        snsMessages: [{ topicArn: 'arn:aws:sns:us-east-1:1:image-failed', messageId: 'm', message: '{"error":"InvalidImage"}', attributes: {}, caller: 'notify-error', time: T0 }],
        sqsMessages: [],
        sqsDeadLetters: [],
        events: [],
        eventDeliveries: [],
      },
    });
    const checks = evaluateThen(
      then({
        concurrency: { maps: { ProcessImages: 5 }, functions: { 'resize-image': { atMost: 2 } } },
        invocations: { 'resize-image': 2 },
        coldStarts: { 'resize-image': 1 },
        sns: [{ topic: 'image-failed', message: { error: 'InvalidImage' } }],
        secretReads: [{ secret: 'image-processor/config', by: ['resize-image'], only: true }],
      }),
      ev,
    );
    expect(checks.filter((c) => c.status !== 'passed').map((c) => c.message)).toEqual([]);
    const bad = evaluateThen(then({ concurrency: { maps: { ProcessImages: 4 } }, secretReads: [{ secret: 'image-processor/config', by: ['apply-filters'] }] }), ev);
    expect(bad.map((c) => c.message)).toEqual(['expected ProcessImages peak concurrency exactly 4, got 5', 'secret image-processor/config: apply-filters did not read it']);
  });

  it('skips observation checks (never passes them) when the backend has none', () => {
    const ev = evidence(record(throttledHistory()), { observationsUnavailable: 'localstack does not report observations' });
    delete ev.observations;
    const checks = evaluateThen(then({ invocations: { f: 1 } }), ev);
    expect(checks).toEqual([{ id: 'then.invocations', status: 'skipped', message: 'localstack does not report observations' }]);
  });

  it('finds a leaked secret value and says where', () => {
    const ev = evidence(record(throttledHistory()), {
      secretsGiven: true,
      secretValues: ['sk_live_123456789'],
      leakSources: [{ where: 'logs of notify-error (r1)', text: 'calling with key sk_live_123456789' }],
    });
    const c = evaluateThen(then({}), ev);
    expect(c).toHaveLength(1);
    expect(c[0]).toMatchObject({ id: 'then.secretsNotLeaked', status: 'failed', message: 'secret value found in logs of notify-error (r1)' });
  });

  it('checks objects: present with image format and size, absent, count under a prefix', () => {
    const ev = evidence(record(throttledHistory()), {
      objects: new Map([
        ['images/resized/a.jpg', { bucket: 'images', key: 'resized/a.jpg', exists: true, bytes: 5000, image: { format: 'jpeg', width: 800, height: 600 } }],
        ['images/resized/b.jpg', { bucket: 'images', key: 'resized/b.jpg', exists: false }],
      ]),
      prefixes: new Map([['images/resized/', ['resized/a.jpg']]]),
    });
    const checks = evaluateThen(
      then({
        objects: [
          { bucket: 'images', key: 'resized/a.jpg', image: { format: 'jpeg', width: 800, height: 601, maxBytes: 4000 } },
          { bucket: 'images', key: 'resized/b.jpg', absent: true },
          { bucket: 'images', prefix: 'resized/', count: 1 },
        ],
      }),
      ev,
    );
    expect(checks.filter((c) => c.status === 'failed').map((c) => c.id)).toEqual(['then.objects[0].maxBytes', 'then.objects[0].image.height']);
  });
});
