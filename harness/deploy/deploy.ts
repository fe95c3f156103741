/**
 * Deploys a SAM template onto any Backend through the AWS SDK only (DESIGN.md
 * principle 1): the bucket and its notification, secrets (values from the
 * scenario or a fixtures file — never from the template), topics, functions
 * (a local code directory where the backend runs one, otherwise a zip) and
 * state machines with their DefinitionSubstitutions. Redeploying is
 * idempotent: each resource is read first and only created or updated when it
 * is missing or differs.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  AddPermissionCommand,
  CreateFunctionCommand,
  GetFunctionCommand,
  LambdaClient,
  TagResourceCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';
import type { FunctionConfiguration } from '@aws-sdk/client-lambda';
import { CreateBucketCommand, GetBucketNotificationConfigurationCommand, HeadBucketCommand, PutBucketNotificationConfigurationCommand, S3Client } from '@aws-sdk/client-s3';
import type { LambdaFunctionConfiguration } from '@aws-sdk/client-s3';
import { CreateSecretCommand, DescribeSecretCommand, GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateStateMachineCommand, DescribeStateMachineCommand, ListStateMachinesCommand, SFNClient, UpdateStateMachineCommand } from '@aws-sdk/client-sfn';
import { CreateTopicCommand, ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import type { Backend } from '../backends/backend.ts';
import { RehearseError } from '../core/index.ts';
import { createContext } from './context.ts';
import { resolveValue } from './intrinsics.ts';
import type { PhysicalResource, ResolveContext } from './intrinsics.ts';
import { loadTemplate } from './model.ts';
import type { FunctionSpec, StateMachineSpec, TemplateModel } from './model.ts';
import { buildFunctionZip } from './package.ts';
import { formatProblem } from './problems.ts';
import { placeholdersIn, substitute, validateTemplate } from './validate.ts';

export type ChangeAction = 'created' | 'updated' | 'unchanged' | 'skipped';

export interface DeployChange {
  /** CloudFormation type, e.g. `AWS::Serverless::Function`. */
  type: string;
  logicalId: string;
  physicalId: string;
  action: ChangeAction;
  /** What changed, or why it was skipped. */
  detail?: string;
}

export interface DeployOptions {
  /** Secret values by secret name (objects are stored as JSON text). */
  secrets?: Record<string, unknown>;
  /** Template parameter overrides. */
  parameters?: Record<string, string>;
  /** Extra environment variables for every function (e.g. CONFIG_CACHE_TTL_SECONDS=0 in tests). */
  environment?: Record<string, string>;
  /** Execution role for functions and state machines (emulators accept any ARN). Default: a role ARN named after the resource. */
  roleArn?: string;
  /**
   * Definition text to deploy instead of a state machine's own, by state
   * machine name, with that state machine's DefinitionSubstitutions applied —
   * an edited definition run against the template's functions, bucket and
   * secrets. A name the template does not define is an error.
   */
  definitionOverrides?: Record<string, string>;
  /** Skip the validation pass (it already ran). */
  skipValidation?: boolean;
  /** Progress lines. */
  log?: (line: string) => void;
}

export interface DeployResult {
  region: string;
  accountId: string;
  buckets: Record<string, string>;
  topics: Record<string, string>;
  secrets: Record<string, string>;
  functions: Record<string, { name: string; arn: string }>;
  /** State machine ARNs by logical id and by name. */
  stateMachines: Record<string, string>;
  changes: DeployChange[];
}

/** Backends may serve some services elsewhere (Step Functions Local); see harness/backends. */
function endpointFor(backend: Backend, service: string): string {
  const extra = (backend as Backend & { serviceEndpoints?: Partial<Record<string, string>> }).serviceEndpoints;
  return extra?.[service] ?? backend.endpoint;
}

function clientConfig(backend: Backend, service: string) {
  return { endpoint: endpointFor(backend, service), region: backend.region, credentials: backend.credentials };
}

const CODE_TAG = 'rehearse:code';

