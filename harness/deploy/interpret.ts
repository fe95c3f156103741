/**
 * A template read in one region and account: parameters, conditions and
 * resources resolved the way CloudFormation resolves them, each resource read
 * by its type's module (resources/registry.ts) into a spec. Ref and Fn::GetAtt
 * give the deployed value of a resource once it exists and AWS's predicted one
 * until then, so validation (no backend) and deployment read the same way.
 */
import { suggest } from './definition-check.ts';
import { isListParameter, partitionOf, pathSuffix, NO_VALUE, ResolveError, evaluateCondition, resolveValue } from './intrinsics.ts';
import type { PhysicalResource, ResolveContext } from './intrinsics.ts';
import type { Problem } from './problems.ts';
import { moduleFor } from './resources/registry.ts';
import { NO_LOCAL_EFFECT, notDeployedPhysical } from './resources/not-deployed.ts';
import type { LoadedResource, ProjectOptions, ResourceInput, ResourceModule } from './resources/types.ts';
import { isObj, type Obj, type RawResource, type TemplateFile } from './template.ts';
import { dynamicReferenceWarnings, ssmParameterWarnings } from './unresolved-values.ts';

export interface InterpretOptions extends ProjectOptions {
  region: string;
  accountId: string;
}

/** SAM Globals: maps merge, lists concatenate (Globals first), a resource's own scalar wins; Architectures is replaced. */
export function mergeGlobals(global: unknown, own: unknown, key = ''): unknown {
  if (own === undefined) return global;
  if (isObj(global) && isObj(own)) {
    const out: Obj = { ...global };
    for (const [k, v] of Object.entries(own)) out[k] = k in global ? mergeGlobals(global[k], v, k) : v;
    return out;
  }
  if (Array.isArray(global) && Array.isArray(own) && key !== 'Architectures') return [...global, ...own];
  return own;
}

/** Properties with the SAM Globals section for this type (`AWS::Serverless::Function` ← `Globals.Function`) merged in. */
export function effectiveProperties(template: TemplateFile, raw: RawResource): Obj {
  const section = /^AWS::Serverless::(\w+)$/.exec(raw.Type)?.[1];
  const global = section ? template.globals[section] : undefined;
  return isObj(global) ? (mergeGlobals(global, raw.Properties) as Obj) : raw.Properties;
}

export class TemplateInterpreter {
  readonly ctx: ResolveContext;
  readonly problems: Problem[] = [];
  /** Globals problems already reported, by severity, field and message: the resources inheriting each. */
  private readonly inherited = new Map<string, { problem: Problem; ids: string[] }>();
  /** Physical resources that exist (deployed), by logical id. */
  private readonly known = new Map<string, PhysicalResource>();
  private readonly loaded = new Map<string, LoadedResource | undefined>();
  private readonly inputs = new Map<string, ResourceInput>();
  private readonly reading = new Set<string>();
  /** The field being resolved, for warnings raised while resolving it. */
  private field: { file: string; field: string } | undefined;

  constructor(
    readonly template: TemplateFile,
    readonly options: InterpretOptions,
  ) {
    const parameters: Record<string, string> = {};
    const parameterTypes: Record<string, string> = {};
    for (const [name, p] of Object.entries(template.parameters)) {
      parameterTypes[name] = p.type;
      if (p.default !== undefined) parameters[name] = p.default;
    }
    for (const [name, v] of Object.entries(options.parameters ?? {})) {
      if (!Object.hasOwn(template.parameters, name)) {
        this.report({ severity: 'WARNING', file: template.file, field: `Parameters.${name}`, message: `a value was given for parameter ${name}, which the template does not declare` });
        continue;
      }
      parameters[name] = v;
    }
    for (const [name, p] of Object.entries(template.parameters)) {
      const v = parameters[name];
      if (v === undefined) continue;
      const values = isListParameter(p.type) ? v.split(',').map((s) => s.trim()) : [v];
      if (p.allowedValues && values.some((x) => !p.allowedValues!.includes(x))) {
        this.report({ severity: 'ERROR', file: template.file, field: `Parameters.${name}`, message: `parameter value ${JSON.stringify(v)} is not one of AllowedValues ${JSON.stringify(p.allowedValues)}` });
      }
      if (p.allowedPattern && !isListParameter(p.type) && !new RegExp(`^(?:${p.allowedPattern})$`).test(v)) {
        this.report({ severity: 'ERROR', file: template.file, field: `Parameters.${name}`, message: `parameter value ${JSON.stringify(v)} does not match AllowedPattern ${p.allowedPattern}` });
      }
    }
    for (const p of [...ssmParameterWarnings(template, options.parameters), ...dynamicReferenceWarnings(template)]) this.report(p);
    const { partition, urlSuffix } = partitionOf(options.region);
    this.ctx = {
      region: options.region,
      accountId: options.accountId,
      partition,
      urlSuffix,
      stackName: options.stackName ?? 'rehearse',
      parameters,
      parameterTypes,
      conditions: template.conditions,
      mappings: template.mappings,
      imports: options.imports ?? {},
      resource: (id) => this.physical(id),
      warn: (message) => {
        if (this.field) this.report({ severity: 'WARNING', file: this.field.file, field: this.field.field, message });
      },
    };
  }

