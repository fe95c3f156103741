/**
 * The application a SAM template describes, in the terms deploy needs: buckets
 * with their notifications, secrets, topics, functions (with their code on
 * disk) and state machines (with their definition files and substitutions).
 * Values are kept unresolved (they may contain intrinsics) until a
 * ResolveContext (region, account, deployed names) exists.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseTemplateText } from './template-yaml.ts';
import type { Problem } from './problems.ts';

export interface S3EventSpec {
  functionLogicalId: string;
  eventId: string;
  /** Raw `Bucket` value (usually `{Ref: BucketLogicalId}`). */
  bucket: unknown;
  events: string[];
  prefix?: string;
  suffix?: string;
}

export interface BucketSpec {
  logicalId: string;
  name: unknown;
}

export interface SecretSpec {
  logicalId: string;
  name: unknown;
  description?: string;
}

export interface TopicSpec {
  logicalId: string;
  name: unknown;
}

export interface FunctionSpec {
  logicalId: string;
  name: unknown;
  runtime: string | undefined;
  /** The Handler as written (`index.handler`). */
  handler: string | undefined;
  memorySize: number;
  timeout: number;
  architectures: string[];
  environment: Record<string, unknown>;
  description?: string;
  /** Absolute CodeUri directory. */
  codeUri: string | undefined;
  /** Absolute path of the esbuild entry point (Metadata.BuildProperties.EntryPoints[0]), when bundled. */
  entryPoint?: string;
  /** Modules esbuild leaves out of the bundle (BuildProperties.External). */
  external: string[];
  /** The directory the handler module lives in: what a local-code backend runs. */
  codeDir: string | undefined;
  /** Handler relative to codeDir (`index.handler`). */
  localHandler: string | undefined;
  events: S3EventSpec[];
}

export interface StateMachineSpec {
  logicalId: string;
  name: unknown;
  type: 'STANDARD' | 'EXPRESS';
  /** Absolute DefinitionUri, or undefined for an inline Definition. */
  definitionFile: string | undefined;
  /** Inline `Definition` (an object), when there is no DefinitionUri. */
  inlineDefinition?: unknown;
  substitutions: Record<string, unknown>;
}

