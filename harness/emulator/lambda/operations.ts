/**
 * Lambda API operations (restJson1). Each takes the decoded request pieces
 * and returns a RestResponse or throws an AwsServiceError.
 * Reference: https://docs.aws.amazon.com/lambda/latest/api/API_Operations.html
 */
import { runtimeFamily, SUPPORTED_RUNTIMES } from '../../runtime/index.ts';
import type { RestRequest, RestResponse } from '../../protocol/service.ts';
import { discardCode, loadCode, type CodeInput } from './code.ts';
import {
  functionNotFound,
  invalidParameterValue,
  invalidRequestContent,
  preconditionFailed,
  requestTooLarge,
  resourceConflict,
  resourceNotFound,
  validationError,
} from './errors.ts';
import { MAX_INVOKE_ASYNC_PAYLOAD, minimumUnreserved, type InvokerDeps, type Invocations, type InvocationType } from './invoke.ts';
import type { EventSourceMappings } from './event-source-mappings.ts';
import type { LayerStore } from './layers.ts';
import { functionConfiguration, functionSpec, type FunctionRecord } from './models.ts';

/** What the API operations need: the invoker's shared wiring plus the invocation pipeline itself. */
export interface OperationDeps extends Pick<InvokerDeps, 'clock' | 'ids' | 'region' | 'accountId' | 'store' | 'runtime' | 'accountConcurrency'> {
  /** CreateEventSourceMapping and friends (event-source-mappings.ts). */
  mappings: EventSourceMappings;
  invocations: Invocations;
  /** Published layer versions (PublishLayerVersion and friends; a function's Layers). */
  layers: LayerStore;
  codeRoot(): string;
  endpoint(): string;
}

/** Variables AWS reserves: https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime */
const RESERVED_ENV = [
  '_HANDLER', '_X_AMZN_TRACE_ID', 'AWS_DEFAULT_REGION', 'AWS_REGION', 'AWS_EXECUTION_ENV', 'AWS_LAMBDA_FUNCTION_NAME',
  'AWS_LAMBDA_FUNCTION_MEMORY_SIZE', 'AWS_LAMBDA_FUNCTION_VERSION', 'AWS_LAMBDA_INITIALIZATION_TYPE', 'AWS_LAMBDA_LOG_GROUP_NAME',
  'AWS_LAMBDA_LOG_STREAM_NAME', 'AWS_ACCESS_KEY', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN',
  'AWS_LAMBDA_RUNTIME_API', 'LAMBDA_TASK_ROOT', 'LAMBDA_RUNTIME_DIR',
];

export type Json = Record<string, unknown>;

