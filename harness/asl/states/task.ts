/**
 * Task: Lambda by function ARN (LambdaFunction* events), `lambda:invoke`,
 * optimised and `aws-sdk:*` integrations (Task* events), `.waitForTaskToken`
 * callbacks, TimeoutSeconds(Path) / HeartbeatSeconds(Path).
 * https://docs.aws.amazon.com/step-functions/latest/dg/state-task.html
 */
import type { MockedTaskAnswer, ServiceCall, TaskContext } from '../api.ts';
import { selectPath } from '../expressions.ts';
import { AbortedError, EngineError, runtimeError } from '../frame.ts';
import { LazyJson, NOT_TRUNCATED } from '../history.ts';
import { mockedResult } from '../inspection.ts';
import { dataLimitError, MAX_PAYLOAD_BYTES, exceedsPayloadLimit } from '../payload.ts';
import { Deadline } from '../tasks/deadline.ts';
import { functionError, invokeResult, parsePayload } from '../tasks/lambda.ts';
import type { TaskResource } from '../tasks/resource.ts';
import { taskErrorFrom } from '../tasks/service-errors.ts';
import type { Step, StateRun } from './base.ts';

type Integration = Extract<TaskResource, { kind: 'integration' }>;

/** TimeoutSeconds / HeartbeatSeconds: literal, `…Path` (JSONPath) or an expression (JSONata). */
async function seconds(run: StateRun, field: 'TimeoutSeconds' | 'HeartbeatSeconds', effective: unknown): Promise<number | undefined> {
  const raw = run.raw;
  let v: unknown;
  if (raw[field] !== undefined) {
    v = run.jsonata ? await run.evalJsonata(raw[field], field) : raw[field];
  } else if (!run.jsonata && typeof raw[`${field}Path`] === 'string') {
    v = selectPath(raw[`${field}Path`] as string, run.pathScope(effective), run.where, `${field}Path`);
  } else {
    return undefined;
  }
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
    throw runtimeError(run.state.name, run.where.enteredEventId, `The ${field} value must be a positive integer, but was: ${JSON.stringify(v)}`);
  }
  return v;
}

export async function runTask(run: StateRun): Promise<Step> {
  const resource = run.state.resource!;
  return run.retrying(async () => {
    run.resetContext();
    const eff = run.effectiveInput();
    if (resource.kind === 'integration' && resource.pattern === 'waitForTaskToken') {
      run.taskToken = run.env.ids.token();
      run.resetContext();
    }
    const params = await run.parameters(eff);
    const timeout = await seconds(run, 'TimeoutSeconds', eff);
    const heartbeat = await seconds(run, 'HeartbeatSeconds', eff);
    const mock = run.env.test?.mock;
    const mocked = mock === undefined ? executionMock(run) : undefined;
    const result =
      mock !== undefined
        ? mockedResult(mock)
        : resource.kind === 'lambda-direct'
          ? await invokeDirect(run, resource.arn, params, timeout, mocked)
          : await invokeIntegration(run, resource, params, timeout, heartbeat, mocked);
    return run.finish(result, eff, { hasResult: true });
  });
}

/**
 * This invocation's MockConfigFile answer, if the state is mocked. An
 * invocation the mocked response does not cover fails the execution
 * (States.Runtime: no Retry or Catch handles it) before anything is scheduled.
 */
function executionMock(run: StateRun): Exclude<MockedTaskAnswer, { kind: 'missing' }> | undefined {
  const answer = run.env.mocks?.next(run.state.name);
  if (answer?.kind === 'missing') throw runtimeError(run.state.name, run.where.enteredEventId, answer.message);
  return answer;
}

/** A mocked answer as the integration's outcome: "A mocked Task will never call the service endpoint." */
function answerOf(answer: Exclude<MockedTaskAnswer, { kind: 'missing' }>): unknown {
  if (answer.kind === 'throw') throw new EngineError(answer.error, answer.cause);
  // A copy: the mock config's value is shared by every execution of the test case.
  return answer.value === undefined ? null : JSON.parse(JSON.stringify(answer.value));
}

function taskContext(run: StateRun, signal: AbortSignal): TaskContext {
  return { executionArn: run.env.executionArn, stateName: run.state.name, signal, taskToken: run.taskToken };
}

type Mocked = Exclude<MockedTaskAnswer, { kind: 'missing' }> | undefined;

