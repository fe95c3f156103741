/**
 * AWS::Serverless::Function and AWS::Lambda::Function: the code found on this
 * machine (functions/code.ts), the handler checked as Lambda resolves it
 * (functions/handler.ts), the runtime run on this machine's interpreter
 * (functions/runtime.ts), then CreateFunction / UpdateFunction* through the
 * SDK — a local folder where the backend runs one, a zip otherwise. SAM
 * `Events` become event sources (events/registry.ts); event types the endpoint
 * cannot deliver are one warning each.
 * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-resource-function.html
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-lambda-function.html
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import {
  CreateFunctionCommand,
  GetFunctionCommand,
  ListFunctionsCommand,
  TagResourceCommand,
  UpdateFunctionCodeCommand,
  UpdateFunctionConfigurationCommand,
  waitUntilFunctionActiveV2,
  waitUntilFunctionUpdatedV2,
} from '@aws-sdk/client-lambda';
import type { FunctionConfiguration, LambdaClient } from '@aws-sdk/client-lambda';
import { RehearseError } from '../../core/index.ts';
import { eventSourceForSamType, samEventNotDeployedReason } from '../events/registry.ts';
import { lambdaClient } from '../events/s3.ts';
import { locateCode } from '../functions/code.ts';
import { checkNodeHandler, checkPythonHandler } from '../functions/handler.ts';
import { installRequirements, notInstalledWarning, pipUnavailable, requirementsFile } from '../functions/requirements.ts';
import { checkRuntime } from '../functions/runtime.ts';
import type { PhysicalResource, ResolveContext } from '../intrinsics.ts';
import { buildFunctionZip, buildPythonZip } from '../package.ts';
import { isObj, type Obj } from '../template.ts';
import { publishLayerFolder } from './layer-version.ts';
import type { DeployScope, ResourceInput, ResourceModule, Wiring } from './types.ts';
import { everyName } from './listing.ts';

export interface FunctionSpec {
  logicalId: string;
  type: string;
  name: string;
  runtime: string | undefined;
  /** The Handler as written (`index.handler`, `app.lambda_handler`). */
  handler: string | undefined;
  memorySize: number;
  timeout: number;
  architectures: string[];
  environment: Record<string, string>;
  description?: string;
  /** The code folder (CodeUri, an extracted zip, inline code written out, a CDK asset). */
  codeUri: string | undefined;
  /** How the code was found, for messages. */
  codeOrigin?: string;
  /** Absolute path of the esbuild entry point (Metadata.BuildProperties.EntryPoints[0]), when bundled. */
  entryPoint?: string;
  /** Modules esbuild leaves out of the bundle (BuildProperties.External). */
  external: string[];
  /** The folder the handler module lives in: what a local-code backend runs. */
  codeDir: string | undefined;
  /** Handler relative to codeDir (`index.handler`). */
  localHandler: string | undefined;
  /** Layer version ARNs (Layers) the endpoint has: the template's own layers (others are a warning and left out). */
  layers: string[];
  /** Set when the function cannot run here: it is reported and not deployed. */
  notRunnable?: string;
  /** The interpreter's version differs from Runtime's (said once per function). */
  versionNote?: string;
}

const CODE_TAG = 'rehearse:code';

function numberOf(v: unknown, fallback: number): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return fallback;
}

function text(v: unknown): string {
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
}

/** The esbuild entry point and the handler it runs as: `EntryPoints [src/app.ts]` + `Handler app.handler`. */
function esbuildEntry(spec: FunctionSpec, metadata: Obj, input: ResourceInput): void {
  const build = isObj(metadata.BuildProperties) ? metadata.BuildProperties : {};
  spec.external = Array.isArray(build.External) ? build.External.map(String) : [];
  const handler = spec.handler!;
  const mod = handler.slice(0, handler.lastIndexOf('.'));
  const exportName = handler.slice(handler.lastIndexOf('.') + 1);
  const entries = Array.isArray(build.EntryPoints) ? build.EntryPoints : undefined;
  if (metadata.BuildMethod !== 'esbuild' || !entries || typeof entries[0] !== 'string') return;
  // sam build writes each bundle at the artifact's root named after its entry point's file,
  // so Handler names that file: EntryPoints [validate-image/index.ts] → index.handler.
  spec.entryPoint = path.resolve(spec.codeUri!, entries[0]);
  const base = path.basename(spec.entryPoint).replace(/\.[^.]+$/, '');
  if (!existsSync(spec.entryPoint)) input.problem(`EntryPoints[0] ${JSON.stringify(entries[0])} does not exist (resolved to ${spec.entryPoint})`, 'Metadata.BuildProperties.EntryPoints');
  else if (path.basename(mod) !== base) input.problem(`Handler ${handler} does not match the esbuild entry point ${entries[0]} (expected ${base}.${exportName})`, 'Properties.Handler');
  spec.codeDir = path.dirname(spec.entryPoint);
  spec.localHandler = `${base}.${exportName}`;
}

