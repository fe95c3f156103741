/**
 * How the engine's tasks reach the other services. Lambda goes through the
 * Lambda service in-process (same fault plan, same runtime, no extra hop);
 * every other integration is a real AWS SDK v3 call to this endpoint, exactly
 * what Step Functions itself does against AWS. Service errors come back as
 * AwsServiceError; the engine names them (`SecretsManager.ResourceNotFoundException`…).
 * https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html
 */
import type { Readable } from 'node:stream';
import { AwsServiceError } from '../../core/index.ts';
import { StatesError } from '../../asl/index.ts';
import type { LambdaInvocation, LambdaResult, S3Access, ServiceCall, TaskContext, TaskInvoker } from '../../asl/index.ts';
import type { ServiceDeps } from '../service-deps.ts';

interface SdkClient {
  send(command: unknown, options?: { abortSignal?: AbortSignal }): Promise<Record<string, unknown>>;
  middlewareStack: {
    add(middleware: (next: (args: unknown) => Promise<{ response: unknown; output: Record<string, unknown> }>) => (args: unknown) => Promise<{ response: unknown; output: Record<string, unknown> }>, options: { step: 'deserialize'; name: string; priority: 'high' }): void;
  };
}

/** The HTTP answer behind an SDK output, kept for the optimised integrations' `SdkHttpMetadata`. */
interface HttpAnswer {
  statusCode: number;
  headers: Record<string, string>;
}
const HTTP_ANSWER = Symbol('rehearse.httpAnswer');
type SdkModule = Record<string, unknown>;

/** The SDK packages this project ships, keyed by the service name used in `aws-sdk:<service>:<action>` ARNs. */
const SDK_PACKAGES: Record<string, { load: () => Promise<SdkModule>; client: string }> = {
  s3: { load: () => import('@aws-sdk/client-s3'), client: 'S3Client' },
  secretsmanager: { load: () => import('@aws-sdk/client-secrets-manager'), client: 'SecretsManagerClient' },
  sns: { load: () => import('@aws-sdk/client-sns'), client: 'SNSClient' },
  lambda: { load: () => import('@aws-sdk/client-lambda'), client: 'LambdaClient' },
  sfn: { load: () => import('@aws-sdk/client-sfn'), client: 'SFNClient' },
  dynamodb: { load: () => import('@aws-sdk/client-dynamodb'), client: 'DynamoDBClient' },
  sqs: { load: () => import('@aws-sdk/client-sqs'), client: 'SQSClient' },
  // `events:putEvents` (optimised) and `aws-sdk:eventbridge:*` are one service.
  events: { load: () => import('@aws-sdk/client-eventbridge'), client: 'EventBridgeClient' },
  eventbridge: { load: () => import('@aws-sdk/client-eventbridge'), client: 'EventBridgeClient' },
};

/**
 * The services this endpoint's tasks can call (optimised integrations and
 * `aws-sdk:<service>:*`), read by harness/backends/integrations.ts: the one
 * table of what each backend can run.
 */
export const SERVED_SDK_SERVICES: readonly string[] = Object.keys(SDK_PACKAGES);

/**
 * The response headers each optimised integration reports in `SdkHttpMetadata`,
 * spelled as the Java SDK Step Functions uses reports them (as recorded against
 * AWS, e.g. DynamoDB's `Server: Server`). A value of `undefined` is taken from
 * the real response; `Date` is the Clock's.
 */
const METADATA_HEADERS: Record<string, Array<[string, string | undefined]>> = {
  dynamodb: [['Server', 'Server'], ['Connection', 'keep-alive'], ['x-amzn-RequestId', undefined], ['x-amz-crc32', undefined], ['Content-Length', undefined], ['Date', undefined], ['Content-Type', undefined]],
  sns: [['x-amzn-RequestId', undefined], ['connection', 'keep-alive'], ['Content-Length', undefined], ['Date', undefined], ['Content-Type', undefined]],
  sqs: [['x-amzn-RequestId', undefined], ['connection', 'keep-alive'], ['Content-Length', undefined], ['Date', undefined], ['Content-Type', undefined]],
};
const DEFAULT_METADATA_HEADERS: Array<[string, string | undefined]> = [['x-amzn-RequestId', undefined], ['Content-Length', undefined], ['Date', undefined], ['Content-Type', undefined]];

/** The optimised `states:startExecution` integration, served by this service itself. */
export type NestedExecutionStarter = (call: ServiceCall, ctx: TaskContext) => Promise<unknown>;