async function invokeDirect(run: StateRun, arn: string, params: unknown, timeout: number | undefined, mocked: Mocked): Promise<unknown> {
  const { frame, env } = run;
  frame.emit('LambdaFunctionScheduled', { input: new LazyJson(params), inputDetails: NOT_TRUNCATED, resource: arn, timeoutInSeconds: timeout });
  frame.emit('LambdaFunctionStarted');
  const deadline = new Deadline(env.clock, frame.signal, timeout, undefined);
  try {
    let output: unknown;
    if (mocked !== undefined) {
      output = answerOf(mocked);
      if (exceedsPayloadLimit(output)) throw dataLimitError(arn);
    } else {
      const res = await deadline.race(env.invoker.invokeLambda({ functionName: arn, payload: JSON.stringify(params ?? null) }, taskContext(run, deadline.signal)));
      if (res.functionError) throw functionError(res, false);
      if (Buffer.byteLength(res.payload) > MAX_PAYLOAD_BYTES) throw dataLimitError(arn);
      output = parsePayload(res.payload);
    }
    frame.emit('LambdaFunctionSucceeded', { output: new LazyJson(output), outputDetails: NOT_TRUNCATED });
    return output;
  } catch (e) {
    if (deadline.timedOut) {
      frame.emit('LambdaFunctionTimedOut', { error: deadline.timedOut });
      throw new EngineError(deadline.timedOut, undefined);
    }
    if (e instanceof AbortedError || frame.signal.aborted) throw new AbortedError();
    const err = taskErrorFrom(e, 'lambda', false, env.ids);
    frame.emit('LambdaFunctionFailed', { cause: err.causeText === '' ? undefined : err.causeText, error: err.error === '' ? undefined : err.error });
    throw err;
  } finally {
    deadline.dispose();
  }
}

async function callLambdaInvoke(run: StateRun, params: unknown, ctx: TaskContext): Promise<unknown> {
  const p = (typeof params === 'object' && params !== null ? params : {}) as Record<string, unknown>;
  const res = await run.env.invoker.invokeLambda(
    {
      functionName: String(p.FunctionName),
      // A string Payload is JSON text sent as is; absent/null sends `{}` (as recorded).
      payload: p.Payload === undefined || p.Payload === null ? '{}' : typeof p.Payload === 'string' ? p.Payload : JSON.stringify(p.Payload),
      qualifier: typeof p.Qualifier === 'string' ? p.Qualifier : undefined,
      invocationType: p.InvocationType as 'RequestResponse' | 'Event' | 'DryRun' | undefined,
      clientContext: typeof p.ClientContext === 'string' ? p.ClientContext : undefined,
    },
    ctx,
  );
  if (res.functionError) throw functionError(res, true);
  if (Buffer.byteLength(res.payload) > MAX_PAYLOAD_BYTES) throw dataLimitError('lambda');
  return invokeResult(res, res.requestId || run.env.ids.uuid(), run.env.clock.now(), p.LogType === 'Tail');
}

async function callService(run: StateRun, r: Integration, params: unknown, ctx: TaskContext): Promise<unknown> {
  const call: ServiceCall = {
    service: r.service,
    action: r.action,
    parameters: (typeof params === 'object' && params !== null ? params : {}) as Record<string, unknown>,
    kind: r.sdk ? 'aws-sdk' : 'optimized',
    pattern: r.pattern,
  };
  // A copy in JSON terms: the engine keeps results by reference (history is
  // serialised lazily), so a store object the invoker hands back must not
  // change under it; Dates become ISO strings as in Step Functions.
  const returned = await run.env.invoker.callService(call, ctx);
  const result: unknown = returned === undefined ? {} : JSON.parse(JSON.stringify(returned));
  // `.sync:2` returns the child execution's output as JSON, `.sync` as text.
  if (r.pattern === 'sync:2' && typeof result === 'object' && result !== null && typeof (result as Record<string, unknown>).Output === 'string') {
    return { ...(result as Record<string, unknown>), Output: parsePayload((result as Record<string, unknown>).Output as string) };
  }
  return result;
}

/**
 * Registers the task token before the integration is invoked: a Lambda often
 * calls SendTaskSuccess itself before its invocation returns, and a fast client
 * may answer as soon as it reads the token from `TaskScheduled`. The answer is
 * kept until the engine has recorded `TaskSubmitted`, so history keeps AWS's order.
 */
