/**
 * The `when` steps, each through the AWS SDK (or the control API for the
 * clock): upload, start, await, task callbacks, secret rotation, clock moves,
 * direct invokes, SQS messages, EventBridge events, re-delivered S3 events,
 * repeat and parallel.
 */
import { readFile } from 'node:fs/promises';
import { dirname, extname, resolve } from 'node:path';
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { GetBucketNotificationConfigurationCommand, HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { CreateSecretCommand, GetSecretValueCommand, PutSecretValueCommand, ResourceNotFoundException } from '@aws-sdk/client-secrets-manager';
import {
  DescribeStateMachineForExecutionCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { Backend } from '../backends/backend.ts';
import { mockedExecutionTarget } from '../backends/mock-config.ts';
import { REAL_CLOCK, type IdSource } from '../core/index.ts';
import type { AwsClients } from './clients.ts';
import type { ControlApi } from './control.ts';
import { changesOf, describe, executionTopic, getHistory, listAllExecutions, listStateMachines, poll, TERMINAL, type TrackedExecution } from './executions.ts';
import { ATTEMPT_SCHEDULED, detailsOf, indexHistory, pathTaken, taskTokenOf } from './history.ts';
import { CONTENT_TYPES, generateImage } from './images.ts';
import { DEFAULT_EXPIRES_IN, presignForm, presignUrl, sendLink, type Link } from './links.ts';
import { putEvents } from './events.ts';
import { sendMessage } from './queues.ts';
import type { StepResult } from './results.ts';
import type { StepSpec } from './schema.ts';
import { runTestStateStep } from './test-state-step.ts';
import { matchValue } from './value-match.ts';

export class StepError extends Error {}

/** Shared state of one scenario run. */
export interface RunContext {
  backend: Backend;
  clients: AwsClients;
  control?: ControlApi;
  ids: IdSource;
  seed: string;
  scenarioFile: string;
  /** The scenario's default workflow (state machine name). */
  workflow?: string;
  /** Executions seen so far (claimed by a step or found at the end). */
  executions: TrackedExecution[];
  claimed: Set<string>;
  tokens: Map<string, string>;
  lastToken?: string;
  secretValues: Set<string>;
  /** Objects the scenario put (for "before" thumbnails). */
  inputs: Array<{ bucket: string; key: string; body: Buffer }>;
  /** Presigned URLs and POST forms by name (`presign`, `upload` with `link`), for `fetch`. */
  links: Map<string, Link>;
  steps: StepResult[];
  signal: AbortSignal;
  /** Default wall-clock limit for waits. */
  waitTimeoutMs: number;
  /** LocalStack mocks: executions of this state machine start on `arn#testCaseName` so the MockConfigFile's test case applies. */
  mockTestCase?: { stateMachineName: string; testCaseName: string };
}

/**
 * The `stateMachineArn` StartExecution gets: the state machine's ARN, or — for
 * the state machine a mock test case was planned for — `arn#TestCase`, the
 * documented way to select a test case of the MockConfigFile
 * (https://docs.aws.amazon.com/step-functions/latest/dg/sfn-local-test-sm-exec.html).
 */
export function startTarget(stateMachineArn: string, mock: RunContext['mockTestCase']): string {
  if (!mock || stateMachineArn.split(':').pop() !== mock.stateMachineName) return stateMachineArn;
  return mockedExecutionTarget(stateMachineArn, mock.testCaseName);
}

/** Replaces `{{i}}` in every string of a step (repeat). */
export function substitute<T>(value: T, i: number): T {
  if (typeof value === 'string') return value.replace(/\{\{\s*i\s*\}\}/g, String(i)) as T;
  if (Array.isArray(value)) return value.map((v) => substitute(v, i)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, substitute(v, i)])) as T;
  }
  return value;
}

/** Keys whose values are credentials rather than configuration. */
const SENSITIVE_KEY = /(key|secret|token|passw|credential|auth|private|signing|bearer|session|cookie|pwd)/i;

/**
 * The values of a secret that must never appear in outputs, logs or messages:
 * a plain-text secret as a whole, and in a JSON secret the string values under
 * credential-like keys (`apiKey`, `password`, `token`…). Configuration values
 * that happen to live in the same secret (`outputFormat: webp`) legitimately
 * show up in outputs, so they are not searched for. Values shorter than 8
 * characters would match by chance and are skipped.
 */