function readFunction(input: ResourceInput): FunctionSpec | undefined {
  const p = input.properties;
  const missing = (k: string) => !input.unresolved.has(k);
  const spec: FunctionSpec = {
    logicalId: input.logicalId,
    type: input.type,
    name: typeof p.FunctionName === 'string' ? p.FunctionName : input.logicalId,
    runtime: typeof p.Runtime === 'string' ? p.Runtime : undefined,
    handler: typeof p.Handler === 'string' ? p.Handler : undefined,
    memorySize: numberOf(p.MemorySize, 128),
    timeout: numberOf(p.Timeout, 3),
    architectures: Array.isArray(p.Architectures) ? p.Architectures.map(String) : ['x86_64'],
    environment: {},
    codeUri: undefined,
    external: [],
    codeDir: undefined,
    localHandler: undefined,
    layers: functionLayers(p.Layers, input),
  };
  if (isObj(p.Environment) && isObj(p.Environment.Variables)) {
    for (const [k, v] of Object.entries(p.Environment.Variables)) spec.environment[k] = text(v);
  }
  if (typeof p.Description === 'string') spec.description = p.Description;
  const image = p.PackageType === 'Image' || p.ImageUri !== undefined || (isObj(p.Code) && p.Code.ImageUri !== undefined);
  if (image) {
    spec.notRunnable = 'container image functions (PackageType: Image) are not run by rehearse; deploy a .zip function (Runtime + Handler + code)';
    input.problem(`not deployed: ${spec.notRunnable}`, 'Properties.PackageType', 'WARNING');
    return spec;
  }
  if (spec.memorySize < 128 || spec.memorySize > 10240) input.problem(`MemorySize must be 128–10240 MB, got ${text(p.MemorySize)}`, 'Properties.MemorySize');
  if (spec.timeout < 1 || spec.timeout > 900) input.problem(`Timeout must be 1–900 seconds, got ${text(p.Timeout)}`, 'Properties.Timeout');
  if (!spec.runtime) {
    if (missing('Runtime')) input.problem('a function needs a Runtime (in Properties or Globals.Function)', 'Properties.Runtime');
    return spec;
  }
  const runtime = checkRuntime(spec.runtime);
  if (runtime.notRunnable) {
    spec.notRunnable = runtime.notRunnable;
    input.problem(`not deployed: ${runtime.notRunnable}`, 'Properties.Runtime', 'WARNING');
    return spec;
  }
  if (runtime.versionNote) {
    spec.versionNote = runtime.versionNote;
    input.problem(runtime.versionNote, 'Properties.Runtime', 'WARNING');
  }
  if (runtime.family !== 'custom' && !spec.handler) {
    if (missing('Handler')) input.problem('a function needs a Handler (e.g. app.lambda_handler, index.handler)', 'Properties.Handler');
    return spec;
  }
  const located = locateCode({ type: input.type, properties: p, metadata: input.raw.Metadata, templateDir: input.template.dir, s3Files: input.project.s3Files });
  if ('problem' in located) {
    if (missing('CodeUri') && missing('Code')) input.problem(located.problem.message, located.problem.field, located.problem.severity);
    return spec;
  }
  spec.codeUri = located.code.dir;
  spec.codeOrigin = located.code.origin;
  spec.codeDir = spec.codeUri;
  spec.localHandler = spec.handler;
  if (runtime.family === 'custom') {
    const bootstrap = path.join(spec.codeDir, 'bootstrap');
    if (!existsSync(bootstrap) || !statSync(bootstrap).isFile()) input.problem(`a ${spec.runtime} function needs an executable bootstrap in its code (${located.code.origin})`, 'Properties.Handler');
    return spec;
  }
  if (runtime.family === 'node') esbuildEntry(spec, input.raw.Metadata, input);
  if (!spec.localHandler || !spec.codeDir || !existsSync(spec.codeDir)) return spec;
  const requirements = runtime.family === 'python' ? requirementsFile(spec.codeDir) : undefined;
  const noPip = requirements ? pipUnavailable() : null;
  if (requirements && noPip) input.problem(notInstalledWarning(path.relative(input.template.dir, requirements), noPip), 'Properties.CodeUri', 'WARNING');
  const check = runtime.family === 'python' ? checkPythonHandler(spec.codeDir, spec.localHandler, input.template.dir) : checkNodeHandler(spec.codeDir, spec.localHandler, input.template.dir);
  if (check.problem) input.problem(check.problem.message, 'Properties.Handler', check.problem.severity);
  return spec;
}