export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): RestResponse {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

export function parseBody(req: RestRequest): Json {
  const text = req.body.toString('utf8');
  if (text.trim() === '') return {};
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw invalidRequestContent(`Could not parse request body into json: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!v || typeof v !== 'object' || Array.isArray(v)) throw invalidRequestContent('Could not parse request body into json: expected a JSON object');
  return v as Json;
}

// ───────────────────────────────────────────────────────────── validation

const NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;

function checkConfig(input: Json, creating: boolean): string[] {
  const problems: string[] = [];
  const fail = (value: unknown, field: string, constraint: string) =>
    problems.push(`Value '${typeof value === 'string' ? value : JSON.stringify(value)}' at '${field}' failed to satisfy constraint: ${constraint}`);
  if (creating) {
    const name = input.FunctionName;
    if (typeof name !== 'string' || !NAME_PATTERN.test(name)) fail(name ?? null, 'functionName', 'Member must satisfy regular expression pattern: [a-zA-Z0-9-_]+ and have length between 1 and 64');
  }
  if (input.Runtime !== undefined && !(SUPPORTED_RUNTIMES as readonly string[]).includes(String(input.Runtime))) {
    fail(input.Runtime, 'runtime', `Member must satisfy enum value set: [${SUPPORTED_RUNTIMES.join(', ')}]`);
  }
  if (input.Timeout !== undefined && (!Number.isInteger(input.Timeout) || (input.Timeout as number) < 1)) {
    fail(input.Timeout, 'timeout', 'Member must have value greater than or equal to 1');
  }
  if (input.MemorySize !== undefined && (!Number.isInteger(input.MemorySize) || (input.MemorySize as number) < 128 || (input.MemorySize as number) > 10240)) {
    fail(input.MemorySize, 'memorySize', 'Member must have value between 128 and 10240');
  }
  if (input.Handler !== undefined && (typeof input.Handler !== 'string' || !/^[^\s]{1,128}$/.test(input.Handler))) {
    fail(input.Handler, 'handler', 'Member must satisfy regular expression pattern: [^\\s]+');
  }
  if (input.Role !== undefined && (typeof input.Role !== 'string' || !/^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role\/?[a-zA-Z_0-9+=,.@\-_/]+$/.test(input.Role))) {
    fail(input.Role, 'role', 'Member must satisfy regular expression pattern: arn:(aws[a-zA-Z-]*)?:iam::\\d{12}:role/?[a-zA-Z_0-9+=,.@\\-_/]+');
  }
  return problems;
}

function checkSemantics(input: Json): void {
  // Timeout above 900 s is a semantic error in AWS, not a constraint violation.
  if (typeof input.Timeout === 'number' && input.Timeout > 900) {
    throw invalidParameterValue('Timeout must be less than or equal to 900 seconds.');
  }
  const env = input.Environment as { Variables?: unknown } | undefined;
  if (env !== undefined) {
    if (typeof env !== 'object' || env === null) throw invalidParameterValue('Environment must be an object with Variables.');
    const vars = env.Variables ?? {};
    if (typeof vars !== 'object' || vars === null || Array.isArray(vars)) throw invalidParameterValue('Environment.Variables must be a map of strings.');
    const entries = Object.entries(vars as Record<string, unknown>);
    const reserved = entries.map(([k]) => k).filter((k) => RESERVED_ENV.includes(k));
    if (reserved.length > 0) {
      throw invalidParameterValue(
        `Lambda was unable to configure your environment variables because the environment variables you have provided contains reserved keys that are currently not supported for modification. Reserved keys used in this request: ${reserved.join(', ')}`,
      );
    }
    for (const [k, v] of entries) {
      if (!/^[a-zA-Z]([a-zA-Z0-9_])*$/.test(k)) throw invalidParameterValue(`Environment variable name ${JSON.stringify(k)} is invalid: names start with a letter and contain only letters, digits and underscores.`);
      if (typeof v !== 'string') throw invalidParameterValue(`Environment variable ${k} must be a string.`);
    }
    const size = entries.reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(String(v)), 0);
    if (size > 4096) {
      throw invalidParameterValue(`Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: ${size}`);
    }
  }
}

function envVariables(input: Json): Record<string, string> | undefined {
  const env = input.Environment as { Variables?: Record<string, string> } | undefined;
  return env === undefined ? undefined : { ...(env.Variables ?? {}) };
}

// ──────────────────────────────────────────────────────────── operations

export class LambdaOperations {
  constructor(private readonly d: OperationDeps) {}

  get mappings(): EventSourceMappings {
    return this.d.mappings;
  }

  get layers(): LayerStore {
    return this.d.layers;
  }

  private arn(name: string): string {
    return `arn:aws:lambda:${this.d.region}:${this.d.accountId}:function:${name}`;
  }

  private get(nameOrArn: string, qualifier?: string): FunctionRecord {
    return this.d.invocations.resolve(nameOrArn, qualifier ?? undefined).fn;
  }

  async createFunction(input: Json): Promise<RestResponse> {
    const problems = checkConfig(input, true);
    if (problems.length > 0) throw validationError(problems);
    checkSemantics(input);
    const name = input.FunctionName as string;
    if (this.d.store.get(name)) throw resourceConflict(`Function already exist: ${name}`);
    if (input.PackageType === 'Image') throw invalidParameterValue('PackageType Image is not supported by the embedded endpoint; deploy a .zip file archive.');
    if (typeof input.Runtime !== 'string') throw invalidParameterValue('Runtime and Handler are mandatory parameters for functions created with Zip package type.');
    if (typeof input.Handler !== 'string' && runtimeFamily(input.Runtime) !== 'custom') {
      throw invalidParameterValue('Runtime and Handler are mandatory parameters for functions created with Zip package type.');
    }
    if (typeof input.Role !== 'string') throw validationError([`Value null at 'role' failed to satisfy constraint: Member must not be null`]);
    if (!input.Code || typeof input.Code !== 'object') throw validationError([`Value null at 'code' failed to satisfy constraint: Member must not be null`]);
    const layers = input.Layers === undefined ? [] : this.d.layers.resolve(input.Layers);
    const code = await loadCode(input.Code as CodeInput, this.codeContext(name));
    const fn: FunctionRecord = {
      name,
      arn: this.arn(name),
      runtime: input.Runtime,
      role: input.Role,
      handler: typeof input.Handler === 'string' ? input.Handler : 'bootstrap',
      description: typeof input.Description === 'string' ? input.Description : '',
      timeout: typeof input.Timeout === 'number' ? input.Timeout : 3,
      memorySize: typeof input.MemorySize === 'number' ? input.MemorySize : 128,
      environment: envVariables(input) ?? {},
      architectures: Array.isArray(input.Architectures) ? (input.Architectures as string[]) : ['x86_64'],
      ephemeralStorage: (input.EphemeralStorage as { Size?: number } | undefined)?.Size ?? 512,
      tracingMode: (input.TracingConfig as { Mode?: string } | undefined)?.Mode ?? 'PassThrough',
      code,
      layers,
      lastModified: this.d.clock.now(),
      revisionId: this.d.ids.uuid(),
      tags: { ...((input.Tags as Record<string, string> | undefined) ?? {}) },
      policy: [],
    };
    this.d.store.put(fn);
    // Compile a TypeScript handler now, as `sam build` would before the deploy, so the first cold start finds it ready.
    this.d.runtime.prepareAhead(functionSpec(fn));
    return jsonResponse(201, functionConfiguration(fn));
  }

  getFunction(name: string, qualifier: string | undefined): RestResponse {
    const fn = this.get(name, qualifier);
    const location =
      fn.code.source === 'local'
        ? `file://${fn.code.dir}`
        : `${this.d.endpoint()}/2015-03-31/functions/${encodeURIComponent(fn.name)}/code.zip`;
    return jsonResponse(200, {
      Configuration: functionConfiguration(fn),
      Code: { RepositoryType: 'S3', Location: location },
      ...(Object.keys(fn.tags).length > 0 ? { Tags: { ...fn.tags } } : {}),
      ...(fn.reservedConcurrency !== undefined ? { Concurrency: { ReservedConcurrentExecutions: fn.reservedConcurrency } } : {}),
    });
  }

  /** GetFunction's Code.Location: the deployment package as uploaded. */
  getCodeZip(name: string): RestResponse {
    const fn = this.get(name);
    if (!fn.code.zip) throw resourceNotFound(`Function ${fn.name} runs a local directory; it has no deployment package.`);
    return { status: 200, headers: { 'content-type': 'application/zip' }, body: fn.code.zip };
  }

  getFunctionConfiguration(name: string, qualifier: string | undefined): RestResponse {
    return jsonResponse(200, functionConfiguration(this.get(name, qualifier)));
  }

  listFunctions(query: URLSearchParams): RestResponse {
    const maxItemsText = query.get('MaxItems');
    const maxItems = maxItemsText === null ? 50 : Number(maxItemsText);
    if (!Number.isInteger(maxItems) || maxItems < 1 || maxItems > 10000) {
      throw validationError([`Value '${maxItemsText}' at 'maxItems' failed to satisfy constraint: Member must have value between 1 and 10000`]);
    }
    const all = this.d.store.list();
    const marker = query.get('Marker');
    let start = 0;
    if (marker) {
      const i = all.findIndex((f) => f.name === marker);
      if (i < 0) throw invalidParameterValue(`Invalid marker: ${marker}`);
      start = i;
    }
    const page = all.slice(start, start + Math.min(maxItems, 50));
    const next = all[start + page.length];
    return jsonResponse(200, { Functions: page.map(functionConfiguration), ...(next ? { NextMarker: next.name } : {}) });
  }

  deleteFunction(name: string, qualifier: string | undefined): RestResponse {
    if (qualifier !== undefined && qualifier !== '$LATEST') throw functionNotFound(`${this.arn(name)}:${qualifier}`);
    const fn = this.get(name);
    this.d.store.delete(fn.name);
    this.d.runtime.retire(fn.name);
    discardCode(fn.code);
    return { status: 204 };
  }

  async updateFunctionCode(name: string, input: Json): Promise<RestResponse> {
    const fn = this.get(name);
    if (typeof input.RevisionId === 'string' && input.RevisionId !== fn.revisionId) throw preconditionFailed();
    const code = await loadCode(input as CodeInput, this.codeContext(fn.name));
    if (input.DryRun === true) {
      discardCode(code);
      return jsonResponse(200, functionConfiguration(fn));
    }
    const old = fn.code;
    fn.code = code;
    this.touched(fn);
    if (old.dir !== code.dir) discardCode(old);
    return jsonResponse(200, functionConfiguration(fn));
  }

  updateFunctionConfiguration(name: string, input: Json): RestResponse {
    const fn = this.get(name);
    const problems = checkConfig(input, false);
    if (problems.length > 0) throw validationError(problems);
    checkSemantics(input);
    if (typeof input.RevisionId === 'string' && input.RevisionId !== fn.revisionId) throw preconditionFailed();
    if (input.Layers !== undefined) fn.layers = this.d.layers.resolve(input.Layers);
    if (typeof input.Runtime === 'string') fn.runtime = input.Runtime;
    if (typeof input.Handler === 'string') fn.handler = input.Handler;
    if (typeof input.Role === 'string') fn.role = input.Role;
    if (typeof input.Description === 'string') fn.description = input.Description;
    if (typeof input.Timeout === 'number') fn.timeout = input.Timeout;
    if (typeof input.MemorySize === 'number') fn.memorySize = input.MemorySize;
    const env = envVariables(input);
    if (env) fn.environment = env;
    const tracing = (input.TracingConfig as { Mode?: string } | undefined)?.Mode;
    if (tracing) fn.tracingMode = tracing;
    const storage = (input.EphemeralStorage as { Size?: number } | undefined)?.Size;
    if (storage) fn.ephemeralStorage = storage;
    this.touched(fn);
    return jsonResponse(200, functionConfiguration(fn));
  }

  putFunctionConcurrency(name: string, input: Json): RestResponse {
    const fn = this.get(name);
    const n = input.ReservedConcurrentExecutions;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) {
      throw validationError([`Value '${JSON.stringify(n ?? null)}' at 'reservedConcurrentExecutions' failed to satisfy constraint: Member must have value greater than or equal to 0`]);
    }
    // AWS keeps 100 of the account's concurrency unreserved (all of it when the quota is ≤ 100).
    const floor = minimumUnreserved(this.d.accountConcurrency);
    const reservedByOthers = this.d.store.list().reduce((sum, f) => sum + (f.name === fn.name ? 0 : (f.reservedConcurrency ?? 0)), 0);
    if (n > 0 && this.d.accountConcurrency - reservedByOthers - n < floor) {
      throw invalidParameterValue(`Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [${floor}].`);
    }
    fn.reservedConcurrency = n;
    return jsonResponse(200, { ReservedConcurrentExecutions: n });
  }

  deleteFunctionConcurrency(name: string): RestResponse {
    const fn = this.get(name);
    delete fn.reservedConcurrency;
    return { status: 204 };
  }

  getFunctionConcurrency(name: string): RestResponse {
    const fn = this.get(name);
    return jsonResponse(200, fn.reservedConcurrency === undefined ? {} : { ReservedConcurrentExecutions: fn.reservedConcurrency });
  }

  async invoke(req: RestRequest, name: string): Promise<RestResponse> {
    const type = headerOf(req, 'x-amz-invocation-type') ?? 'RequestResponse';
    if (!['RequestResponse', 'Event', 'DryRun'].includes(type)) {
      throw validationError([`Value '${type}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]`]);
    }
    const logType = headerOf(req, 'x-amz-log-type') ?? 'None';
    if (logType !== 'None' && logType !== 'Tail') {
      throw validationError([`Value '${logType}' at 'logType' failed to satisfy constraint: Member must satisfy enum value set: [Tail, None]`]);
    }
    const clientContext = headerOf(req, 'x-amz-client-context');
    const qualifier = req.query.get('Qualifier') ?? undefined;
    const out = await this.d.invocations.invoke({
      functionName: name,
      ...(qualifier ? { qualifier } : {}),
      payload: req.body.toString('utf8'),
      invocationType: type as InvocationType,
      logType,
      ...(clientContext ? { clientContext } : {}),
      requestId: req.ctx.requestId,
      ...(req.ctx.caller ? { caller: req.ctx.caller } : {}),
    });
    const headers: Record<string, string> = { 'x-amzn-requestid': out.requestId };
    if (out.statusCode === 200) {
      headers['content-type'] = 'application/json';
      headers['x-amz-executed-version'] = out.executedVersion;
    }
    if (out.functionError) headers['x-amz-function-error'] = out.functionError;
    if (out.logResult !== undefined) headers['x-amz-log-result'] = out.logResult;
    return { status: out.statusCode, headers, body: out.payload };
  }

  /** Deprecated InvokeAsync: 202 `{"Status": 202}`. */
  async invokeAsync(req: RestRequest, name: string): Promise<RestResponse> {
    if (req.body.length > MAX_INVOKE_ASYNC_PAYLOAD) throw requestTooLarge(MAX_INVOKE_ASYNC_PAYLOAD);
    await this.d.invocations.invoke({ functionName: name, payload: req.body.toString('utf8'), invocationType: 'Event', requestId: req.ctx.requestId });
    return jsonResponse(202, { Status: 202 });
  }

  addPermission(name: string, input: Json): RestResponse {
    const fn = this.get(name);
    const sid = input.StatementId;
    if (typeof sid !== 'string' || !/^[a-zA-Z0-9-_]{1,100}$/.test(sid)) {
      throw validationError([`Value '${String(sid)}' at 'statementId' failed to satisfy constraint: Member must satisfy regular expression pattern: ([a-zA-Z0-9-_]+)`]);
    }
    if (fn.policy.some((s) => s.Sid === sid)) throw resourceConflict(`The statement id (${sid}) provided already exists. Please provide a new statement id, or remove the existing statement.`);
    const statement: Record<string, unknown> = {
      Sid: sid,
      Effect: 'Allow',
      Principal: typeof input.Principal === 'string' && input.Principal.includes('.') ? { Service: input.Principal } : { AWS: input.Principal },
      Action: input.Action,
      Resource: fn.arn,
    };
    const condition: Record<string, unknown> = {};
    if (typeof input.SourceArn === 'string') condition.ArnLike = { 'AWS:SourceArn': input.SourceArn };
    if (typeof input.SourceAccount === 'string') condition.StringEquals = { 'AWS:SourceAccount': input.SourceAccount };
    if (Object.keys(condition).length > 0) statement.Condition = condition;
    fn.policy.push(statement);
    return jsonResponse(201, { Statement: JSON.stringify(statement) });
  }

  getPolicy(name: string): RestResponse {
    const fn = this.get(name);
    if (fn.policy.length === 0) throw resourceNotFound('The resource you requested does not exist.');
    return jsonResponse(200, {
      Policy: JSON.stringify({ Version: '2012-10-17', Id: 'default', Statement: fn.policy }),
      RevisionId: fn.revisionId,
    });
  }

  removePermission(name: string, sid: string): RestResponse {
    const fn = this.get(name);
    const i = fn.policy.findIndex((s) => s.Sid === sid);
    if (i < 0) throw resourceNotFound(`Statement ${sid} is not found in resource policy.`);
    fn.policy.splice(i, 1);
    return { status: 204 };
  }

  listTags(arn: string): RestResponse {
    return jsonResponse(200, { Tags: { ...this.get(arn).tags } });
  }

  tagResource(arn: string, input: Json): RestResponse {
    const fn = this.get(arn);
    Object.assign(fn.tags, (input.Tags as Record<string, string> | undefined) ?? {});
    return { status: 204 };
  }

  untagResource(arn: string, query: URLSearchParams): RestResponse {
    const fn = this.get(arn);
    for (const key of query.getAll('tagKeys')) delete fn.tags[key];
    return { status: 204 };
  }

  putEventInvokeConfig(name: string, input: Json): RestResponse {
    const fn = this.get(name);
    const retries = input.MaximumRetryAttempts;
    if (retries !== undefined && (!Number.isInteger(retries) || (retries as number) < 0 || (retries as number) > 2)) {
      throw validationError([`Value '${String(retries)}' at 'maximumRetryAttempts' failed to satisfy constraint: Member must have value less than or equal to 2`]);
    }
    const age = input.MaximumEventAgeInSeconds;
    if (age !== undefined && (!Number.isInteger(age) || (age as number) < 60 || (age as number) > 21600)) {
      throw validationError([`Value '${String(age)}' at 'maximumEventAgeInSeconds' failed to satisfy constraint: Member must have value between 60 and 21600`]);
    }
    fn.eventInvokeConfig = {
      ...(retries !== undefined ? { MaximumRetryAttempts: retries as number } : {}),
      ...(age !== undefined ? { MaximumEventAgeInSeconds: age as number } : {}),
    };
    return jsonResponse(200, { FunctionArn: `${fn.arn}:$LATEST`, LastModified: this.d.clock.now() / 1000, ...fn.eventInvokeConfig });
  }

  getAccountSettings(): RestResponse {
    const all = this.d.store.list();
    return jsonResponse(200, {
      AccountLimit: {
        TotalCodeSize: 80530636800,
        CodeSizeUnzipped: 262144000,
        CodeSizeZipped: 52428800,
        ConcurrentExecutions: this.d.accountConcurrency,
        UnreservedConcurrentExecutions: this.d.invocations.unreservedLimit(),
      },
      AccountUsage: { TotalCodeSize: all.reduce((n, f) => n + f.code.size, 0), FunctionCount: all.length },
    });
  }

  private touched(fn: FunctionRecord): void {
    fn.lastModified = this.d.clock.now();
    fn.revisionId = this.d.ids.uuid();
    // New invocations start fresh environments with the new code/configuration.
    this.d.runtime.retire(fn.name, functionSpec(fn));
    this.d.runtime.prepareAhead(functionSpec(fn));
  }

  private codeContext(functionName: string) {
    return { functionName, codeRoot: () => this.d.codeRoot(), endpoint: () => this.d.endpoint(), region: this.d.region };
  }
}

function headerOf(req: RestRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}