export function secretStrings(value: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown, sensitive: boolean) => {
    if (typeof v === 'string') {
      if (v.startsWith('{')) {
        try {
          walk(JSON.parse(v), false);
          return;
        } catch {
          /* plain text */
        }
      }
      if (sensitive && v.length >= 8) out.push(v);
    } else if (Array.isArray(v)) v.forEach((x) => walk(x, sensitive));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, sensitive || SENSITIVE_KEY.test(k));
  };
  walk(value, typeof value === 'string');
  return out;
}

export async function objectBody(
  src: { file?: string; image?: Parameters<typeof generateImage>[0]; text?: string; json?: unknown; contentType?: string },
  ctx: Pick<RunContext, 'scenarioFile' | 'seed'>,
  label: string,
): Promise<{ body: Buffer; contentType: string }> {
  if (src.file !== undefined) {
    const path = resolve(dirname(ctx.scenarioFile), src.file);
    let body: Buffer;
    try {
      body = await readFile(path);
    } catch {
      throw new StepError(`${label}: cannot read file ${src.file} (resolved to ${path})`);
    }
    const ext = extname(path).slice(1).toLowerCase().replace('jpg', 'jpeg');
    return { body, contentType: src.contentType ?? CONTENT_TYPES[ext] ?? 'application/octet-stream' };
  }
  if (src.image !== undefined) {
    const g = await generateImage(src.image, `${ctx.seed}/${label}`);
    return { body: g.body, contentType: src.contentType ?? g.contentType };
  }
  if (src.text !== undefined) return { body: Buffer.from(src.text), contentType: src.contentType ?? 'text/plain' };
  return { body: Buffer.from(JSON.stringify(src.json)), contentType: src.contentType ?? 'application/json' };
}

export async function putSecret(ctx: RunContext, name: string, value: string | Record<string, unknown>, onlyIfDifferent = false): Promise<void> {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  for (const s of secretStrings(value)) ctx.secretValues.add(s);
  if (onlyIfDifferent) {
    // The deploy may have stored this very value already; a second identical version would skew version checks.
    const current = await ctx.clients.secrets.send(new GetSecretValueCommand({ SecretId: name })).catch(() => undefined);
    if (current?.SecretString === text) return;
  }
  try {
    await ctx.clients.secrets.send(new PutSecretValueCommand({ SecretId: name, SecretString: text }));
  } catch (e) {
    if (e instanceof ResourceNotFoundException || (e as { name?: string }).name === 'ResourceNotFoundException') {
      await ctx.clients.secrets.send(new CreateSecretCommand({ Name: name, SecretString: text }));
      return;
    }
    throw e;
  }
}

async function resolveStateMachineArn(ctx: RunContext, workflow: string): Promise<string> {
  if (workflow.startsWith('arn:')) return workflow;
  const machines = await listStateMachines(ctx.clients.sfn);
  const m = machines.find((x) => x.name === workflow);
  if (!m) throw new StepError(`no state machine named '${workflow}' (deployed: ${machines.map((x) => x.name).join(', ') || 'none'})`);
  return m.arn;
}

/** Claims the next execution that appeared since the last claim, preferring one whose input mentions `hint`. */
async function claimNewExecution(ctx: RunContext, hint: string | undefined, timeoutMs: number, what: string): Promise<TrackedExecution> {
  return poll(
    async () => {
      const all = await listAllExecutions(ctx.clients.sfn);
      for (const e of all) if (!ctx.executions.some((x) => x.executionArn === e.executionArn)) ctx.executions.push(e);
      const fresh = ctx.executions.filter((e) => !ctx.claimed.has(e.executionArn));
      if (fresh.length === 0) return undefined;
      if (hint !== undefined && fresh.length > 1) {
        for (const e of fresh) {
          const d = await describe(ctx.clients.sfn, e.executionArn);
          if (d.input?.includes(hint)) return e;
        }
      }
      return fresh[0];
    },
    timeoutMs,
    () => new StepError(`${what}: no execution started within ${timeoutMs / 1000}s (is the bucket notification deployed? executions so far: ${ctx.executions.length})`),
    ctx.signal,
    changesOf(ctx.control, ['executions']),
  ).then((e) => {
    ctx.claimed.add(e.executionArn);
    return e;
  });
}