const LAYER_VERSION_ARN = /^arn:[a-zA-Z0-9-]+:lambda:([a-zA-Z0-9-]+):(\d{12}):layer:([a-zA-Z0-9-_]+):(\d+)$/;

/**
 * The function's Layers (Globals.Function's first, as SAM concatenates
 * lists): layer version ARNs. A layer of the template (Ref to its
 * LayerVersion) is this endpoint's; an ARN of another account or region (a
 * layer AWS or a vendor publishes) cannot be had here: one warning naming it,
 * and the function deploys without it.
 */
function functionLayers(value: unknown, input: ResourceInput): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    input.problem('Layers must be a list of layer version ARNs', 'Properties.Layers');
    return [];
  }
  const out: string[] = [];
  value.forEach((arn, i) => {
    const m = typeof arn === 'string' ? LAYER_VERSION_ARN.exec(arn) : null;
    if (!m) {
      input.problem(`Layers[${i}] ${JSON.stringify(arn)} is not a layer version ARN (arn:aws:lambda:<region>:<account>:layer:<name>:<version>, or !Ref to a LayerVersion of the template)`, `Properties.Layers`);
      return;
    }
    if (m[1] !== input.ctx.region || m[2] !== input.ctx.accountId) {
      input.problem(`layer ${arn} is not deployed: it is not defined in this template (a layer published by AWS or another account); the function runs without it`, 'Properties.Layers', 'WARNING');
      return;
    }
    out.push(arn);
  });
  return out;
}

/** Ref is the function name; Fn::GetAtt Arn its ARN. */
function functionPhysical(name: string, arn: string): PhysicalResource {
  return { ref: name, attributes: { Arn: arn } };
}

export const lambdaFunction: ResourceModule<FunctionSpec> = {
  types: ['AWS::Serverless::Function', 'AWS::Lambda::Function'],
  properties: [
    'FunctionName', 'Runtime', 'Handler', 'CodeUri', 'InlineCode', 'Code', 'MemorySize', 'Timeout', 'Architectures', 'Environment',
    'Description', 'Layers', 'PackageType', 'ImageUri',
  ],
  lateProperties: ['Events'],
  read: readFunction,
  physical: (spec, c: ResolveContext) => functionPhysical(spec.name, `arn:${c.partition}:lambda:${c.region}:${c.accountId}:function:${spec.name}`),
  async deploy(spec, scope) {
    if (spec.notRunnable) {
      scope.change({ type: spec.type, logicalId: spec.logicalId, physicalId: spec.name, action: 'skipped', detail: spec.notRunnable });
      return lambdaFunction.physical(spec, scope.ctx);
    }
    if (spec.versionNote) scope.log(`note: ${spec.logicalId}: ${spec.versionNote}`);
    const arn = await deployFunction(spec, scope);
    return functionPhysical(spec.name, arn);
  },
  wiring(spec, late, input, physical) {
    if (!isObj(late.Events)) return [];
    const out: Wiring[] = [];
    const target = { logicalId: spec.logicalId, functionName: spec.name, functionArn: String(physical.attributes.Arn), timeoutSeconds: spec.timeout };
    const rawEvents = isObj(input.raw.Properties.Events) ? input.raw.Properties.Events : {};
    for (const [eventId, ev] of Object.entries(late.Events)) {
      const field = `Properties.Events.${eventId}`;
      if (!isObj(ev) || typeof ev.Type !== 'string') {
        input.problem('an event needs a Type', field);
        continue;
      }
      const source = eventSourceForSamType(ev.Type);
      if (!source) {
        input.problem(`event ${eventId} (Type ${ev.Type}) is not deployed: ${samEventNotDeployedReason(ev.Type)}`, field, 'WARNING');
        continue;
      }
      if (spec.notRunnable) continue;
      const rawEvent = rawEvents[eventId];
      const raw = isObj(rawEvent) && isObj(rawEvent.Properties) ? rawEvent.Properties : {};
      out.push(...source.fromSamEvent({ target, eventId, properties: isObj(ev.Properties) ? ev.Properties : {}, raw, field, input }));
    }
    return out;
  },
};