export async function deploy(template: string | TemplateModel, backend: Backend, options: DeployOptions = {}): Promise<DeployResult> {
  const log = options.log ?? (() => {});
  let model: TemplateModel;
  if (typeof template === 'string') {
    if (!options.skipValidation) {
      const report = await validateTemplate(template);
      const errors = report.problems.filter((p) => p.severity === 'ERROR');
      if (errors.length > 0) {
        throw new RehearseError('ERR_BAD_INPUT', `${template} has ${errors.length} problem${errors.length === 1 ? '' : 's'}:\n${errors.map((p) => `  ${formatProblem(p)}`).join('\n')}`, { location: { file: template } });
      }
    }
    const loaded = loadTemplate(template);
    if (!loaded.model) throw new RehearseError('ERR_BAD_INPUT', loaded.problems.map((p) => formatProblem(p)).join('\n'), { location: { file: template } });
    model = loaded.model;
  } else {
    model = template;
  }
  const s3 = new S3Client({ ...clientConfig(backend, 's3'), forcePathStyle: true });
  const secrets = new SecretsManagerClient(clientConfig(backend, 'secretsmanager'));
  const sns = new SNSClient(clientConfig(backend, 'sns'));
  const lambda = new LambdaClient(clientConfig(backend, 'lambda'));
  const sfn = new SFNClient(clientConfig(backend, 'states'));
  const changes: DeployChange[] = [];
  const change = (c: DeployChange) => {
    changes.push(c);
    log(`${c.action.padEnd(9)} ${c.type} ${c.logicalId} (${c.physicalId})${c.detail ? `: ${c.detail}` : ''}`);
  };
  try {
    // Topics first: their ARNs tell us the backend's account id, which every other ARN needs.
    const known = new Map<string, PhysicalResource>();
    let accountId = '000000000000';
    const preliminary = createContext(model, { region: backend.region, accountId, parameters: options.parameters ?? {} });
    // Before anything is created: an override must name a state machine of the
    // template, and use only placeholders that state machine's DefinitionSubstitutions define.
    const overrides = options.definitionOverrides ?? {};
    const byName = new Map(model.stateMachines.map((sm) => [stateMachineName(sm, preliminary), sm] as const));
    for (const [name, text] of Object.entries(overrides)) {
      const sm = byName.get(name);
      if (!sm) {
        throw new RehearseError('ERR_BAD_INPUT', `a definition was given for state machine ${name}, which ${model.file} does not define (it defines: ${[...byName.keys()].join(', ') || 'none'})`, { location: { file: model.file } });
      }
      const unknown = placeholdersIn(text).filter((p) => !Object.hasOwn(sm.substitutions, p));
      if (unknown.length) {
        throw new RehearseError(
          'ERR_BAD_INPUT',
          `the definition given for state machine ${name} has placeholders its DefinitionSubstitutions in ${model.file} do not define: ${unknown.map((p) => `\${${p}}`).join(', ')} (defined: ${Object.keys(sm.substitutions).join(', ') || 'none'})`,
          { location: { file: model.file } },
        );
      }
    }
    const topics: Record<string, string> = {};
    const existingTopics = new Set<string>();
    let topicToken: string | undefined;
    do {
      const page = await sns.send(new ListTopicsCommand({ NextToken: topicToken }));
      for (const t of page.Topics ?? []) if (t.TopicArn) existingTopics.add(t.TopicArn);
      topicToken = page.NextToken;
    } while (topicToken);
    for (const t of model.topics) {
      const name = String(resolveValue(t.name, preliminary));
      // CreateTopic is idempotent: it returns the existing topic's ARN.
      const out = await sns.send(new CreateTopicCommand({ Name: name }));
      const arn = out.TopicArn ?? '';
      topics[t.logicalId] = arn;
      accountId = arn.split(':')[4] || accountId;
      known.set(t.logicalId, { ref: arn, attributes: { TopicArn: arn, TopicName: name } });
      change({ type: 'AWS::SNS::Topic', logicalId: t.logicalId, physicalId: arn, action: existingTopics.has(arn) ? 'unchanged' : 'created' });
    }
    let ctx = createContext(model, { region: backend.region, accountId, parameters: options.parameters ?? {}, known });

    const buckets: Record<string, string> = {};
    for (const b of model.buckets) {
      const name = String(ctx.resource(b.logicalId)?.ref);
      buckets[b.logicalId] = name;
      const exists = await s3.send(new HeadBucketCommand({ Bucket: name })).then(
        () => true,
        (e: unknown) => {
          if ((e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return false;
          throw e;
        },
      );
      if (!exists) {
        await s3.send(new CreateBucketCommand({ Bucket: name, ...(backend.region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: backend.region as never } }) }));
      }
      change({ type: 'AWS::S3::Bucket', logicalId: b.logicalId, physicalId: name, action: exists ? 'unchanged' : 'created' });
    }

    const secretArns: Record<string, string> = {};
    for (const s of model.secrets) {
      const name = String(resolveValue(s.name, ctx));
      const value = options.secrets?.[name];
      if (value === undefined) {
        change({ type: 'AWS::SecretsManager::Secret', logicalId: s.logicalId, physicalId: name, action: 'skipped', detail: 'no value given (scenario given.secrets or a fixtures file); the template holds none by design' });
        continue;
      }
      const text = typeof value === 'string' ? value : JSON.stringify(value);
      const existing = await secrets.send(new DescribeSecretCommand({ SecretId: name })).catch((e: unknown) => {
        if ((e as { name?: string }).name === 'ResourceNotFoundException') return undefined;
        throw e;
      });
      if (!existing) {
        const out = await secrets.send(new CreateSecretCommand({ Name: name, SecretString: text, ...(s.description ? { Description: s.description } : {}) }));
        secretArns[s.logicalId] = out.ARN ?? name;
        change({ type: 'AWS::SecretsManager::Secret', logicalId: s.logicalId, physicalId: name, action: 'created' });
        continue;
      }
      secretArns[s.logicalId] = existing.ARN ?? name;
      const current = await secrets.send(new GetSecretValueCommand({ SecretId: name })).then(
        (o) => o.SecretString,
        () => undefined,
      );
      if (current === text) {
        change({ type: 'AWS::SecretsManager::Secret', logicalId: s.logicalId, physicalId: name, action: 'unchanged' });
      } else {
        await secrets.send(new PutSecretValueCommand({ SecretId: name, SecretString: text }));
        change({ type: 'AWS::SecretsManager::Secret', logicalId: s.logicalId, physicalId: name, action: 'updated', detail: 'new secret version' });
      }
    }

    // Functions. Their environment may name a state machine (start-processing): its ARN is
    // predicted here and corrected below if the backend named it differently.
    const repoRoot = path.resolve(model.dir, '..');
    const functions: Record<string, { name: string; arn: string }> = {};
    const roleFor = (name: string) => options.roleArn ?? `arn:aws:iam::${accountId}:role/${name}-role`;
    const envOf = (f: FunctionSpec, c: ResolveContext): Record<string, string> => {
      const env: Record<string, string> = {};
      for (const [k, v] of Object.entries(f.environment)) {
        const r = resolveValue(v, c);
        env[k] = typeof r === 'string' ? r : JSON.stringify(r);
      }
      return { ...env, ...(options.environment ?? {}) };
    };
    for (const f of model.functions) {
      const name = String(ctx.resource(f.logicalId)?.ref);
      const arn = await deployFunction(lambda, backend, f, name, envOf(f, ctx), roleFor(name), repoRoot, change);
      functions[f.logicalId] = { name, arn };
      known.set(f.logicalId, { ref: name, attributes: { Arn: arn } });
    }
    ctx = createContext(model, { region: backend.region, accountId, parameters: options.parameters ?? {}, known });

    // Bucket notifications → functions (S3 events in the function's Events).
    const notifications = new Map<string, LambdaFunctionConfiguration[]>();
    for (const f of model.functions) {
      for (const ev of f.events) {
        const bucketId = (ev.bucket as { Ref?: string }).Ref ?? '';
        const bucket = buckets[bucketId];
        if (!bucket) continue;
        const rules = [...(ev.prefix !== undefined ? [{ Name: 'prefix' as const, Value: ev.prefix }] : []), ...(ev.suffix !== undefined ? [{ Name: 'suffix' as const, Value: ev.suffix }] : [])];
        const list = notifications.get(bucket) ?? [];
        list.push({
          Id: `${f.logicalId}-${ev.eventId}`,
          LambdaFunctionArn: functions[f.logicalId]!.arn,
          Events: ev.events as never,
          ...(rules.length ? { Filter: { Key: { FilterRules: rules } } } : {}),
        });
        notifications.set(bucket, list);
        // S3 needs permission to invoke the function (what SAM adds as AWS::Lambda::Permission).
        await lambda
          .send(new AddPermissionCommand({ FunctionName: functions[f.logicalId]!.name, StatementId: `s3-${bucket}-${ev.eventId}`.slice(0, 100), Action: 'lambda:InvokeFunction', Principal: 's3.amazonaws.com', SourceArn: `arn:aws:s3:::${bucket}` }))
          .catch((e: unknown) => {
            if ((e as { name?: string }).name !== 'ResourceConflictException') log(`warning: AddPermission for ${functions[f.logicalId]!.name}: ${(e as Error).message}`);
          });
      }
    }
    for (const [bucket, configs] of notifications) {
      const logicalId = Object.entries(buckets).find(([, n]) => n === bucket)?.[0] ?? bucket;
      const current = await s3.send(new GetBucketNotificationConfigurationCommand({ Bucket: bucket }));
      if (sameNotifications(current.LambdaFunctionConfigurations ?? [], configs)) {
        change({ type: 'AWS::S3::BucketNotification', logicalId, physicalId: bucket, action: 'unchanged' });
        continue;
      }
      await s3.send(new PutBucketNotificationConfigurationCommand({ Bucket: bucket, NotificationConfiguration: { LambdaFunctionConfigurations: configs } }));
      change({ type: 'AWS::S3::BucketNotification', logicalId, physicalId: bucket, action: current.LambdaFunctionConfigurations?.length ? 'updated' : 'created', detail: configs.map((c) => `${c.Events?.join(',')} ${c.Filter?.Key?.FilterRules?.map((r) => `${r.Name}=${r.Value}`).join(' ') ?? ''} → ${c.LambdaFunctionArn}`).join('; ') });
    }

    // State machines.
    const existing = new Map<string, string>();
    let nextToken: string | undefined;
    do {
      const page = await sfn.send(new ListStateMachinesCommand({ nextToken }));
      for (const m of page.stateMachines ?? []) if (m.name && m.stateMachineArn) existing.set(m.name, m.stateMachineArn);
      nextToken = page.nextToken;
    } while (nextToken);
    const stateMachines: Record<string, string> = {};
    for (const sm of model.stateMachines) {
      const name = stateMachineName(sm, ctx);
      const definition = resolvedDefinitionText(sm, ctx, overrides[name]);
      const roleArn = options.roleArn ?? `arn:aws:iam::${accountId}:role/StepFunctions-${name}-role`;
      const arn = existing.get(name);
      let finalArn: string;
      if (!arn) {
        const out = await sfn.send(new CreateStateMachineCommand({ name, definition, roleArn, type: sm.type }));
        finalArn = out.stateMachineArn ?? '';
        change({ type: 'AWS::Serverless::StateMachine', logicalId: sm.logicalId, physicalId: finalArn, action: 'created' });
      } else {
        finalArn = arn;
        const current = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: arn }));
        if (normaliseJson(current.definition) === normaliseJson(definition)) {
          change({ type: 'AWS::Serverless::StateMachine', logicalId: sm.logicalId, physicalId: arn, action: 'unchanged' });
        } else {
          await sfn.send(new UpdateStateMachineCommand({ stateMachineArn: arn, definition, roleArn }));
          change({ type: 'AWS::Serverless::StateMachine', logicalId: sm.logicalId, physicalId: arn, action: 'updated', detail: 'definition changed' });
        }
      }
      stateMachines[sm.logicalId] = finalArn;
      stateMachines[name] = finalArn;
      known.set(sm.logicalId, { ref: finalArn, attributes: { Arn: finalArn, Name: name, StateMachineName: name } });
    }

    // Environment that named a state machine before it existed: fix it if the prediction was off.
    const finalCtx = createContext(model, { region: backend.region, accountId, parameters: options.parameters ?? {}, known });
    for (const f of model.functions) {
      const before = envOf(f, ctx);
      const after = envOf(f, finalCtx);
      if (JSON.stringify(before) !== JSON.stringify(after)) {
        await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: functions[f.logicalId]!.name, Environment: { Variables: after } }));
        await waitUpdated(lambda, functions[f.logicalId]!.name);
        change({ type: 'AWS::Serverless::Function', logicalId: f.logicalId, physicalId: functions[f.logicalId]!.name, action: 'updated', detail: 'environment now names the deployed state machine ARNs' });
      }
    }
    return { region: backend.region, accountId, buckets, topics, secrets: secretArns, functions, stateMachines, changes };
  } finally {
    for (const c of [s3, secrets, sns, lambda, sfn]) c.destroy();
  }
}