function target(ctx: RunContext, alias: string | undefined): TrackedExecution {
  if (alias !== undefined) {
    const e = ctx.executions.find((x) => x.alias === alias);
    if (!e) throw new StepError(`no execution named '${alias}' (names: ${ctx.executions.map((x) => x.alias).filter(Boolean).join(', ') || 'none'})`);
    return e;
  }
  const claimed = ctx.executions.filter((x) => ctx.claimed.has(x.executionArn));
  const last = claimed[claimed.length - 1];
  if (!last) throw new StepError('no execution has been started yet (upload or start one first)');
  return last;
}

/** The state types in a definition, by name (nested branches and item processors included). */
function stateTypes(definition: string | undefined): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (m: unknown) => {
    const states = (m as { States?: Record<string, Record<string, unknown>> } | undefined)?.States;
    for (const [name, s] of Object.entries(states ?? {})) {
      out.set(name, String(s.Type));
      for (const b of (s.Branches as unknown[] | undefined) ?? []) walk(b);
      if (s.ItemProcessor) walk(s.ItemProcessor);
      if (s.Iterator) walk(s.Iterator);
    }
  };
  try {
    walk(JSON.parse(definition ?? '{}'));
  } catch {
    /* no definition */
  }
  return out;
}

async function clockHint(ctx: RunContext): Promise<string> {
  if (!ctx.control) return '';
  try {
    const c = await ctx.control.clock();
    if (c.kind !== 'virtual') return '';
    const holds = (c.holds ?? []).map((h) => `${h.kind}:${h.label}`).join(', ');
    return ` (virtual clock: ${c.pendingTimers?.length ?? 0} pending timer(s)${holds ? `, held by ${holds}` : ''}; a pending callback stops time — advance it with advanceClock)`;
  } catch {
    return '';
  }
}

async function awaitStep(ctx: RunContext, spec: NonNullable<StepSpec['await']>): Promise<string> {
  const timeoutMs = (spec.timeoutSeconds ?? ctx.waitTimeoutMs / 1000) * 1000;
  // No step started one (an advanceClock past a schedule, a putEvents to a rule): the first execution that starts.
  const nothingClaimed = spec.execution === undefined && !ctx.executions.some((e) => ctx.claimed.has(e.executionArn));
  const exec = nothingClaimed ? await claimNewExecution(ctx, undefined, timeoutMs, 'await') : target(ctx, spec.execution);
  const sfn = ctx.clients.sfn;
  const label = exec.alias ?? exec.name;
  if (spec.state !== undefined) {
    const stateName = spec.state;
    const def = (await sfn.send(new DescribeStateMachineForExecutionCommand({ executionArn: exec.executionArn }))).definition;
    const types = stateTypes(def);
    if (types.size > 0 && !types.has(stateName))
      throw new StepError(`state '${stateName}' is not in ${exec.workflow} (states: ${[...types.keys()].join(', ')})`);
    const isTask = types.get(stateName) === 'Task';
    const found = await poll(
      async () => {
        const history = await getHistory(sfn, exec.executionArn);
        const index = indexHistory(history);
        const entries = index.entriesByName.get(stateName) ?? [];
        const entry = entries[entries.length - 1];
        if (entry) {
          const token = taskTokenOf(entry);
          const scheduledEvents = entry.events.filter((e) => ATTEMPT_SCHEDULED.has(e.type));
          const lastScheduled = scheduledEvents[scheduledEvents.length - 1];
          const callback = lastScheduled !== undefined && /waitForTaskToken/.test(String(detailsOf(lastScheduled)?.resource ?? ''));
          // A callback task is in the other party's hands once its request went out (TaskSubmitted, as AWS records it).
          const submitted = entry.events.some((e) => e.type === 'TaskSubmitted' && e.id > (lastScheduled?.id ?? 0));
          if (entry.exitedAt !== undefined || !isTask) return { token };
          if (lastScheduled && (!callback || submitted)) return { token };
        }
        const d = await describe(sfn, exec.executionArn);
        if (TERMINAL.has(String(d.status)))
          throw new StepError(`${label} ended ${d.status}${d.error ? ` (${d.error})` : ''} before entering ${stateName}; path: ${pathTaken(index).join(' → ')}`);
        return undefined;
      },
      timeoutMs,
      async () => new StepError(`${label} did not reach ${stateName} within ${timeoutMs / 1000}s${await clockHint(ctx)}`),
      ctx.signal,
      changesOf(ctx.control, [executionTopic(exec.executionArn)]),
    );
    if (found.token) {
      ctx.tokens.set(spec.captureToken ?? 'token', found.token);
      ctx.lastToken = found.token;
      return `${label} reached ${stateName}; captured task token as '${spec.captureToken ?? 'token'}'`;
    }
    if (spec.captureToken) throw new StepError(`${label} reached ${stateName} but its task carries no task token (is it a .waitForTaskToken task?)`);
    if (spec.status === undefined) return `${label} reached ${stateName}`;
  }
  const want = spec.status === undefined ? [...TERMINAL] : Array.isArray(spec.status) ? spec.status : [spec.status];
  const status = await poll(
    async () => {
      const d = await describe(sfn, exec.executionArn);
      const s = String(d.status);
      if (want.includes(s)) return s;
      if (TERMINAL.has(s)) throw new StepError(`${label} ended ${s}${d.error ? ` (${d.error}: ${(d.cause ?? '').slice(0, 200)})` : ''}, expected ${want.join(' or ')}`);
      return undefined;
    },
    timeoutMs,
    async () => new StepError(`${label} is still running after ${timeoutMs / 1000}s, waiting for ${want.join(' or ')}${await clockHint(ctx)}`),
    ctx.signal,
    changesOf(ctx.control, [executionTopic(exec.executionArn)]),
  );
  return `${label} ${status}`;
}

