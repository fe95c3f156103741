/**
 * `rehearse init`: what it writes into an existing repository — a
 * rehearse.config.yaml naming the template it found, and one starter scenario
 * per state machine (started with an input the template gives it, else `{}`,
 * expecting SUCCEEDED), or, in a template without state machines, per
 * function (a message on its SQS queue, an upload to its bucket, else an
 * invoke: with the request an API event would hand it, the event envelope
 * an EventBridge rule or schedule would, an empty `Records` batch for record
 * events) — never replacing a file that exists unless forced.
 * The command (harness/cli/commands/init.ts) prints; this module decides.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { stringify } from 'yaml';
import type { TemplateModel } from '../deploy/index.ts';
import { referencedResource } from '../deploy/intrinsics.ts';
import { RehearseError } from '../core/index.ts';
import { schemaComment } from './schema-path.ts';
import { readSamConfig, samConfigIn, type SamConfig } from './samconfig.ts';
import { CDK_MANIFEST, scanTemplates, templateFileOf } from './templates.ts';

export interface InitOptions {
  /** The repository root (where rehearse.config.yaml goes). */
  root: string;
  /** A template chosen on the command line (relative to root); otherwise the one found. */
  template?: string;
  /** Where the starter scenarios go (relative to root; default scenarios). */
  scenarios?: string;
  /** Replace files that exist. */
  force?: boolean;
}

export interface InitFile {
  path: string;
  action: 'written' | 'replaced' | 'kept';
}

export interface InitResult {
  /** Every template found, the chosen one first. */
  found: string[];
  template: string;
  /** How it was chosen: `--template`, `samconfig.toml template_file`, `found`. */
  chosenBy: string;
  samconfig?: SamConfig;
  stateMachines: string[];
  functions: string[];
  files: InitFile[];
}

/** The templates a repository holds, and the one init uses. */
function chooseTemplate(o: InitOptions): { template: string; found: string[]; chosenBy: string; samconfig?: SamConfig } {
  const samFile = samConfigIn(o.root);
  const samconfig = samFile ? readSamConfig(samFile) : undefined;
  const found = scanTemplates(o.root);
  if (o.template !== undefined) {
    const t = templateFileOf(resolve(o.root, o.template), '--template');
    return { template: t, found: [t, ...found.filter((f) => f !== t)], chosenBy: '--template', ...(samconfig ? { samconfig } : {}) };
  }
  if (samconfig?.templateFile && existsSync(samconfig.templateFile)) {
    const t = samconfig.templateFile;
    return { template: t, found: [t, ...found.filter((f) => f !== t)], chosenBy: `${relative(o.root, samconfig.file)} template_file`, samconfig };
  }
  if (found.length === 0) {
    throw new RehearseError('ERR_BAD_INPUT', `no template found in ${o.root}: no template.yaml|yml|json, no file that reads as a CloudFormation template (a few folders deep), no ${CDK_MANIFEST}`, {
      hint: 'name it: rehearse init --template path/to/template.yaml (for CDK, run cdk synth first)',
    });
  }
  // A synthesized CDK app: the stacks come last in `found`; with only stacks, the first is as good a guess as any.
  return { template: found[0]!, found, chosenBy: 'found', ...(samconfig ? { samconfig } : {}) };
}

/** The first event of a state machine that carries an `Input` (Schedule, EventBridge rule…), parsed; else {}. */
function starterInput(model: TemplateModel, logicalId: string): unknown {
  const raw = model.template.resources[logicalId];
  const events = raw?.Properties && typeof raw.Properties.Events === 'object' && raw.Properties.Events ? (raw.Properties.Events as Record<string, unknown>) : {};
  for (const ev of Object.values(events)) {
    const props = (ev as { Properties?: { Input?: unknown } })?.Properties;
    if (typeof props?.Input === 'string') {
      try {
        return JSON.parse(props.Input) as unknown;
      } catch {
        /* not JSON: keep looking */
      }
    } else if (props?.Input && typeof props.Input === 'object') return props.Input;
  }
  return {};
}

function slug(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'workflow';
}