/** Same functions, events and filters (order and Ids aside). */
function sameNotifications(current: LambdaFunctionConfiguration[], wanted: LambdaFunctionConfiguration[]): boolean {
  const key = (c: LambdaFunctionConfiguration) =>
    JSON.stringify([c.LambdaFunctionArn, [...(c.Events ?? [])].sort(), (c.Filter?.Key?.FilterRules ?? []).map((r) => `${String(r.Name).toLowerCase()}=${r.Value}`).sort()]);
  return JSON.stringify(current.map(key).sort()) === JSON.stringify(wanted.map(key).sort());
}

function normaliseJson(text: string | undefined): string {
  try {
    return JSON.stringify(JSON.parse(text ?? ''));
  } catch {
    return text ?? '';
  }
}

function stateMachineName(sm: StateMachineSpec, ctx: ResolveContext): string {
  return String(ctx.resource(sm.logicalId)?.attributes.Name);
}

/**
 * A state machine's definition as deploy creates it: read (or `override`, a
 * replacement text), and its DefinitionSubstitutions resolved in `ctx`.
 */
export function resolvedDefinitionText(sm: StateMachineSpec, ctx: ResolveContext, override?: string): string {
  const text =
    override ?? (sm.definitionFile ? readFileSync(sm.definitionFile, 'utf8') : typeof sm.inlineDefinition === 'string' ? sm.inlineDefinition : JSON.stringify(sm.inlineDefinition));
  const values: Record<string, string> = {};
  for (const [k, v] of Object.entries(sm.substitutions)) {
    const r = resolveValue(v, ctx);
    values[k] = typeof r === 'string' ? r : JSON.stringify(r);
  }
  return substitute(text, values);
}