function waitForCallback(run: StateRun, deadline: Deadline): Promise<unknown> {
  const { env } = run;
  const token = run.taskToken!;
  const answer = new Promise((resolve, reject) => {
    // A pending callback keeps virtual time from jumping (harness/core clock).
    const release = env.clock.hold('callback', `${env.executionArn} ${run.state.name}`);
    env.tokens.register(token, {
      succeed: (value) => {
        release();
        env.tokens.close(token);
        resolve(value);
      },
      fail: (error, cause) => {
        release();
        env.tokens.close(token);
        reject(new EngineError(error ?? '', cause));
      },
      heartbeat: () => deadline.heartbeat(),
    });
    // The token dies with the task at once (a stop, timeout, heartbeat miss or a
    // failed invocation), so a late SendTask* gets TaskTimedOut at once.
    deadline.signal.addEventListener('abort', () => env.tokens.close(token), { once: true });
    deadline.heartbeat();
    deadline.race(new Promise<never>(() => {})).catch((e: unknown) => {
      release();
      env.tokens.close(token);
      reject(e);
    });
  });
  // Awaited only after TaskSubmitted; an early rejection must not be reported as unhandled.
  answer.catch(() => {});
  return answer;
}

async function invokeIntegration(run: StateRun, r: Integration, params: unknown, timeout: number | undefined, heartbeat: number | undefined, mocked: Mocked): Promise<unknown> {
  const { frame, env } = run;
  const base = { resource: r.resourceName, resourceType: r.resourceType };
  frame.emit('TaskScheduled', { ...base, region: env.region, parameters: new LazyJson(params), timeoutInSeconds: timeout, heartbeatInSeconds: heartbeat });
  frame.emit('TaskStarted', base);
  const deadline = new Deadline(env.clock, frame.signal, timeout, r.pattern === 'waitForTaskToken' ? heartbeat : undefined);
  try {
    const ctx = taskContext(run, deadline.signal);
    if (r.pattern === 'sync' || r.pattern === 'sync:2') {
      let submitted = false;
      ctx.onSubmitted = (response: unknown) => {
        if (submitted || deadline.signal.aborted) return;
        submitted = true;
        const copy: unknown = response === undefined ? {} : JSON.parse(JSON.stringify(response));
        frame.emit('TaskSubmitted', { ...base, output: new LazyJson(copy), outputDetails: NOT_TRUNCATED });
      };
    }
    if (mocked !== undefined) {
      // The mocked response is the task's result, `.sync` and `.waitForTaskToken` included: Step Functions
      // Local generates the task token ($$.Task.Token is set) but waits for no callback.
      const result = answerOf(mocked);
      if (exceedsPayloadLimit(result)) throw dataLimitError(run.state.name);
      frame.emit('TaskSucceeded', { ...base, output: new LazyJson(result), outputDetails: NOT_TRUNCATED });
      return result;
    }
    const callback = r.pattern === 'waitForTaskToken' ? waitForCallback(run, deadline) : undefined;
    let result = await deadline.race(r.service === 'lambda' && !r.sdk ? callLambdaInvoke(run, params, ctx) : callService(run, r, params, ctx));
    if (callback) {
      frame.emit('TaskSubmitted', { ...base, output: new LazyJson(result), outputDetails: NOT_TRUNCATED });
      result = await callback;
    }
    if (exceedsPayloadLimit(result)) throw dataLimitError(run.state.name);
    frame.emit('TaskSucceeded', { ...base, output: new LazyJson(result), outputDetails: NOT_TRUNCATED });
    return result;
  } catch (e) {
    if (deadline.timedOut) {
      frame.emit('TaskTimedOut', { ...base, error: deadline.timedOut });
      throw new EngineError(deadline.timedOut, undefined);
    }
    if (e instanceof AbortedError || frame.signal.aborted) throw new AbortedError();
    const err = taskErrorFrom(e, r.service, r.sdk, env.ids);
    frame.emit('TaskFailed', { ...base, cause: err.causeText === '' ? undefined : err.causeText, error: err.error === '' ? undefined : err.error });
    throw err;
  } finally {
    deadline.dispose();
    if (run.taskToken !== undefined) env.tokens.close(run.taskToken);
  }
}