function configText(model: TemplateModel, template: string, scenarios: string, root: string, samconfig: SamConfig | undefined): string {
  const lines = [
    '# Rehearse configuration: what `npx rehearse run` deploys and where its scenarios are.',
    '# Reference: node_modules/rehearse-aws/docs/configuration.md — precedence: command-line',
    '# flags > this file > samconfig.toml parameter_overrides > the template\'s defaults.',
    `template: ${relative(root, template)}`,
    `scenarios: ${scenarios}`,
  ];
  const params = Object.entries(model.template.parameters);
  const given = samconfig?.parameterOverrides ?? {};
  const required = params.filter(([k, p]) => p.default === undefined && given[k] === undefined);
  const optional = params.filter(([k, p]) => !(p.default === undefined && given[k] === undefined));
  if (params.length > 0) {
    lines.push('', '# Template parameters for local runs.');
    if (required.length > 0) {
      lines.push('parameters:');
      for (const [k] of required) lines.push(`  ${k}: ''   # required: the template has no Default (and samconfig sets none)`);
    } else lines.push('# parameters:');
    for (const [k, p] of optional) {
      const from = given[k] !== undefined ? `samconfig: ${given[k]}` : `default: ${p.default}`;
      lines.push(`#   ${k}: ${JSON.stringify(given[k] ?? p.default)}   # ${from}`);
    }
  }
  const withEnv = model.functions.filter((f) => Object.keys(f.environment).length > 0);
  lines.push('', "# Lambda environment variables, by function logical id or FunctionName ('*': every function).", '# environment:');
  for (const f of (withEnv.length > 0 ? withEnv : model.functions).slice(0, 20)) {
    lines.push(`#   ${f.logicalId}:`);
    const vars = Object.entries(f.environment).slice(0, 5);
    if (vars.length === 0) lines.push('#     LOG_LEVEL: debug');
    for (const [k, v] of vars) lines.push(`#     ${k}: ${JSON.stringify(v)}`);
  }
  return `${lines.join('\n')}\n`;
}

function scenarioText(name: string, input: unknown, schemaLine: string): string {
  const doc = {
    name: `${name} succeeds`,
    workflow: name,
    when: [{ start: { input } }],
    then: { execution: { status: 'SUCCEEDED' } },
  };
  return `${schemaLine}\n# A starter: start ${name} and expect it to succeed. Add what it should do —\n# given (secrets, objects, faults), more steps, then (output, path, states, objects).\n${stringify(doc, { flowCollectionPadding: true })}`;
}

/** What starts a function, as a starter scenario can do it: a message on its queue, an object in its bucket, else an invoke. */
type FunctionTrigger = { kind: 'queue'; queue: string } | { kind: 'bucket'; bucket: string; key: string } | { kind: 'invoke'; payload: unknown };

/** Event types whose events are a `Records` list: an invoke starter sends an empty one, which a handler of them can take. */
const RECORDS_EVENTS = new Set(['DynamoDB', 'Kinesis', 'SQS', 'SNS', 'S3', 'MSK', 'MQ', 'SelfManagedKafka', 'DocumentDB']);

/** The logical id a `!GetAtt X.Arn` or `!Ref X` names, when it is one of the template's resources of that type. */
function resourceOf(model: TemplateModel, written: unknown, type: string): string | undefined {
  const id = referencedResource(written)?.id;
  return id !== undefined && model.template.resources[id]?.Type === type ? id : undefined;
}

function specName(model: TemplateModel, logicalId: string): string | undefined {
  const spec = model.resources.find((r) => r.logicalId === logicalId)?.spec as { name?: unknown } | undefined;
  return typeof spec?.name === 'string' ? spec.name : undefined;
}

/** A key an S3 event's filter lets through (`prefix` + `starter` + `suffix`). */
function keyThrough(filter: unknown): string {
  const rules = (filter as { S3Key?: { Rules?: Array<{ Name?: unknown; Value?: unknown }> } } | undefined)?.S3Key?.Rules ?? [];
  const rule = (name: string) => rules.find((r) => String(r.Name).toLowerCase() === name)?.Value;
  const prefix = typeof rule('prefix') === 'string' ? (rule('prefix') as string) : '';
  const suffix = typeof rule('suffix') === 'string' ? (rule('suffix') as string) : '.txt';
  return `${prefix}starter${suffix}`;
}