async function waitUpdated(lambda: LambdaClient, name: string): Promise<void> {
  await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 120, minDelay: 1, maxDelay: 2 }, { FunctionName: name });
}

async function deployFunction(
  lambda: LambdaClient,
  backend: Backend,
  f: FunctionSpec,
  name: string,
  environment: Record<string, string>,
  role: string,
  repoRoot: string,
  change: (c: DeployChange) => void,
): Promise<string> {
  const type = 'AWS::Serverless::Function';
  const local = backend.capabilities.localCodeDirectories;
  let code: { S3Bucket: string; S3Key: string } | { ZipFile: Uint8Array };
  let handler: string;
  let codeId: string;
  if (local) {
    if (!f.codeDir || !f.localHandler) throw new RehearseError('ERR_BAD_INPUT', `${f.logicalId}: no code directory (see rehearse validate)`);
    // LocalStack's hot-reload convention, which the embedded Lambda service also runs in place.
    code = { S3Bucket: 'hot-reload', S3Key: f.codeDir };
    handler = f.localHandler;
    codeId = `dir:${f.codeDir}`;
  } else {
    const zip = await buildFunctionZip(f, repoRoot);
    code = { ZipFile: zip.zip };
    handler = zip.handler;
    codeId = `zip:${zip.sha256}`;
  }
  const config = {
    Runtime: f.runtime as never,
    Handler: handler,
    MemorySize: f.memorySize,
    Timeout: f.timeout,
    Role: role,
    Environment: { Variables: environment },
    ...(f.description ? { Description: f.description } : {}),
  };
  const current = await lambda.send(new GetFunctionCommand({ FunctionName: name })).catch((e: unknown) => {
    if ((e as { name?: string }).name === 'ResourceNotFoundException') return undefined;
    throw e;
  });
  if (!current?.Configuration) {
    const out = await lambda.send(new CreateFunctionCommand({ FunctionName: name, ...config, Architectures: f.architectures as never, Code: code, Tags: { [CODE_TAG]: codeId.slice(0, 256) } }));
    await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 120, minDelay: 1, maxDelay: 2 }, { FunctionName: name });
    change({ type, logicalId: f.logicalId, physicalId: name, action: 'created', detail: local ? `local code ${f.codeDir}` : 'zip' });
    return out.FunctionArn ?? '';
  }
  const arn = current.Configuration.FunctionArn ?? '';
  const diffs = configDiffs(current.Configuration, config);
  if (diffs.length > 0) {
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, ...config }));
    await waitUpdated(lambda, name);
  }
  const codeChanged = current.Tags?.[CODE_TAG] !== codeId.slice(0, 256);
  if (codeChanged) {
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: name, ...code }));
    await waitUpdated(lambda, name);
    await lambda.send(new TagResourceCommand({ Resource: arn, Tags: { [CODE_TAG]: codeId.slice(0, 256) } }));
    diffs.push('code');
  }
  change({ type, logicalId: f.logicalId, physicalId: name, action: diffs.length ? 'updated' : 'unchanged', ...(diffs.length ? { detail: diffs.join(', ') } : {}) });
  return arn;
}

function configDiffs(current: FunctionConfiguration, wanted: { Runtime: unknown; Handler: string; MemorySize: number; Timeout: number; Role: string; Environment: { Variables: Record<string, string> }; Description?: string }): string[] {
  const diffs: string[] = [];
  if (current.Runtime !== wanted.Runtime) diffs.push('Runtime');
  if (current.Handler !== wanted.Handler) diffs.push('Handler');
  if (current.MemorySize !== wanted.MemorySize) diffs.push('MemorySize');
  if (current.Timeout !== wanted.Timeout) diffs.push('Timeout');
  if (JSON.stringify(sortKeys(current.Environment?.Variables ?? {})) !== JSON.stringify(sortKeys(wanted.Environment.Variables))) diffs.push('Environment');
  if ((current.Description ?? '') !== (wanted.Description ?? '')) diffs.push('Description');
  return diffs;
}

function sortKeys(o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
}