export function createTaskInvoker(deps: ServiceDeps, startNested: NestedExecutionStarter): TaskInvoker & { s3: S3Access } {
  const clients = new Map<string, Promise<{ client: SdkClient; mod: SdkModule }>>();

  const clientFor = (service: string) => {
    let entry = clients.get(service);
    if (!entry) {
      const pkg = SDK_PACKAGES[service];
      if (!pkg) {
        // Not a service error a Retry or Catch could handle: the run is not what it would be on AWS.
        // States.Runtime ends the execution whatever Catch says (validate and the runner name it first).
        throw new StatesError(
          'States.Runtime',
          `The embedded endpoint does not serve '${service}' (it serves: ${Object.keys(SDK_PACKAGES).join(', ')}); answer this state with a scenario fault (given.faults: - { state: …, return: … }) or use a backend that has it`,
        );
      }
      entry = pkg.load().then((mod) => {
        const Ctor = mod[pkg.client] as new (config: Record<string, unknown>) => SdkClient;
        const client = new Ctor({
          endpoint: deps.endpoint(),
          region: deps.region,
          credentials: { accessKeyId: 'STATES', secretAccessKey: 'rehearse' },
          forcePathStyle: true,
          maxAttempts: 1,
          // Step Functions sends the task's parameters as they are: no checksum the SDK would add by
          // default (S3 GetObject would otherwise ask for, and return, ChecksumCRC32 that AWS does not).
          requestChecksumCalculation: 'WHEN_REQUIRED',
          responseChecksumValidation: 'WHEN_REQUIRED',
        });
        client.middlewareStack.add(
          (next) => async (args) => {
            const result = await next(args);
            const response = result.response as { statusCode?: number; headers?: Record<string, string> };
            Object.defineProperty(result.output, HTTP_ANSWER, { value: { statusCode: response.statusCode ?? 200, headers: response.headers ?? {} } satisfies HttpAnswer });
            return result;
          },
          { step: 'deserialize', name: 'rehearseHttpAnswer', priority: 'high' },
        );
        return { client, mod };
      });
      clients.set(service, entry);
    }
    return entry;
  };

  const callSdk = async (service: string, action: string, parameters: Record<string, unknown>, signal?: AbortSignal, kind: ServiceCall['kind'] = 'aws-sdk') => {
    // The call is real I/O (loading the SDK the first time included): hold virtual time until it
    // answers, or a Task's TimeoutSeconds could fire while the request is still on the wire.
    const release = deps.clock.hold('work', `states → ${service}:${action}`);
    let mod: SdkModule | undefined;
    try {
      const loaded = await clientFor(service);
      mod = loaded.mod;
      const commandName = `${action.charAt(0).toUpperCase()}${action.slice(1)}Command`;
      const Command = mod[commandName] as (new (input: Record<string, unknown>) => unknown) | undefined;
      if (!Command) {
        throw new AwsServiceError('InvalidAction', `'${service}' has no action '${action}'`);
      }
      const binary = service === 'dynamodb' ? 'base64' : 'utf8';
      const client = loaded.client;
      const out = await client.send(new Command(service === 'dynamodb' ? (withBinaryAttributes(parameters) as Record<string, unknown>) : parameters), { abortSignal: signal });
      const output = await plainOutput(out, binary);
      return { output: kind === 'aws-sdk' ? inRecordedOrder(output, out) : output, http: (out as { [HTTP_ANSWER]?: HttpAnswer })[HTTP_ANSWER] };
    } catch (e) {
      throw service === 'sqs' && mod ? sqsTaskError(e, kind, mod, () => deps.ids.uuid()) : toServiceError(e);
    } finally {
      release();
    }
  };

  /**
   * Optimised integrations take JSON where the API takes text and answer with
   * the HTTP metadata of the call, e.g. sns:publish accepts a JSON `Message`
   * and returns `{MessageId, SdkHttpMetadata, SdkResponseMetadata}`.
   * https://docs.aws.amazon.com/step-functions/latest/dg/connect-sns.html
   */
  const optimizedCall = async (service: string, call: ServiceCall, ctx: TaskContext) => {
    if (service === 'events' && call.action === 'putEvents') return putEvents(call, ctx);
    const parameters = { ...call.parameters };
    if (service === 'sns' && call.action === 'publish' && parameters.Message !== undefined && typeof parameters.Message !== 'string') {
      parameters.Message = JSON.stringify(parameters.Message);
    }
    // sqs:sendMessage takes a JSON MessageBody (a task token put in with $$.Task.Token, say) as its text
    // (https://docs.aws.amazon.com/step-functions/latest/dg/connect-sqs.html); a null body stays missing.
    if (service === 'sqs' && call.action === 'sendMessage' && parameters.MessageBody !== null && parameters.MessageBody !== undefined && typeof parameters.MessageBody !== 'string') {
      parameters.MessageBody = JSON.stringify(parameters.MessageBody);
    }
    const { output, http } = await callSdk(service, call.action, parameters, ctx.signal, 'optimized');
    const received = http?.headers ?? {};
    const requestId = received['x-amzn-requestid'] ?? deps.ids.uuid();
    const headers: Record<string, string> = {};
    for (const [name, fixed] of METADATA_HEADERS[service] ?? DEFAULT_METADATA_HEADERS) {
      const value = fixed ?? (name === 'Date' ? new Date(deps.clock.now()).toUTCString() : received[name.toLowerCase()]);
      if (value !== undefined) headers[name] = value;
    }
    return {
      ...output,
      SdkHttpMetadata: {
        AllHttpHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
        HttpHeaders: headers,
        HttpStatusCode: http?.statusCode ?? 200,
      },
      SdkResponseMetadata: { RequestId: requestId },
    };
  };

  /**
   * The optimised `events:putEvents`: a JSON `Detail` is sent as its text, the
   * execution's and state machine's ARNs are appended to each entry's
   * Resources, and a non-zero FailedEntryCount fails the task with
   * `EventBridge.FailedEntry` (the cause is PutEvents' answer).
   * https://docs.aws.amazon.com/step-functions/latest/dg/connect-eventbridge.html
   */
  const putEvents = async (call: ServiceCall, ctx: TaskContext) => {
    const entries = Array.isArray(call.parameters.Entries) ? (call.parameters.Entries as unknown[]) : call.parameters.Entries;
    const stateMachineArn = ctx.executionArn.replace(/:(execution|express):([^:]+):[^:]+(:[^:]+)?$/, ':stateMachine:$2');
    const Entries = Array.isArray(entries)
      ? entries.map((e) => {
          if (e === null || typeof e !== 'object' || Array.isArray(e)) return e;
          const entry = { ...(e as Record<string, unknown>) };
          if (entry.Detail !== undefined && typeof entry.Detail !== 'string') entry.Detail = JSON.stringify(entry.Detail);
          const resources = Array.isArray(entry.Resources) ? entry.Resources : [];
          entry.Resources = [...resources, ctx.executionArn, stateMachineArn];
          return entry;
        })
      : entries;
    const { output } = await callSdk('events', 'putEvents', { ...call.parameters, Entries }, ctx.signal, 'optimized');
    if (typeof output.FailedEntryCount === 'number' && output.FailedEntryCount > 0) throw new StatesError('EventBridge.FailedEntry', JSON.stringify(output));
    return output;
  };

  return {
    async invokeLambda(request: LambdaInvocation, _ctx: TaskContext): Promise<LambdaResult> {
      const outcome = await deps.lambda().invoke({
        functionName: request.functionName,
        payload: request.payload,
        invocationType: request.invocationType === 'Event' ? 'Event' : 'RequestResponse',
        ...(request.qualifier === undefined ? {} : { qualifier: request.qualifier }),
        caller: 'states',
      });
      return {
        statusCode: outcome.statusCode,
        payload: outcome.payload,
        executedVersion: outcome.executedVersion,
        requestId: outcome.requestId,
        ...(outcome.functionError === undefined ? {} : { functionError: outcome.functionError }),
      };
    },

    async callService(call: ServiceCall, ctx: TaskContext): Promise<unknown> {
      if (call.service === 'states' && call.action === 'startExecution' && call.kind === 'optimized') {
        return startNested(call, ctx);
      }
      const service = call.service === 'states' ? 'sfn' : call.service;
      if (call.kind === 'optimized') return optimizedCall(service, call, ctx);
      return (await callSdk(service, call.action, call.parameters, ctx.signal)).output;
    },

    s3: {
      async getObject(bucket, key, signal) {
        const out = (await callSdk('s3', 'getObject', { Bucket: bucket, Key: key }, signal)).output as { Body?: string };
        return Buffer.from(out.Body ?? '', 'utf8');
      },
      async listObjects(bucket, prefix, signal) {
        const all: Array<{ Key: string; Size: number; ETag: string; LastModified: string; StorageClass: string }> = [];
        let token: string | undefined;
        do {
          const page = (await callSdk('s3', 'listObjectsV2', { Bucket: bucket, Prefix: prefix, ...(token ? { ContinuationToken: token } : {}) }, signal))
            .output as { Contents?: typeof all; NextContinuationToken?: string; IsTruncated?: boolean };
          all.push(...(page.Contents ?? []));
          token = page.IsTruncated ? page.NextContinuationToken : undefined;
        } while (token);
        return all;
      },
      async putObject(bucket, key, body, signal) {
        await callSdk('s3', 'putObject', { Bucket: bucket, Key: key, Body: body, ContentType: 'application/json' }, signal);
      },
    },
  };
}