/** The first SQS or S3 event of a SAM function whose queue or bucket the template makes; else an invoke with what its first other event would hand it. */
function triggerOf(model: TemplateModel, logicalId: string): FunctionTrigger {
  const raw = model.template.resources[logicalId];
  const events = raw?.Properties && typeof raw.Properties.Events === 'object' && raw.Properties.Events ? (raw.Properties.Events as Record<string, unknown>) : {};
  let payload: unknown;
  for (const ev of Object.values(events)) {
    const { Type: type, Properties: props } = (ev ?? {}) as { Type?: unknown; Properties?: Record<string, unknown> };
    if (typeof type === 'string' && RECORDS_EVENTS.has(type)) payload ??= { Records: [] };
    if (type === 'Api' || type === 'HttpApi') payload ??= apiEvent(type, props?.Method, props?.Path);
    if (type === 'Schedule' || type === 'EventBridgeRule' || type === 'CloudWatchEvent') payload ??= props?.Input !== undefined ? inputOf(props.Input) : eventEnvelope(type, props?.Pattern);
    if (type === 'SQS') {
      const id = resourceOf(model, props?.Queue, 'AWS::SQS::Queue');
      const queue = id === undefined ? undefined : specName(model, id);
      if (queue !== undefined) return { kind: 'queue', queue };
    }
    if (type === 'S3') {
      const id = resourceOf(model, props?.Bucket, 'AWS::S3::Bucket');
      const bucket = id === undefined ? undefined : specName(model, id);
      if (bucket !== undefined) return { kind: 'bucket', bucket, key: keyThrough(props?.Filter) };
    }
  }
  return { kind: 'invoke', payload: payload ?? {} };
}

/** A rule target's `Input` as the function receives it (JSON text parsed; other text as it is). */
function inputOf(input: unknown): unknown {
  if (typeof input !== 'string') return input;
  try {
    return JSON.parse(input) as unknown;
  } catch {
    return input;
  }
}

/**
 * The event an EventBridge rule hands the function: a `Scheduled Event` for a
 * schedule, else an envelope with the first `source` and `detail-type` its
 * pattern matches (and an empty `detail` to fill in).
 * https://docs.aws.amazon.com/eventbridge/latest/ref/overiew-event-structure.html
 */
function eventEnvelope(type: string, pattern: unknown): Record<string, unknown> {
  const first = (key: string) => {
    const v = pattern && typeof pattern === 'object' ? (pattern as Record<string, unknown>)[key] : undefined;
    return Array.isArray(v) && typeof v[0] === 'string' ? v[0] : undefined;
  };
  const scheduled = type === 'Schedule';
  return {
    version: '0',
    id: '00000000-0000-0000-0000-000000000000',
    'detail-type': scheduled ? 'Scheduled Event' : (first('detail-type') ?? 'Example'),
    source: scheduled ? 'aws.events' : (first('source') ?? 'example.app'),
    account: '000000000000',
    time: '2026-01-01T00:00:00Z',
    region: 'us-east-1',
    resources: [],
    detail: {},
  };
}

/**
 * The request an API event hands the function, in its payload format: REST
 * (`Api`, 1.0) or HTTP API (`HttpApi`, 2.0), for the event's method and path
 * (`{id}` segments filled with `example`) — API Gateway itself is not
 * emulated, so the starter invokes the function as API Gateway would.
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html
 */
function apiEvent(type: 'Api' | 'HttpApi', method: unknown, path: unknown): Record<string, unknown> {
  const verb = typeof method === 'string' && method.toLowerCase() !== 'any' ? method.toUpperCase() : 'GET';
  const template = typeof path === 'string' ? path : '/';
  const names = [...template.matchAll(/\{([^}+]+)\+?\}/g)].map((m) => m[1]!);
  const rawPath = template.replace(/\{[^}]+\}/g, 'example');
  const pathParameters = names.length > 0 ? Object.fromEntries(names.map((n) => [n, 'example'])) : null;
  if (type === 'HttpApi') {
    return {
      version: '2.0',
      routeKey: `${verb} ${template}`,
      rawPath,
      rawQueryString: '',
      headers: { 'content-type': 'application/json' },
      ...(pathParameters ? { pathParameters } : {}),
      requestContext: { http: { method: verb, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'rehearse' }, routeKey: `${verb} ${template}`, stage: '$default' },
      isBase64Encoded: false,
    };
  }
  return {
    resource: template,
    path: rawPath,
    httpMethod: verb,
    headers: { 'Content-Type': 'application/json' },
    queryStringParameters: null,
    pathParameters,
    body: null,
    isBase64Encoded: false,
    requestContext: { resourcePath: template, httpMethod: verb, path: `/Prod${rawPath}`, stage: 'Prod', identity: { sourceIp: '127.0.0.1', userAgent: 'rehearse' } },
  };
}