  /** Adds a problem unless it was already reported, or an error was reported at the same field or one that contains it (a follow-on of it). */
  report(p: Problem): void {
    // Specs are read again after each deployment (with deployed values): the same problem is reported once.
    const covered = this.problems.some(
      (q) =>
        q.file === p.file &&
        q.state === p.state &&
        ((q.field === p.field && q.message === p.message) ||
          (q.severity === 'ERROR' && q.field !== undefined && p.field !== undefined && (p.field === q.field || p.field.startsWith(`${q.field}.`)))),
    );
    if (!covered) this.problems.push(p);
  }

  /**
   * A problem of a SAM Globals property, reported once where it is written and
   * naming every resource that inherits it (`… (inherited by First, Second)`),
   * instead of once per function with the same file, line and message.
   */
  private reportInherited(severity: Problem['severity'], field: string, message: string, id: string): void {
    const key = `${severity}\0${field}\0${message}`;
    const known = this.inherited.get(key);
    if (known) {
      if (!known.ids.includes(id)) known.ids.push(id);
      known.problem.message = `${message} (inherited by ${known.ids.join(', ')})`;
      return;
    }
    const line = this.template.lineOf('Globals');
    const problem: Problem = { severity, file: this.template.file, field, message: `${message} (inherited by ${id})`, ...(line === undefined ? {} : { line }) };
    this.report(problem);
    if (this.problems.includes(problem)) this.inherited.set(key, { problem, ids: [id] });
  }

  /** Resolves `value` for `field` (a template path); a failure is reported there and gives undefined. */
  resolve(value: unknown, field: string, file = this.template.file): unknown {
    const outer = this.field;
    this.field = { file, field };
    try {
      return resolveValue(value, this.ctx);
    } catch (e) {
      if (!(e instanceof ResolveError)) throw e;
      this.report({ severity: 'ERROR', file, field: field + pathSuffix(e.path), message: this.withSuggestion(e.message), ...lineOf(this.template, field) });
      return undefined;
    } finally {
      this.field = outer;
    }
  }

  /** ` (did you mean "X"?)` after a name the template does not define. */
  private withSuggestion(message: string): string {
    const m = /no (?:parameter or )?resource named (\S+)$/.exec(message);
    if (!m) return message;
    return message + suggest(m[1]!, [...Object.keys(this.template.resources), ...Object.keys(this.template.parameters)]);
  }

  /** Whether a resource exists in this deployment: its Condition holds (a condition that fails to evaluate counts as true, and is reported). */
  included(id: string): boolean {
    const raw = this.template.resources[id];
    if (!raw) return false;
    if (raw.Condition === undefined) return true;
    try {
      return evaluateCondition(raw.Condition, this.ctx);
    } catch (e) {
      if (!(e instanceof ResolveError)) throw e;
      this.report({ severity: 'ERROR', file: this.template.file, field: `Resources.${id}.Condition`, message: e.message, ...lineOf(this.template, `Resources.${id}`) });
      return true;
    }
  }

  /** Ref / Fn::GetAtt of a resource: deployed, else predicted; undefined when the template has no such resource. */
  physical(id: string): PhysicalResource | undefined {
    const known = this.known.get(id);
    if (known) return known;
    const raw = this.template.resources[id];
    if (!raw) return implicitResource(id, this.template, this.ctx);
    if (!this.included(id)) throw new ResolveError(`${id} is not created: its Condition ${raw.Condition} is false`);
    const module = moduleFor(raw.Type);
    if (!module) {
      return notDeployedPhysical(id, raw, this.ctx, (v) => {
        try {
          return resolveValue(v, this.ctx);
        } catch {
          return undefined;
        }
      });
    }
    if (this.reading.has(id)) throw new ResolveError(`circular reference: ${[...this.reading, id].join(' → ')}`);
    const loaded = this.load(id);
    if (!loaded) return { ref: id, attributes: {}, unknownAttributes: `${id} could not be read (see its problems)` };
    return module.physical(loaded.spec, this.ctx);
  }

  /** The resource read by its module (cached until something is deployed); undefined without a module or when it cannot be read. */
  load(id: string): LoadedResource | undefined {
    if (this.loaded.has(id)) return this.loaded.get(id);
    const raw = this.template.resources[id];
    const module = raw ? moduleFor(raw.Type) : undefined;
    if (!raw || !module || !this.included(id)) return undefined;
    this.reading.add(id);
    try {
      const input = this.input(id, raw, module);
      const spec = module.read(input);
      const loaded = spec === undefined ? undefined : { logicalId: id, type: raw.Type, module, spec };
      this.loaded.set(id, loaded);
      return loaded;
    } finally {
      this.reading.delete(id);
    }
  }