/** The function's requirements.txt installed (once per content); undefined without one, or without pip (said once). */
async function installedRequirements(spec: FunctionSpec, scope: DeployScope, layout: 'site-packages' | 'python'): Promise<{ dir: string; file: string } | undefined> {
  const file = requirementsFile(spec.codeDir!);
  if (!file) return undefined;
  const noPip = pipUnavailable();
  if (noPip) {
    scope.log(`warning: ${spec.logicalId}: ${notInstalledWarning(file, noPip)}`);
    return undefined;
  }
  const installed = await installRequirements({ logicalId: spec.logicalId, codeDir: spec.codeDir!, runtime: spec.runtime! }, layout);
  if (!installed) return undefined;
  scope.log(`${installed.reused ? 'reused' : 'installed'} ${spec.logicalId} ${file} → ${installed.dir}`);
  // The 'python' layout installs into <dir>/python: the folder whose contents go at a zip's root.
  return { dir: layout === 'python' ? path.join(installed.dir, 'python') : installed.dir, file };
}

/**
 * The function's requirements.txt installed (once per content, functions/requirements.ts)
 * and published as a layer named after the function; undefined without one, or without pip (said once).
 */
async function requirementsLayer(spec: FunctionSpec, scope: DeployScope): Promise<string | undefined> {
  const installed = await installedRequirements(spec, scope, 'site-packages');
  if (!installed) return undefined;
  const layer = await publishLayerFolder(
    { layerName: `${spec.name}-requirements`.slice(0, 140), dir: installed.dir, description: `${installed.file} (installed by rehearse)`.slice(-256), compatibleRuntimes: [spec.runtime!], compatibleArchitectures: [] },
    scope,
  );
  return layer.arn;
}

async function waitUpdated(lambda: LambdaClient, name: string): Promise<void> {
  await waitUntilFunctionUpdatedV2({ client: lambda, maxWaitTime: 120, minDelay: 1, maxDelay: 2 }, { FunctionName: name });
}

function functionEnvironment(spec: FunctionSpec, scope: DeployScope): Record<string, string> {
  const own = scope.options.functionEnvironment;
  return { ...spec.environment, ...(own?.[spec.logicalId] ?? {}), ...(own?.[spec.name] ?? {}), ...(scope.options.environment ?? {}) };
}