function tokenFor(ctx: RunContext, token: string | undefined): string {
  if (token === undefined) {
    if (!ctx.lastToken) throw new StepError('no task token captured yet (await a callback state first)');
    return ctx.lastToken;
  }
  if (token === 'wrong') return ctx.ids.token();
  return ctx.tokens.get(token) ?? token;
}

/** A synchronous invoke's response against `expectOutput` (value-match.ts, as then.execution.output): the step's message, or its failure. */
function invokeOutputChecked(fn: string, expected: unknown, response: string): string {
  let actual: unknown = response;
  try {
    actual = JSON.parse(response);
  } catch {
    // Not JSON: matched as the text it is.
  }
  const shown = response.length > 200 ? `${response.slice(0, 200)}…` : response;
  const mismatches = matchValue(expected, actual);
  if (mismatches.length > 0) throw new StepError(`Invoke ${fn} answered ${shown}: ${mismatches.map((m) => `${m.path}: ${m.message}`).join('; ')}`);
  return `Invoke ${fn} answered ${shown}`;
}

/** Runs an SDK call that may be expected to fail with `expectError`. */
async function expecting(call: () => Promise<unknown>, expectError: string | undefined, what: string): Promise<string> {
  try {
    await call();
  } catch (e) {
    const code = (e as { name?: string }).name ?? 'Error';
    if (expectError !== undefined && (code === expectError || code.endsWith(`.${expectError}`))) return `${what} failed with ${code}, as expected`;
    throw new StepError(`${what} failed: ${code}: ${(e as Error).message}${expectError ? ` (expected ${expectError})` : ''}`);
  }
  if (expectError !== undefined) throw new StepError(`${what} succeeded, expected it to fail with ${expectError}`);
  return `${what} accepted`;
}