export interface TemplateModel {
  file: string;
  dir: string;
  raw: Record<string, unknown>;
  parameters: Record<string, { default?: string }>;
  conditions: Record<string, unknown>;
  mappings: Record<string, unknown>;
  buckets: BucketSpec[];
  secrets: SecretSpec[];
  topics: TopicSpec[];
  functions: FunctionSpec[];
  stateMachines: StateMachineSpec[];
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** SAM Globals: maps merge (resource wins), everything else the resource's value replaces. */
function mergeGlobals(global: unknown, own: unknown): unknown {
  if (isObj(global) && isObj(own)) {
    const out: Obj = { ...global };
    for (const [k, v] of Object.entries(own)) out[k] = k in global ? mergeGlobals(global[k], v) : v;
    return out;
  }
  return own === undefined ? global : own;
}

const HANDLER_EXTENSIONS = ['.ts', '.mts', '.js', '.mjs', '.cjs'];

/** The file a Node handler `dir` + `mod.fn` loads, if any. */
export function handlerFile(dir: string, handler: string): string | undefined {
  const mod = handler.slice(0, handler.lastIndexOf('.'));
  for (const ext of HANDLER_EXTENSIONS) {
    const f = path.join(dir, mod + ext);
    if (existsSync(f)) return f;
  }
  return undefined;
}

export interface LoadResult {
  model?: TemplateModel;
  problems: Problem[];
}

/** Reads and interprets a template; structural problems come back as Problems, not exceptions. */
export function loadTemplate(file: string): LoadResult {
  const abs = path.resolve(file);
  const problems: Problem[] = [];
  const err = (message: string, field?: string, line?: number): void => {
    const p: Problem = { severity: 'ERROR', file: abs, message };
    if (field !== undefined) p.field = field;
    if (line !== undefined) p.line = line;
    problems.push(p);
  };
  if (!existsSync(abs)) {
    err('template file does not exist');
    return { problems };
  }
  const text = readFileSync(abs, 'utf8');
  const { value, problems: yamlProblems } = parseTemplateText(text);
  for (const y of yamlProblems) err(`YAML: ${y.message}`, undefined, y.line);
  if (yamlProblems.length > 0) return { problems };
  if (!isObj(value)) {
    err('a template must be a YAML mapping');
    return { problems };
  }
  const resources = value.Resources;
  if (!isObj(resources)) {
    err('template has no Resources mapping', 'Resources');
    return { problems };
  }
  const lineOf = (logicalId: string): number | undefined => {
    const m = new RegExp(`^\\s+${logicalId.replace(/[^A-Za-z0-9]/g, '')}\\s*:`, 'm').exec(text);
    return m ? text.slice(0, m.index).split('\n').length + 1 : undefined;
  };
  const dir = path.dirname(abs);
  const globals = isObj(value.Globals) ? value.Globals : {};
  const model: TemplateModel = {
    file: abs,
    dir,
    raw: value,
    parameters: {},
    conditions: isObj(value.Conditions) ? value.Conditions : {},
    mappings: isObj(value.Mappings) ? value.Mappings : {},
    buckets: [],
    secrets: [],
    topics: [],
    functions: [],
    stateMachines: [],
  };
  if (isObj(value.Parameters)) {
    for (const [name, p] of Object.entries(value.Parameters)) {
      const d = isObj(p) ? p.Default : undefined;
      model.parameters[name] = d === undefined ? {} : { default: String(d) };
    }
  }
  for (const [id, res] of Object.entries(resources)) {
    const field = `Resources.${id}`;
    if (!isObj(res) || typeof res.Type !== 'string') {
      err('resource needs a Type', field, lineOf(id));
      continue;
    }
    const props = isObj(res.Properties) ? res.Properties : {};
    switch (res.Type) {
      case 'AWS::S3::Bucket':
        model.buckets.push({ logicalId: id, name: props.BucketName ?? id.toLowerCase() });
        break;
      case 'AWS::SecretsManager::Secret': {
        const s: SecretSpec = { logicalId: id, name: props.Name ?? id };
        if (typeof props.Description === 'string') s.description = props.Description;
        if (props.SecretString !== undefined) {
          problems.push({ severity: 'WARNING', file: abs, field: `${field}.Properties.SecretString`, line: lineOf(id), message: 'secret values do not belong in the template; rehearse deploy ignores it and takes values from the scenario or a fixtures file' } as Problem);
        }
        model.secrets.push(s);
        break;
      }
      case 'AWS::SNS::Topic':
        model.topics.push({ logicalId: id, name: props.TopicName ?? id });
        break;
      case 'AWS::Serverless::Function':
      case 'AWS::Lambda::Function': {
        const merged = (res.Type === 'AWS::Serverless::Function' ? mergeGlobals(globals.Function, props) : props) as Obj;
        model.functions.push(functionSpec(id, merged, isObj(res.Metadata) ? res.Metadata : {}, dir, (m, f) => err(m, `${field}.${f}`, lineOf(id))));
        break;
      }
      case 'AWS::Serverless::StateMachine':
      case 'AWS::StepFunctions::StateMachine': {
        const merged = (res.Type === 'AWS::Serverless::StateMachine' ? mergeGlobals(globals.StateMachine, props) : props) as Obj;
        const uri = merged.DefinitionUri ?? merged.DefinitionS3Location;
        const sm: StateMachineSpec = {
          logicalId: id,
          name: merged.Name ?? merged.StateMachineName ?? id,
          type: merged.Type === 'EXPRESS' || merged.StateMachineType === 'EXPRESS' ? 'EXPRESS' : 'STANDARD',
          definitionFile: typeof uri === 'string' ? path.resolve(dir, uri) : undefined,
          substitutions: isObj(merged.DefinitionSubstitutions) ? merged.DefinitionSubstitutions : {},
        };
        const inline = merged.Definition ?? merged.DefinitionString;
        if (inline !== undefined) sm.inlineDefinition = inline;
        if (uri !== undefined && typeof uri !== 'string') err('DefinitionUri must be a path relative to the template (S3 locations are not supported)', `${field}.Properties.DefinitionUri`, lineOf(id));
        if (uri === undefined && inline === undefined) err('state machine needs DefinitionUri or Definition', `${field}.Properties`, lineOf(id));
        if (sm.definitionFile && !existsSync(sm.definitionFile)) err(`DefinitionUri ${JSON.stringify(uri)} does not exist (resolved to ${sm.definitionFile})`, `${field}.Properties.DefinitionUri`, lineOf(id));
        model.stateMachines.push(sm);
        break;
      }
      default:
        // IAM roles, permissions, log groups…: not needed to run locally.
        break;
    }
  }
  return { model, problems };
}

function functionSpec(id: string, p: Obj, metadata: Obj, dir: string, err: (message: string, field: string) => void): FunctionSpec {
  const env = isObj(p.Environment) && isObj(p.Environment.Variables) ? p.Environment.Variables : {};
  const spec: FunctionSpec = {
    logicalId: id,
    name: p.FunctionName ?? id,
    runtime: typeof p.Runtime === 'string' ? p.Runtime : undefined,
    handler: typeof p.Handler === 'string' ? p.Handler : undefined,
    memorySize: typeof p.MemorySize === 'number' ? p.MemorySize : 128,
    timeout: typeof p.Timeout === 'number' ? p.Timeout : 3,
    architectures: Array.isArray(p.Architectures) ? p.Architectures.map(String) : ['x86_64'],
    environment: env,
    codeUri: undefined,
    external: [],
    codeDir: undefined,
    localHandler: undefined,
    events: [],
  };
  if (typeof p.Description === 'string') spec.description = p.Description;
  if (!spec.runtime) err('function needs a Runtime (in Properties or Globals.Function)', 'Properties.Runtime');
  else if (!/^nodejs\d+\.x$/.test(spec.runtime) && !/^python3\.\d+$/.test(spec.runtime)) err(`runtime ${spec.runtime} is not supported (nodejs*.x, python3.*)`, 'Properties.Runtime');
  if (!spec.handler || !spec.handler.includes('.')) err(`Handler must look like module.export (e.g. index.handler), got ${JSON.stringify(p.Handler)}`, 'Properties.Handler');
  if (spec.memorySize < 128 || spec.memorySize > 10240) err(`MemorySize must be 128–10240 MB, got ${spec.memorySize}`, 'Properties.MemorySize');
  if (spec.timeout < 1 || spec.timeout > 900) err(`Timeout must be 1–900 seconds, got ${spec.timeout}`, 'Properties.Timeout');
  const codeUri = p.CodeUri ?? p.Code;
  if (typeof codeUri !== 'string') {
    err('CodeUri must be a local directory relative to the template', 'Properties.CodeUri');
  } else {
    spec.codeUri = path.resolve(dir, codeUri);
    if (!existsSync(spec.codeUri) || !statSync(spec.codeUri).isDirectory()) {
      err(`CodeUri ${JSON.stringify(codeUri)} is not a directory (resolved to ${spec.codeUri})`, 'Properties.CodeUri');
    } else if (spec.handler) {
      const build = isObj(metadata.BuildProperties) ? metadata.BuildProperties : {};
      const entries = Array.isArray(build.EntryPoints) ? build.EntryPoints : undefined;
      spec.external = Array.isArray(build.External) ? build.External.map(String) : [];
      const exportName = spec.handler.slice(spec.handler.lastIndexOf('.') + 1);
      if (metadata.BuildMethod === 'esbuild' && entries && typeof entries[0] === 'string') {
        // sam build (esbuild) writes the bundle at the root of the artifact, named after the entry
        // point's file, so Handler names that file: EntryPoints [validate-image/index.ts] → index.handler.
        spec.entryPoint = path.resolve(spec.codeUri, entries[0]);
        const base = path.basename(spec.entryPoint).replace(/\.[^.]+$/, '');
        const mod = spec.handler.slice(0, spec.handler.lastIndexOf('.'));
        if (!existsSync(spec.entryPoint)) err(`EntryPoints[0] ${JSON.stringify(entries[0])} does not exist (resolved to ${spec.entryPoint})`, 'Metadata.BuildProperties.EntryPoints');
        else if (mod !== base) err(`Handler ${spec.handler} does not match the esbuild entry point ${entries[0]} (expected ${base}.${exportName})`, 'Properties.Handler');
        spec.codeDir = path.dirname(spec.entryPoint);
        spec.localHandler = `${base}.${exportName}`;
      } else {
        spec.codeDir = spec.codeUri;
        spec.localHandler = spec.handler;
      }
      if (existsSync(spec.codeDir) && spec.localHandler) {
        const file = handlerFile(spec.codeDir, spec.localHandler);
        if (!file) err(`handler module for ${spec.localHandler} not found in ${spec.codeDir}`, 'Properties.Handler');
        else if (/\.[mc]?[jt]s$/.test(file) && !new RegExp(`export\\s+(async\\s+)?(function|const|let|var)\\s+${exportName}\\b|export\\s*\\{[^}]*\\b${exportName}\\b`).test(readFileSync(file, 'utf8'))) {
          err(`${path.relative(dir, file)} does not export ${exportName}`, 'Properties.Handler');
        }
      }
    }
  }
  if (isObj(p.Events)) {
    for (const [eventId, ev] of Object.entries(p.Events)) {
      if (!isObj(ev) || ev.Type !== 'S3' || !isObj(ev.Properties)) continue;
      const ep = ev.Properties;
      const s3: S3EventSpec = {
        functionLogicalId: id,
        eventId,
        bucket: ep.Bucket,
        events: (Array.isArray(ep.Events) ? ep.Events : [ep.Events]).map(String),
      };
      const rules = isObj(ep.Filter) && isObj(ep.Filter.S3Key) && Array.isArray(ep.Filter.S3Key.Rules) ? ep.Filter.S3Key.Rules : [];
      for (const r of rules) {
        if (!isObj(r)) continue;
        const n = String(r.Name).toLowerCase();
        if (n === 'prefix') s3.prefix = String(r.Value);
        if (n === 'suffix') s3.suffix = String(r.Value);
      }
      spec.events.push(s3);
    }
  }
  return spec;
}
