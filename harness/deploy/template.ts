/**
 * A template file as CloudFormation sees it before anything is resolved: its
 * sections (Parameters, Conditions, Mappings, Globals, Resources) and where
 * each resource is written, for problems that name a line.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/template-anatomy.html
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseTemplateText } from './template-text.ts';
import type { Problem } from './problems.ts';

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export interface ParameterSpec {
  /** `String`, `Number`, `CommaDelimitedList`, `List<Number>`, `AWS::SSM::Parameter::Value<String>`… */
  type: string;
  default?: string;
  allowedValues?: string[];
  allowedPattern?: string;
}

/** A resource as written: Type, Properties (unresolved), Metadata, Condition, DependsOn. */
export interface RawResource {
  Type: string;
  Properties: Obj;
  Metadata: Obj;
  Condition?: string;
  DependsOn: string[];
}

export interface TemplateFile {
  file: string;
  dir: string;
  raw: Obj;
  parameters: Record<string, ParameterSpec>;
  conditions: Obj;
  mappings: Obj;
  /** SAM `Globals`, by section (`Function`, `StateMachine`, …). */
  globals: Obj;
  resources: Record<string, RawResource>;
  /** `Transform` values (`AWS::Serverless-2016-10-31`, `AWS::LanguageExtensions`). */
  transforms: string[];
  /** The 1-based line a resource's logical id is written on. */
  lineOf(logicalId: string): number | undefined;
}

/** Reads and checks a template's structure; problems name the file, line and section. */
export function readTemplate(file: string): { template?: TemplateFile; problems: Problem[] } {
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
  const { value, problem } = parseTemplateText(text, { json: abs.endsWith('.json') });
  if (problem) {
    err(problem.message, undefined, problem.line);
    return { problems };
  }
  if (!isObj(value)) {
    err('a template must be a mapping (YAML) or an object (JSON)');
    return { problems };
  }
  if (!isObj(value.Resources)) {
    err('template has no Resources section', 'Resources');
    return { problems };
  }
  const lines = new Map<string, number>();
  const lineOf = (logicalId: string): number | undefined => {
    if (!lines.has(logicalId)) {
      const escaped = logicalId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      const m = new RegExp(`^[ \\t]*["']?${escaped}["']?[ \\t]*:`, 'm').exec(text);
      if (m) lines.set(logicalId, text.slice(0, m.index).split('\n').length);
    }
    return lines.get(logicalId);
  };
  const transforms = (Array.isArray(value.Transform) ? value.Transform : value.Transform === undefined ? [] : [value.Transform]).filter((t): t is string => typeof t === 'string');
  const template: TemplateFile = {
    file: abs,
    dir: path.dirname(abs),
    raw: value,
    parameters: {},
    conditions: isObj(value.Conditions) ? value.Conditions : {},
    mappings: isObj(value.Mappings) ? value.Mappings : {},
    globals: isObj(value.Globals) ? value.Globals : {},
    resources: {},
    transforms,
    lineOf,
  };
  if (isObj(value.Parameters)) {
    for (const [name, p] of Object.entries(value.Parameters)) {
      const spec: ParameterSpec = { type: isObj(p) && typeof p.Type === 'string' ? p.Type : 'String' };
      if (isObj(p)) {
        if (p.Default !== undefined) spec.default = Array.isArray(p.Default) ? p.Default.map(String).join(',') : String(p.Default);
        if (Array.isArray(p.AllowedValues)) spec.allowedValues = p.AllowedValues.map(String);
        if (typeof p.AllowedPattern === 'string') spec.allowedPattern = p.AllowedPattern;
      }
      template.parameters[name] = spec;
    }
  }
  for (const [id, res] of Object.entries(value.Resources)) {
    if (!isObj(res) || typeof res.Type !== 'string') {
      err('resource needs a Type', `Resources.${id}`, lineOf(id));
      continue;
    }
    const raw: RawResource = {
      Type: res.Type,
      Properties: isObj(res.Properties) ? res.Properties : {},
      Metadata: isObj(res.Metadata) ? res.Metadata : {},
      DependsOn: (Array.isArray(res.DependsOn) ? res.DependsOn : res.DependsOn === undefined ? [] : [res.DependsOn]).map(String),
    };
    if (typeof res.Condition === 'string') {
      raw.Condition = res.Condition;
      if (!Object.hasOwn(template.conditions, res.Condition)) err(`Condition ${res.Condition} is not defined in Conditions`, `Resources.${id}.Condition`, lineOf(id));
    }
    for (const d of raw.DependsOn) {
      if (!Object.hasOwn(value.Resources, d)) err(`DependsOn names ${d}, which is not a resource of this template`, `Resources.${id}.DependsOn`, lineOf(id));
    }
    template.resources[id] = raw;
  }
  return { template, problems };
}