async function upload(ctx: RunContext, spec: NonNullable<StepSpec['upload']>, label: string): Promise<string> {
  const { body, contentType } = await objectBody(spec, ctx, `${spec.bucket}/${spec.key}`);
  const via = spec.via ?? 'put';
  if (via === 'put') await ctx.clients.s3.send(new PutObjectCommand({ Bucket: spec.bucket, Key: spec.key, Body: body, ContentType: contentType }));
  else {
    const link =
      via === 'presigned'
        ? await presignUrl(ctx, { bucket: spec.bucket, key: spec.key, method: 'PUT', expiresIn: spec.expiresIn, contentType })
        : await presignForm(ctx, { bucket: spec.bucket, key: spec.key, expiresIn: spec.expiresIn, contentType: contentType ?? 'binary/octet-stream' });
    const out = await sendLink(link, body, contentType);
    if (out.status >= 400) throw new StepError(`${via === 'presigned' ? 'presigned PUT' : 'form POST'} of s3://${spec.bucket}/${spec.key} failed: ${out.status} ${out.code ?? ''} ${out.message ?? ''}`.trim());
    if (spec.link) ctx.links.set(spec.link, { ...link, body });
  }
  ctx.inputs.push({ bucket: spec.bucket, key: spec.key, body });
  const how = via === 'put' ? 'put' : via === 'presigned' ? 'put by presigned URL' : 'posted by form';
  if (spec.expectExecution === false) return `${how} s3://${spec.bucket}/${spec.key} (${body.length} bytes)`;
  const e = await claimNewExecution(ctx, spec.key, ctx.waitTimeoutMs, label);
  if (spec.as) e.alias = spec.as;
  return `${how} s3://${spec.bucket}/${spec.key} (${body.length} bytes) → execution ${e.name}`;
}

/** `fetch`: sends a named link again and checks the answer (a 2xx/3xx, or the status and S3 error asked for). */
async function fetchLink(ctx: RunContext, spec: NonNullable<StepSpec['fetch']>): Promise<string> {
  const link = ctx.links.get(spec.link);
  if (!link) throw new StepError(`no link named ${spec.link} (name one with presign's as, or upload's link)`);
  const hasBody = [spec.file, spec.image, spec.text, spec.json].some((x) => x !== undefined);
  const { body, contentType } = hasBody ? await objectBody(spec, ctx, `${link.bucket}/${link.key}`) : { body: undefined, contentType: undefined };
  const out = await sendLink(link, body, contentType);
  const what = `${link.method} ${spec.link} (s3://${link.bucket}/${link.key})`;
  const got = `${out.status}${out.code ? ` ${out.code}` : ''}${out.message ? ` "${out.message}"` : ''}`;
  if (spec.expectStatus !== undefined && out.status !== spec.expectStatus) throw new StepError(`${what}: expected status ${spec.expectStatus}, got ${got}`);
  if (spec.expectError !== undefined && out.code !== spec.expectError) throw new StepError(`${what}: expected S3 error ${spec.expectError}, got ${got}`);
  if (spec.expectStatus === undefined && spec.expectError === undefined && out.status >= 400) throw new StepError(`${what} failed: ${got}`);
  return `${what} → ${got}`;
}

async function deliverS3Event(ctx: RunContext, spec: NonNullable<StepSpec['deliverS3Event']>): Promise<string> {
  const head = await ctx.clients.s3.send(new HeadObjectCommand({ Bucket: spec.bucket, Key: spec.key }));
  const conf = await ctx.clients.s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: spec.bucket }));
  const targets = (conf.LambdaFunctionConfigurations ?? []).filter((c) => {
    if (!(c.Events ?? []).some((ev) => ev.startsWith('s3:ObjectCreated:'))) return false;
    return (c.Filter?.Key?.FilterRules ?? []).every((r) => {
      const v = r.Value ?? '';
      return r.Name?.toLowerCase() === 'prefix' ? spec.key.startsWith(v) : r.Name?.toLowerCase() === 'suffix' ? spec.key.endsWith(v) : true;
    });
  });
  if (targets.length === 0) throw new StepError(`bucket ${spec.bucket} has no ObjectCreated notification matching ${spec.key}`);
  // The S3 event record shape: https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
  const event = {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: ctx.backend.region,
        eventTime: new Date(REAL_CLOCK.now()).toISOString(),
        eventName: 'ObjectCreated:Put',
        userIdentity: { principalId: 'rehearse' },
        requestParameters: { sourceIPAddress: '127.0.0.1' },
        responseElements: { 'x-amz-request-id': ctx.ids.hex(8), 'x-amz-id-2': ctx.ids.hex(16) },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: targets[0]!.Id ?? 'rehearse',
          bucket: { name: spec.bucket, ownerIdentity: { principalId: 'rehearse' }, arn: `arn:aws:s3:::${spec.bucket}` },
          object: { key: encodeURIComponent(spec.key).replace(/%2F/g, '/'), size: head.ContentLength ?? 0, eTag: (head.ETag ?? '').replace(/"/g, ''), sequencer: ctx.ids.hex(8).toUpperCase() },
        },
      },
    ],
  };
  for (const t of targets) {
    const out = await ctx.clients.lambda.send(
      new InvokeCommand({ FunctionName: t.LambdaFunctionArn, InvocationType: 'RequestResponse', Payload: Buffer.from(JSON.stringify(event)) }),
    );
    if (out.FunctionError) throw new StepError(`${t.LambdaFunctionArn} failed on the re-delivered event: ${Buffer.from(out.Payload ?? []).toString()}`);
  }
  return `re-delivered ObjectCreated:Put for s3://${spec.bucket}/${spec.key} to ${targets.map((t) => t.LambdaFunctionArn?.split(':').pop()).join(', ')}`;
}

