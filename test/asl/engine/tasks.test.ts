/** Task resources: Lambda (direct and lambda:invoke), service integrations, callbacks, timeouts. */
import { describe, expect, it } from 'vitest';
import { AwsServiceError } from '../../../harness/core/index.ts';
import { details, FakeInvoker, single, testEngine } from './helpers.ts';

const FN = 'arn:aws:lambda:us-east-1:123456789012:function:f';

describe('Lambda by function ARN', () => {
  it('records LambdaFunctionScheduled/Started/Succeeded with the payload', async () => {
    const t = testEngine({ invoker: new FakeInvoker({ f: (e) => ({ echo: e }) }) });
    const r = await t.run(single({ Type: 'Task', Resource: FN, TimeoutSeconds: 30 }), { a: 1 });
    expect(r.output).toEqual({ echo: { a: 1 } });
    expect(r.types).toEqual(['ExecutionStarted', 'TaskStateEntered', 'LambdaFunctionScheduled', 'LambdaFunctionStarted', 'LambdaFunctionSucceeded', 'TaskStateExited', 'ExecutionSucceeded']);
    expect(details(r.history[2]!)).toEqual({ input: '{"a":1}', inputDetails: { truncated: false }, resource: FN, timeoutInSeconds: 30 });
    expect(details(r.history[4]!)).toEqual({ output: '{"echo":{"a":1}}', outputDetails: { truncated: false } });
  });

  it('a function error fails the task with errorType as the error and the payload as the cause', async () => {
    const t = testEngine({ invoker: new FakeInvoker({ f: () => { const e = new Error('bad'); e.name = 'ValidationError'; throw e; } }) });
    const r = await t.run(single({ Type: 'Task', Resource: FN }));
    expect(r.snapshot).toMatchObject({ status: 'FAILED', error: 'ValidationError', cause: '{"errorType":"ValidationError","errorMessage":"bad"}' });
    expect(r.types.at(-2)).toBe('LambdaFunctionFailed');
  });

  it('TimeoutSeconds aborts the invocation and records LambdaFunctionTimedOut', async () => {
    let aborted = false;
    const invoker = new FakeInvoker({ f: (_e, ctx) => new Promise((_r, reject) => ctx.signal.addEventListener('abort', () => { aborted = true; reject(new Error('x')); })) });
    const t = testEngine({ invoker });
    const r = await t.run(single({ Type: 'Task', Resource: FN, TimeoutSeconds: 3 }));
    expect(r.snapshot).toMatchObject({ status: 'FAILED', error: 'States.Timeout' });
    expect(r.snapshot.cause).toBeUndefined();
    expect(aborted).toBe(true);
    const timedOut = r.history.find((e) => e.type === 'LambdaFunctionTimedOut')!;
    expect(timedOut.timestamp - r.history[1]!.timestamp).toBe(3000);
  });
});

describe('arn:aws:states:::lambda:invoke', () => {
  it('wraps the payload in the Invoke response shape and records Task* events', async () => {
    const t = testEngine({ invoker: new FakeInvoker({ f: () => 'hi' }) });
    const r = await t.run(single({ Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'f', 'Payload.$': '$' } }), { x: 1 });
    const out = r.output as Record<string, unknown>;
    expect(Object.keys(out).sort()).toEqual(['ExecutedVersion', 'Payload', 'SdkHttpMetadata', 'SdkResponseMetadata', 'StatusCode']);
    expect(out).toMatchObject({ ExecutedVersion: '$LATEST', Payload: 'hi', StatusCode: 200, SdkResponseMetadata: { RequestId: 'req-1' } });
    expect(r.types).toEqual(['ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSucceeded', 'TaskStateExited', 'ExecutionSucceeded']);
    expect(details(r.history[2]!)).toEqual({ resource: 'invoke', resourceType: 'lambda', region: 'us-east-1', parameters: '{"FunctionName":"f","Payload":{"x":1}}' });
  });

  it('maps a missing function to Lambda.ResourceNotFoundException with the Java-SDK style cause', async () => {
    const r = await testEngine().run(single({ Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'nope' } }));
    expect(r.snapshot.error).toBe('Lambda.ResourceNotFoundException');
    expect(r.snapshot.cause).toMatch(/^Function not found: nope \(Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException; Request ID: [0-9a-f-]{36}; Proxy: null\)$/);
  });
});