async function deployFunction(spec: FunctionSpec, scope: DeployScope): Promise<string> {
  const lambda = lambdaClient(scope);
  const local = scope.backend.capabilities.localCodeDirectories;
  const python = spec.runtime?.startsWith('python') ?? false;
  let code: { S3Bucket: string; S3Key: string } | { ZipFile: Uint8Array };
  let handler: string | undefined;
  let codeId: string;
  if (!spec.codeDir) throw new RehearseError('ERR_BAD_INPUT', `${spec.logicalId}: no code folder (see rehearse validate)`);
  if (local) {
    // LocalStack's hot-reload convention, which the embedded Lambda service also runs in place.
    code = { S3Bucket: 'hot-reload', S3Key: spec.codeDir };
    handler = spec.localHandler;
    codeId = `dir:${spec.codeDir}`;
  } else {
    // A zip backend gets the requirements inside the Python zip, as `sam build` puts them; a local one a layer.
    const zip = python
      ? buildPythonZip(spec, (await installedRequirements(spec, scope, 'python'))?.dir)
      : await buildFunctionZip(spec, path.resolve(scope.template.dir, '..'));
    code = { ZipFile: zip.zip };
    handler = zip.handler;
    codeId = `zip:${zip.sha256}`;
  }
  const layers = [...spec.layers];
  const requirements = python && local ? await requirementsLayer(spec, scope) : undefined;
  if (requirements) layers.push(requirements);
  const config = {
    Runtime: spec.runtime as never,
    Layers: layers,
    ...(handler !== undefined ? { Handler: handler } : {}),
    MemorySize: spec.memorySize,
    Timeout: spec.timeout,
    Role: scope.roleFor(spec.name),
    Environment: { Variables: functionEnvironment(spec, scope) },
    ...(spec.description ? { Description: spec.description } : {}),
  };
  const type = spec.type;
  const name = spec.name;
  const existed = (await scope.before('lambda:functions', () => functionNames(lambda))).has(name);
  const current = !existed
    ? undefined
    : await lambda.send(new GetFunctionCommand({ FunctionName: name })).catch((e: unknown) => {
        if ((e as { name?: string }).name === 'ResourceNotFoundException') return undefined;
        throw e;
      });
  if (!current?.Configuration) {
    const out = await lambda.send(new CreateFunctionCommand({ FunctionName: name, ...config, Architectures: spec.architectures as never, Code: code, Tags: { [CODE_TAG]: codeId.slice(0, 256) } }));
    // AWS answers Pending and the function becomes Active later; an endpoint that answers Active needs no wait.
    if (out.State !== 'Active') await waitUntilFunctionActiveV2({ client: lambda, maxWaitTime: 120, minDelay: 1, maxDelay: 2 }, { FunctionName: name });
    scope.change({ type, logicalId: spec.logicalId, physicalId: name, action: 'created', detail: local ? `local code ${spec.codeDir}` : 'zip' });
    return out.FunctionArn ?? '';
  }
  const arn = current.Configuration.FunctionArn ?? '';
  const diffs = configDiffs(current.Configuration, config);
  if (diffs.length > 0) {
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: name, ...config }));
    await waitUpdated(lambda, name);
  }
  if (current.Tags?.[CODE_TAG] !== codeId.slice(0, 256)) {
    await lambda.send(new UpdateFunctionCodeCommand({ FunctionName: name, ...code }));
    await waitUpdated(lambda, name);
    await lambda.send(new TagResourceCommand({ Resource: arn, Tags: { [CODE_TAG]: codeId.slice(0, 256) } }));
    diffs.push('code');
  }
  scope.change({ type, logicalId: spec.logicalId, physicalId: name, action: diffs.length ? 'updated' : 'unchanged', ...(diffs.length ? { detail: diffs.join(', ') } : {}) });
  return arn;
}

function configDiffs(current: FunctionConfiguration, wanted: { Runtime: unknown; Layers: string[]; Handler?: string; MemorySize: number; Timeout: number; Environment: { Variables: Record<string, string> }; Description?: string }): string[] {
  const diffs: string[] = [];
  if (current.Runtime !== wanted.Runtime) diffs.push('Runtime');
  if ((current.Handler ?? undefined) !== wanted.Handler) diffs.push('Handler');
  if (current.MemorySize !== wanted.MemorySize) diffs.push('MemorySize');
  if (current.Timeout !== wanted.Timeout) diffs.push('Timeout');
  const sorted = (o: Record<string, string>) => JSON.stringify(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
  if (sorted(current.Environment?.Variables ?? {}) !== sorted(wanted.Environment.Variables)) diffs.push('Environment');
  if ((current.Description ?? '') !== (wanted.Description ?? '')) diffs.push('Description');
  if (JSON.stringify((current.Layers ?? []).map((l) => l.Arn)) !== JSON.stringify(wanted.Layers)) diffs.push('Layers');
  return diffs;
}

/** Every function's name (ListFunctions, all pages). */
function functionNames(lambda: LambdaClient): Promise<Set<string>> {
  return everyName((Marker) => lambda.send(new ListFunctionsCommand({ Marker })), (p) => p.NextMarker, (p) => p.Functions?.map((f) => f.FunctionName));
}