/**
 * DynamoDB's binary attribute values (`{"B": "<base64>"}`, `{"BS": [...]}`) as
 * the SDK takes them: bytes. Step Functions' JSON holds them as base64 text.
 */
function withBinaryAttributes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withBinaryAttributes);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 1) {
    const [type, v] = entries[0]!;
    if (type === 'B' && typeof v === 'string') return { B: Buffer.from(v, 'base64') };
    if (type === 'BS' && Array.isArray(v) && v.every((x) => typeof x === 'string')) return { BS: v.map((x) => Buffer.from(x, 'base64')) };
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, withBinaryAttributes(v)]));
}

/**
 * SDK output → the JSON Step Functions hands to the state: no `$metadata`,
 * streams read as text, dates as ISO strings, bytes as text (S3 bodies) or
 * base64 (DynamoDB binary attributes).
 */
async function plainOutput(out: Record<string, unknown>, binary: 'utf8' | 'base64'): Promise<Record<string, unknown>> {
  const result: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(out)) {
    if (key === '$metadata' || value === undefined) continue;
    result[key] = await plainValue(value, binary);
  }
  return result;
}

/**
 * An `aws-sdk:*` task's result lists the response's members in name order,
 * a streamed payload (S3's `Body`) last — as recorded against AWS
 * (shared/conformance/services.json: query answers `Count, Items,
 * ScannedCount`; getObject `AcceptRanges, ContentLength, … ServerSideEncryption,
 * Body`). SDK v3 hands them in its model's order (`Items, Count, ScannedCount…`).
 */