describe('service integrations', () => {
  it('aws-sdk errors are ServiceName.ErrorName with the Exception suffix', async () => {
    const invoker = new FakeInvoker({}, {
      's3:getObject': () => { throw new AwsServiceError('NoSuchKey', 'The specified key does not exist.', 404); },
      'secretsmanager:getSecretValue': () => { throw new AwsServiceError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.", 400); },
    });
    const t = testEngine({ invoker });
    const s3 = await t.run(single({ Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:s3:getObject', Parameters: { Bucket: 'b', Key: 'k' } }));
    expect(s3.snapshot.error).toBe('S3.NoSuchKeyException');
    const sm = await t.run(single({ Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:secretsmanager:getSecretValue', Parameters: { SecretId: 's' } }));
    expect(sm.snapshot.error).toBe('SecretsManager.ResourceNotFoundException');
    expect(details(sm.history.find((e) => e.type === 'TaskFailed')!)).toMatchObject({ resourceType: 'aws-sdk:secretsmanager', resource: 'getSecretValue', error: 'SecretsManager.ResourceNotFoundException' });
  });

  it('passes the call to the invoker and returns its result (sns:publish)', async () => {
    const invoker = new FakeInvoker({}, { 'sns:publish': (call) => ({ MessageId: 'm-1', got: call.parameters, kind: call.kind, pattern: call.pattern }) });
    const r = await testEngine({ invoker }).run(single({ Type: 'Task', Resource: 'arn:aws:states:::sns:publish', Parameters: { TopicArn: 't', 'Message.$': '$.m' } }), { m: 'hello' });
    expect(r.output).toEqual({ MessageId: 'm-1', got: { TopicArn: 't', Message: 'hello' }, kind: 'optimized', pattern: 'requestResponse' });
  });

  it('startExecution.sync:2 returns the child output as JSON', async () => {
    const invoker = new FakeInvoker({}, { 'states:startExecution': () => ({ ExecutionArn: 'arn:child', Status: 'SUCCEEDED', Output: '{"v":1}' }) });
    const r = await testEngine({ invoker }).run(single({ Type: 'Task', Resource: 'arn:aws:states:::states:startExecution.sync:2', Parameters: { StateMachineArn: 'arn:sm' } }));
    expect(r.output).toMatchObject({ Status: 'SUCCEEDED', Output: { v: 1 } });
    expect(details(r.history[2]!)).toMatchObject({ resourceType: 'states', resource: 'startExecution.sync:2' });
  });

  it('rejects unsupported resources at definition time with the state and field', () => {
    const t = testEngine();
    expect(() => t.start(single({ Type: 'Task', Resource: 'arn:aws:states:us-east-1:123456789012:activity:a' }))).toThrow(/activit/i);
  });
});

describe('.waitForTaskToken', () => {
  const def = single({
    Type: 'Task',
    Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken',
    Parameters: { QueueUrl: 'q', MessageBody: { 'token.$': '$$.Task.Token' } },
    HeartbeatSeconds: 60,
  });

  function tokenEngine() {
    let token = '';
    const invoker = new FakeInvoker({}, { 'sqs:sendMessage': (call, ctx) => { token = (call.parameters.MessageBody as { token: string }).token; expect(ctx.taskToken).toBe(token); return { MessageId: 'm' }; } });
    const t = testEngine({ invoker });
    return { t, token: () => token };
  }

  async function untilSubmitted(h: { history(): readonly { type: string }[] }): Promise<void> {
    for (let i = 0; i < 100 && !h.history().some((e) => e.type === 'TaskSubmitted'); i++) await new Promise((r) => setImmediate(r));
  }

  it('completes only through sendTaskSuccess, holding the virtual clock meanwhile', async () => {
    const { t, token } = tokenEngine();
    const h = t.start(def);
    await untilSubmitted(h);
    expect(t.clock.describeHolds().map((x) => x.kind)).toContain('callback');
    expect(h.snapshot().status).toBe('RUNNING');
    t.engine.sendTaskSuccess(token(), '{"answer":42}');
    const s = await h.done;
    expect(s.status).toBe('SUCCEEDED');
    expect(JSON.parse(s.output!)).toEqual({ answer: 42 });
    expect(h.history().map((e) => e.type)).toEqual(['ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSubmitted', 'TaskSucceeded', 'TaskStateExited', 'ExecutionSucceeded']);
    expect(t.clock.describeHolds()).toEqual([]);
    expect(() => t.engine.sendTaskSuccess(token(), '{}')).toThrow(expect.objectContaining({ code: 'TaskTimedOut' }));
  });

  it('sendTaskFailure fails the task with the given error and cause', async () => {
    const { t, token } = tokenEngine();
    const h = t.start(def);
    await untilSubmitted(h);
    t.engine.sendTaskFailure(token(), 'Rejected', 'no');
    expect(await h.done).toMatchObject({ status: 'FAILED', error: 'Rejected', cause: 'no' });
  });

  it('a missed heartbeat fails with States.HeartbeatTimeout; heartbeats keep it alive', async () => {
    const { t, token } = tokenEngine();
    const h = t.start(def);
    await untilSubmitted(h);
    await t.clock.advance(50_000);
    t.engine.sendTaskHeartbeat(token());
    await t.clock.advance(50_000);
    expect(h.snapshot().status).toBe('RUNNING');
    await t.clock.advance(20_000);
    expect(await h.done).toMatchObject({ status: 'FAILED', error: 'States.HeartbeatTimeout' });
    expect(h.history().map((e) => e.type)).toContain('TaskTimedOut');
  });

  it('rejects malformed and unknown tokens and bad output with Step Functions codes', async () => {
    const { t, token } = tokenEngine();
    expect(() => t.engine.sendTaskSuccess('not a token!', '{}')).toThrow(expect.objectContaining({ code: 'InvalidToken' }));
    expect(() => t.engine.sendTaskHeartbeat('A'.repeat(128))).toThrow(expect.objectContaining({ code: 'TaskDoesNotExist' }));
    const h = t.start(def);
    await untilSubmitted(h);
    expect(() => t.engine.sendTaskSuccess(token(), '{not json')).toThrow(expect.objectContaining({ code: 'InvalidOutput' }));
    t.engine.stop(h.executionArn);
    expect((await h.done).status).toBe('ABORTED');
    expect(() => t.engine.sendTaskSuccess(token(), '{}')).toThrow(expect.objectContaining({ code: 'TaskTimedOut' }));
  });
});

describe('payload limit', () => {
  it('a Lambda result over 256 KiB fails with States.DataLimitExceeded', async () => {
    const r = await testEngine({ invoker: new FakeInvoker({ f: () => 'a'.repeat(262_145) }) }).run(single({ Type: 'Task', Resource: FN }));
    expect(r.snapshot.error).toBe('States.DataLimitExceeded');
    expect(r.snapshot.cause).toBe(`The state/task '${FN}' returned a result with a size exceeding the maximum number of bytes service limit.`);
  });
});

describe('.sync integrations', () => {
  it('records TaskSubmitted when the invoker reports the job started', async () => {
    const invoker = new FakeInvoker({}, {
      'states:startExecution': (_call, ctx) => {
        ctx.onSubmitted?.({ ExecutionArn: 'arn:child', StartDate: 1 });
        return { ExecutionArn: 'arn:child', Status: 'SUCCEEDED', Output: '"done"' };
      },
    });
    const r = await testEngine({ invoker }).run(single({ Type: 'Task', Resource: 'arn:aws:states:::states:startExecution.sync', Parameters: { StateMachineArn: 'arn:sm' } }));
    expect(r.types).toEqual(['ExecutionStarted', 'TaskStateEntered', 'TaskScheduled', 'TaskStarted', 'TaskSubmitted', 'TaskSucceeded', 'TaskStateExited', 'ExecutionSucceeded']);
    expect(details(r.history[4]!)).toMatchObject({ resource: 'startExecution.sync', resourceType: 'states', output: '{"ExecutionArn":"arn:child","StartDate":1}' });
    expect(r.output).toMatchObject({ Output: '"done"' });
  });
});

describe('.waitForTaskToken answered early', () => {
  it('accepts SendTaskSuccess from inside the invocation, before TaskSubmitted, and keeps AWS event order', async () => {
    let answer: (() => void) | undefined;
    const invoker = new FakeInvoker({
      f: (event: unknown) => {
        const token = (event as { token: string }).token;
        // The "function" answers its own callback before its invocation returns.
        answer = () => engine.sendTaskSuccess(token, '{"approved":true}');
        answer();
        return {};
      },
    });
    const t = testEngine({ invoker });
    const engine = t.engine;
    const r = await t.run(
      single({
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
        Parameters: { FunctionName: FN, Payload: { 'token.$': '$$.Task.Token' } },
      }),
    );
    expect(r.snapshot.status).toBe('SUCCEEDED');
    expect(JSON.parse(r.snapshot.output!)).toEqual({ approved: true });
    const types = r.history.map((e) => e.type);
    expect(types.indexOf('TaskSubmitted')).toBeLessThan(types.indexOf('TaskSucceeded'));
    expect(() => answer!()).toThrow(expect.objectContaining({ code: 'TaskTimedOut' }));
  });
});