/**
 * Whether `steps` start work that reaches functions after the step returns:
 * an object written (bucket notifications), a message sent (event source
 * mappings), events put (rules), an asynchronous invoke, the clock moved
 * (schedules, redeliveries, retries) — in a repeat or a parallel too.
 * `then` then waits for its invocation, cold start and table checks as it
 * does beside `messages` (runner.ts settleQueues).
 */
export function startsDeliveries(steps: readonly StepSpec[]): boolean {
  return steps.some(
    (s) =>
      s.upload !== undefined ||
      s.send !== undefined ||
      s.putEvents !== undefined ||
      s.deliverS3Event !== undefined ||
      s.fetch !== undefined ||
      s.invoke?.invocationType === 'Event' ||
      // Moving the clock fires what waits on it: schedules, redeliveries, asynchronous retries.
      s.advanceClock !== undefined ||
      (s.repeat !== undefined && startsDeliveries(s.repeat.steps)) ||
      (s.parallel !== undefined && startsDeliveries(s.parallel)),
  );
}

export async function runStep(ctx: RunContext, step: StepSpec, id: string): Promise<void> {
  const action = (Object.keys(step) as Array<keyof StepSpec>).find((k) => k !== 'name' && step[k] !== undefined) ?? 'unknown';
  const label = step.name ?? action;
  const t0 = REAL_CLOCK.now();
  const record = (status: 'passed' | 'failed', message?: string) =>
    ctx.steps.push({ id, action, label, status, ...(message !== undefined ? { message } : {}), durationMs: REAL_CLOCK.now() - t0 });
  try {
    let message: string | undefined;
    if (step.upload) message = await upload(ctx, step.upload, id);
    else if (step.start) {
      const s = step.start;
      const workflow = s.workflow ?? ctx.workflow;
      if (!workflow) throw new StepError('start needs a workflow (step or scenario `workflow`)');
      const arn = await resolveStateMachineArn(ctx, workflow);
      const out = await ctx.clients.sfn.send(
        new StartExecutionCommand({ stateMachineArn: startTarget(arn, ctx.mockTestCase), input: JSON.stringify(s.input ?? {}), ...(s.name ? { name: s.name } : {}) }),
      );
      const tracked: TrackedExecution = {
        executionArn: out.executionArn!,
        name: out.executionArn!.split(':').pop()!,
        stateMachineArn: arn,
        workflow: arn.split(':').pop()!,
        ...(s.as ? { alias: s.as } : {}),
      };
      ctx.executions.push(tracked);
      ctx.claimed.add(tracked.executionArn);
      message = `started ${tracked.name}`;
    } else if (step.await) message = await awaitStep(ctx, step.await);
    else if (step.taskSuccess) {
      const s = step.taskSuccess;
      const token = tokenFor(ctx, s.token);
      message = await expecting(
        () => ctx.clients.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify(s.output ?? {}) })),
        s.expectError,
        'SendTaskSuccess',
      );
    } else if (step.taskFailure) {
      const s = step.taskFailure;
      const token = tokenFor(ctx, s.token);
      message = await expecting(
        () => ctx.clients.sfn.send(new SendTaskFailureCommand({ taskToken: token, ...(s.error ? { error: s.error } : {}), ...(s.cause ? { cause: s.cause } : {}) })),
        s.expectError,
        'SendTaskFailure',
      );
    } else if (step.heartbeat) {
      const s = step.heartbeat;
      const token = tokenFor(ctx, s.token);
      message = await expecting(() => ctx.clients.sfn.send(new SendTaskHeartbeatCommand({ taskToken: token })), s.expectError, 'SendTaskHeartbeat');
    } else if (step.rotateSecret) {
      await putSecret(ctx, step.rotateSecret.secret, step.rotateSecret.value);
      message = `new AWSCURRENT version of ${step.rotateSecret.secret}`;
    } else if (step.advanceClock) {
      if (!ctx.control || !ctx.backend.capabilities.virtualTime) throw new StepError('advanceClock needs virtual time (the embedded endpoint)');
      const c = await ctx.control.advanceClock(step.advanceClock.seconds * 1000);
      message = `clock advanced ${step.advanceClock.seconds}s to ${new Date(c.now).toISOString()}`;
    } else if (step.invoke) {
      const s = step.invoke;
      let response = '';
      message = await expecting(
        async () => {
          const out = await ctx.clients.lambda.send(
            new InvokeCommand({ FunctionName: s.function, InvocationType: s.invocationType ?? 'RequestResponse', Payload: Buffer.from(JSON.stringify(s.payload ?? {})) }),
          );
          response = Buffer.from(out.Payload ?? []).toString();
          if (out.FunctionError) {
            let errorType = 'Unhandled';
            try {
              errorType = (JSON.parse(response) as { errorType?: string }).errorType ?? errorType;
            } catch {
              /* not JSON */
            }
            throw Object.assign(new Error(response.slice(0, 300)), { name: errorType });
          }
        },
        s.expectError,
        `Invoke ${s.function}`,
      );
      if (s.expectOutput !== undefined) message = invokeOutputChecked(s.function, s.expectOutput, response);
    } else if (step.send) {
      const s = step.send;
      message = await expecting(() => sendMessage(ctx.clients.sqs, s), s.expectError, `SendMessage to ${s.queue}`);
    } else if (step.putEvents) {
      const entries = step.putEvents;
      message = await putEvents(ctx.clients.events, entries).catch((e: Error) => {
        throw new StepError(e.name === 'FailedEntry' ? e.message : `PutEvents failed: ${e.name}: ${e.message}`);
      });
    } else if (step.deliverS3Event) message = await deliverS3Event(ctx, step.deliverS3Event);
    else if (step.presign) {
      const p = step.presign;
      ctx.links.set(p.as, await presignUrl(ctx, p));
      message = `presigned ${p.method ?? 'GET'} s3://${p.bucket}/${p.key} for ${p.expiresIn ?? DEFAULT_EXPIRES_IN}s as ${p.as}`;
    } else if (step.fetch) message = await fetchLink(ctx, step.fetch);
    else if (step.testState) message = await runTestStateStep(ctx, step.testState);
    else if (step.repeat) {
      const r = step.repeat;
      const one = async (i: number) => {
        for (const [j, s] of r.steps.entries()) await runStep(ctx, substitute(s, i), `${id}.repeat[${i}].steps[${j}]`);
      };
      if (r.parallel) {
        const results = await Promise.allSettled(Array.from({ length: r.times }, (_, k) => one(k + 1)));
        const failed = results.filter((x) => x.status === 'rejected');
        if (failed.length) throw new StepError(`${failed.length} of ${r.times} repetitions failed: ${(failed[0] as PromiseRejectedResult).reason}`);
      } else for (let i = 1; i <= r.times; i++) await one(i);
      message = `${r.times} repetition(s)${r.parallel ? ' at once' : ''}`;
    } else if (step.parallel) {
      const results = await Promise.allSettled(step.parallel.map((s, j) => runStep(ctx, s, `${id}.parallel[${j}]`)));
      const failed = results.filter((x) => x.status === 'rejected');
      if (failed.length) throw new StepError(`${failed.length} of ${step.parallel.length} parallel steps failed: ${(failed[0] as PromiseRejectedResult).reason}`);
      message = `${step.parallel.length} steps at once`;
    }
    record('passed', message);
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    record('failed', msg);
    throw e instanceof StepError ? e : new StepError(msg);
  }
}