function inRecordedOrder(output: Record<string, unknown>, sdkOutput: Record<string, unknown>): Record<string, unknown> {
  const streamed = (name: string) => isStream(sdkOutput[name]);
  const names = Object.keys(output).sort((a, b) => Number(streamed(a)) - Number(streamed(b)) || (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(names.map((name) => [name, output[name]]));
}

function isStream(value: unknown): boolean {
  return !!value && typeof value === 'object' && ('transformToString' in value || typeof (value as Readable).pipe === 'function');
}

async function plainValue(value: unknown, binary: 'utf8' | 'base64'): Promise<unknown> {
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString(binary);
  if (value && typeof value === 'object' && 'transformToString' in value) {
    return (value as { transformToString(): Promise<string> }).transformToString();
  }
  if (value && typeof (value as Readable).pipe === 'function') {
    const chunks: Buffer[] = [];
    for await (const c of value as Readable) chunks.push(Buffer.from(c as Uint8Array));
    return Buffer.concat(chunks).toString('utf8');
  }
  if (Array.isArray(value)) return Promise.all(value.map((v) => plainValue(v, binary)));
  if (value && typeof value === 'object') return plainOutput(value as Record<string, unknown>, binary);
  return value;
}

/**
 * SQS errors as Step Functions names them (recorded against AWS in
 * shared/conformance/services.json): optimised `sqs:*` calls go through the
 * Java SDK v1 — `SQS.QueueDoesNotExistException` for an error SQS models,
 * `SQS.AmazonSQSException` for the others (MissingParameter…), the cause in
 * v1's words with the query code; `aws-sdk:sqs:*` through v2 —
 * `Sqs.QueueDoesNotExistException` or `Sqs.SqsException`.
 */
function sqsTaskError(e: unknown, kind: ServiceCall['kind'], mod: SdkModule, newId: () => string): unknown {
  const err = e as { name?: string; message?: string; Code?: string; $metadata?: { httpStatusCode?: number; requestId?: string } };
  if (!err || typeof err !== 'object' || !err.$metadata || !err.name) return toServiceError(e);
  // A modelled error is an exception class of the SDK (QueueDoesNotExist); the others (MissingParameter…) are not.
  const modeled = typeof mod[err.name] === 'function' && err.name !== 'SQSServiceException';
  const exception = modeled ? (err.name.endsWith('Exception') ? err.name : `${err.name}Exception`) : undefined;
  const status = err.$metadata.httpStatusCode ?? 400;
  const requestId = err.$metadata.requestId ?? newId();
  const message = err.message ?? '';
  if (kind === 'aws-sdk') return new StatesError(`Sqs.${exception ?? 'SqsException'}`, `${message} (Service: Sqs, Status Code: ${status}, Request ID: ${requestId})`);
  const name = exception ?? 'AmazonSQSException';
  return new StatesError(`SQS.${name}`, `${message} (Service: AmazonSQS; Status Code: ${status}; Error Code: ${err.Code ?? err.name}; Request ID: ${requestId}; Proxy: null)`);
}

function toServiceError(e: unknown): unknown {
  if (e instanceof AwsServiceError) return e;
  const err = e as { name?: string; message?: string; $metadata?: { httpStatusCode?: number }; Code?: string };
  if (err && typeof err === 'object' && err.$metadata) {
    return new AwsServiceError(err.Code ?? err.name ?? 'UnknownError', err.message ?? '', err.$metadata.httpStatusCode ?? 400);
  }
  return e;
}