/** A starter for a function of a template without state machines: what starts it, and that it ran. */
function functionScenarioText(fn: string, trigger: FunctionTrigger, schemaLine: string): string {
  const [doc, comment] =
    trigger.kind === 'queue'
      ? [
          { name: `${fn} handles a message from ${trigger.queue}`, deploy: true, when: [{ send: { queue: trigger.queue, body: {} } }], then: { invocations: { [fn]: { atLeast: 1 } } } },
          `send a message to ${trigger.queue} and expect ${fn} to run. Give the body its handler reads,
# then check what it does (then.items, then.objects, then.messages, then.sns…).`,
        ]
      : trigger.kind === 'bucket'
        ? [
            { name: `${fn} handles an upload to ${trigger.bucket}`, deploy: true, when: [{ upload: { bucket: trigger.bucket, key: trigger.key, text: 'hello', expectExecution: false } }], then: { invocations: { [fn]: { atLeast: 1 } } } },
            `upload an object to ${trigger.bucket} and expect ${fn} to run. Upload what its handler reads
# (file, image, json), then check what it does (then.objects, then.items, then.sns…).`,
          ]
        : [
            { name: `${fn} answers an invoke`, deploy: true, when: [{ invoke: { function: fn, payload: trigger.payload } }] },
            `invoke ${fn} and expect no error. Give the payload its handler reads, match the answer
# (expectOutput), then check what it does (then.items, then.objects, then.sns…).`,
          ];
  return `${schemaLine}
# A starter: ${comment}
${stringify(doc, { flowCollectionPadding: true })}`;
}

/** Writes what init writes; `loadModel` reads the template (harness/deploy's loadTemplate). */
export async function initProject(o: InitOptions, loadModel: (file: string, parameters: Record<string, string>, stackName: string | undefined) => TemplateModel | undefined): Promise<InitResult> {
  const chosen = chooseTemplate(o);
  // With the stack name a run uses (samconfig's, else the default), so the names in starters are the deployed ones.
  const model = loadModel(chosen.template, chosen.samconfig?.parameterOverrides ?? {}, chosen.samconfig?.stackName);
  if (!model) throw new RehearseError('ERR_BAD_INPUT', `${relative(o.root, chosen.template)} cannot be read as a template (rehearse validate ${relative(o.root, chosen.template)} says why)`);
  const scenarios = o.scenarios ?? 'scenarios';
  const files: InitFile[] = [];
  const write = (file: string, text: string) => {
    const exists = existsSync(file);
    if (exists && !o.force) return files.push({ path: file, action: 'kept' });
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    files.push({ path: file, action: exists ? 'replaced' : 'written' });
  };
  write(join(o.root, 'rehearse.config.yaml'), configText(model, chosen.template, scenarios, o.root, chosen.samconfig));
  const scenarioDir = resolve(o.root, scenarios);
  const schemaLine = schemaComment(scenarioDir);
  for (const sm of model.stateMachines) {
    write(join(scenarioDir, `${slug(sm.name)}.yaml`), scenarioText(sm.name, starterInput(model, sm.logicalId), schemaLine));
  }
  // An event-driven project (no state machine): a starter per function, started as its events start it.
  if (model.stateMachines.length === 0) {
    for (const fn of model.functions.filter((f) => f.notRunnable === undefined)) {
      write(join(scenarioDir, `${slug(fn.logicalId)}.yaml`), functionScenarioText(fn.name, triggerOf(model, fn.logicalId), schemaLine));
    }
  }
  return {
    found: chosen.found,
    template: chosen.template,
    chosenBy: chosen.chosenBy,
    ...(chosen.samconfig ? { samconfig: chosen.samconfig } : {}),
    stateMachines: model.stateMachines.map((s) => s.name),
    functions: model.functions.map((f) => f.logicalId),
    files,
  };
}