  /** The module's input for a resource: its declared properties resolved. */
  input(id: string, raw: RawResource, module: ResourceModule): ResourceInput {
    const cached = this.inputs.get(id);
    if (cached) return cached;
    const merged: RawResource = { ...raw, Properties: effectiveProperties(this.template, raw) };
    const properties: Obj = {};
    const unresolved = new Set<string>();
    for (const name of module.properties) {
      if (merged.Properties[name] === undefined) continue;
      const v = this.resolve(merged.Properties[name], `Resources.${id}.Properties.${name}`);
      if (v === undefined) unresolved.add(name);
      else if (v !== NO_VALUE) properties[name] = v;
    }
    const input: ResourceInput = {
      logicalId: id,
      type: raw.Type,
      properties,
      unresolved,
      raw: merged,
      template: this.template,
      ctx: this.ctx,
      project: this.options,
      problem: (message, field, severity = 'ERROR') => {
        // A property the resource inherits from SAM Globals is wrong where it is written: point there.
        const inherited = field === undefined ? undefined : globalsField(this.template, raw, field);
        if (inherited !== undefined) {
          this.reportInherited(severity, inherited, message, id);
          return;
        }
        const path = field === undefined ? `Resources.${id}` : `Resources.${id}.${field}`;
        this.report({ severity, file: this.template.file, field: path, message, ...lineOf(this.template, `Resources.${id}`) });
      },
    };
    this.inputs.set(id, input);
    return input;
  }

  /** The module's late properties (event wiring), resolved now. */
  lateProperties(id: string): Obj {
    const raw = this.template.resources[id];
    const module = raw ? moduleFor(raw.Type) : undefined;
    const out: Obj = {};
    if (!raw || !module) return out;
    const props = effectiveProperties(this.template, raw);
    for (const name of module.lateProperties ?? []) {
      if (props[name] === undefined) continue;
      const v = this.resolve(props[name], `Resources.${id}.Properties.${name}`);
      if (v !== undefined && v !== NO_VALUE) out[name] = v;
    }
    return out;
  }

  /** Records what a deployed resource resolves to; specs read with predictions are read again. */
  deployed(id: string, physical: PhysicalResource): void {
    this.known.set(id, physical);
    for (const key of [...this.loaded.keys()]) if (!this.known.has(key)) this.loaded.delete(key);
    for (const key of [...this.inputs.keys()]) if (!this.known.has(key)) this.inputs.delete(key);
  }

  /** Every resource of the template that has a module and exists, read. */
  all(): LoadedResource[] {
    const out: LoadedResource[] = [];
    for (const id of Object.keys(this.template.resources)) {
      const l = this.load(id);
      if (l) out.push(l);
    }
    return out;
  }

  /** Logical ids of resources without a module (not deployed), split by whether that matters locally. */
  notDeployed(): { noLocalEffect: Array<[string, string]>; unsupported: Array<[string, string]> } {
    const noLocalEffect: Array<[string, string]> = [];
    const unsupported: Array<[string, string]> = [];
    for (const [id, raw] of Object.entries(this.template.resources)) {
      if (moduleFor(raw.Type) || !this.included(id)) continue;
      (NO_LOCAL_EFFECT.has(raw.Type) ? noLocalEffect : unsupported).push([id, raw.Type]);
    }
    return { noLocalEffect, unsupported };
  }
}

/**
 * `Globals.<Section>.<Name>…` when a problem's field (`Properties.<Name>…`)
 * names a property the resource does not set itself but takes from the SAM
 * Globals section for its type; undefined otherwise.
 */
export function globalsField(template: TemplateFile, raw: RawResource, field: string): string | undefined {
  const m = /^Properties\.([^.]+)(.*)$/.exec(field);
  const section = /^AWS::Serverless::(\w+)$/.exec(raw.Type)?.[1];
  if (!m || !section) return undefined;
  const global = template.globals[section];
  if (!isObj(global) || global[m[1]!] === undefined) return undefined;
  if (isObj(raw.Properties) && raw.Properties[m[1]!] !== undefined) return undefined;
  return `Globals.${section}.${m[1]}${m[2]}`;
}

/** `{line}` of the resource a template path is under, when known. */
function lineOf(template: TemplateFile, field: string): { line?: number } {
  const id = /^Resources\.([^.]+)/.exec(field)?.[1];
  const line = id ? template.lineOf(id) : undefined;
  return line === undefined ? {} : { line };
}

/**
 * Resources the SAM transform adds and templates refer to: `<Function>Role`
 * and `<StateMachine>Role` (the execution roles SAM creates when a resource
 * names none).
 * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-specification-generated-resources.html
 */
function implicitResource(id: string, template: TemplateFile, c: ResolveContext): PhysicalResource | undefined {
  const m = /^(.+)Role$/.exec(id);
  const owner = m ? template.resources[m[1]!] : undefined;
  if (owner && (owner.Type === 'AWS::Serverless::Function' || owner.Type === 'AWS::Serverless::StateMachine') && owner.Properties.Role === undefined) {
    return { ref: id, attributes: { Arn: `arn:${c.partition}:iam::${c.accountId}:role/${id}`, RoleId: id } };
  }
  return undefined;
}
