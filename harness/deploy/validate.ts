/**
 * `rehearse validate`: checks a SAM template and every definition it deploys
 * before anything is deployed — the pre-merge check (DESIGN.md use 4).
 *  - the template: YAML, resources, code directories and handler modules,
 *    esbuild entry points, intrinsics that resolve;
 *  - each state machine: its DefinitionUri exists; every `${Name}` in the
 *    definition has a DefinitionSubstitution and every substitution resolves;
 *  - the definition itself (engine validator), each problem named by state and field;
 *  - cross-references: every function a Task's Resource/FunctionName names is a
 *    function of the template; topics named by sns:publish tasks exist.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { createContext } from './context.ts';
import { checkDefinition, suggest } from './definition-check.ts';
import { ResolveError, resolveValue } from './intrinsics.ts';
import type { ResolveContext } from './intrinsics.ts';
import { loadTemplate } from './model.ts';
import type { StateMachineSpec, TemplateModel } from './model.ts';
import { lineOfKey } from './problems.ts';
import type { Problem } from './problems.ts';

/** Region/account used to resolve ARNs while validating (their values do not matter, only their shape). */
/** Region and account that template-only work (validation, planning) resolves names and ARNs in: only the names matter. */
export const VALIDATION_CONTEXT = { region: 'us-east-1', accountId: '123456789012' };

export interface ValidationReport {
  problems: Problem[];
  /** Files that were checked (templates and definitions). */
  checked: string[];
}

const PLACEHOLDER = /\$\{([^}]+)\}/g;

/** The distinct `${Name}` placeholders in a definition's text. */
export function placeholdersIn(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]!))];
}

/** Replaces `${Name}` with its substitution, as Step Functions does with DefinitionSubstitutions. */
export function substitute(text: string, values: Record<string, string>): string {
  return text.replace(PLACEHOLDER, (m, name: string) => (Object.hasOwn(values, name) ? values[name]! : m));
}

export async function validateTemplate(file: string): Promise<ValidationReport> {
  const { model, problems } = loadTemplate(file);
  const report: ValidationReport = { problems, checked: [path.resolve(file)] };
  if (!model) return report;
  const ctx = createContext(model, VALIDATION_CONTEXT);
  const templateProblem = (field: string, message: string, severity: Problem['severity'] = 'ERROR') => problems.push({ severity, file: model.file, field, message });
  const resolveOr = (value: unknown, field: string): unknown => {
    try {
      return resolveValue(value, ctx);
    } catch (e) {
      if (!(e instanceof ResolveError)) throw e;
      templateProblem(field, withSuggestion(e.message, model));
      return undefined;
    }
  };
  for (const [name, p] of Object.entries(model.parameters)) {
    if (p.default === undefined) templateProblem(`Parameters.${name}`, 'parameter has no Default: pass a value when deploying', 'WARNING');
  }
  for (const f of model.functions) {
    resolveOr(f.name, `Resources.${f.logicalId}.Properties.FunctionName`);
    for (const [k, v] of Object.entries(f.environment)) resolveOr(v, `Resources.${f.logicalId}.Properties.Environment.Variables.${k}`);
    for (const ev of f.events) {
      const field = `Resources.${f.logicalId}.Properties.Events.${ev.eventId}.Properties.Bucket`;
      const ref = (ev.bucket as { Ref?: unknown } | undefined)?.Ref;
      if (typeof ref !== 'string' || !model.buckets.some((b) => b.logicalId === ref)) {
        templateProblem(field, `an S3 event must name a bucket of this template with !Ref, got ${JSON.stringify(ev.bucket)}`);
      }
    }
  }
  for (const sm of model.stateMachines) {
    const checked = await validateStateMachine(model, sm, ctx, problems);
    if (checked) report.checked.push(checked);
  }
  return report;
}

function withSuggestion(message: string, model: TemplateModel): string {
  const m = /no (?:parameter or )?resource named (\S+)/.exec(message);
  if (!m) return message;
  const names = [...Object.keys(model.raw.Resources as object), ...Object.keys(model.parameters)];
  return message + suggest(m[1]!, names);
}

async function validateStateMachine(model: TemplateModel, sm: StateMachineSpec, ctx: ResolveContext, problems: Problem[]): Promise<string | undefined> {
  const smField = `Resources.${sm.logicalId}.Properties`;
  let text: string;
  let file = model.file;
  if (sm.definitionFile) {
    if (!existsSync(sm.definitionFile)) return undefined; // reported by loadTemplate
    file = sm.definitionFile;
    text = readFileSync(file, 'utf8');
  } else if (sm.inlineDefinition !== undefined) {
    text = typeof sm.inlineDefinition === 'string' ? sm.inlineDefinition : JSON.stringify(sm.inlineDefinition, null, 2);
  } else {
    return undefined;
  }
  // Resolve the substitutions; unresolvable ones are template problems.
  const values: Record<string, string> = {};
  for (const [key, raw] of Object.entries(sm.substitutions)) {
    try {
      const v = resolveValue(raw, ctx);
      values[key] = typeof v === 'string' ? v : JSON.stringify(v);
    } catch (e) {
      if (!(e instanceof ResolveError)) throw e;
      problems.push({ severity: 'ERROR', file: model.file, field: `${smField}.DefinitionSubstitutions.${key}`, message: withSuggestion(e.message, model) });
    }
  }
  problems.push(...(await checkDefinitionInTemplate(text, file, values, sm, model, ctx)));
  return file;
}

interface TaskRef {
  state: string;
  location: string;
  field: string;
  /** The value before substitution (to name the placeholder in messages). */
  raw: string;
  value: string;
  kind: 'function' | 'topic';
}

async function checkDefinitionInTemplate(
  text: string,
  file: string,
  values: Record<string, string>,
  sm: StateMachineSpec,
  model: TemplateModel,
  ctx: ResolveContext,
): Promise<Problem[]> {
  const out: Problem[] = [];
  const at = (state: string | undefined, field: string | undefined, message: string, severity: Problem['severity'] = 'ERROR'): void => {
    const p: Problem = { severity, file, message };
    if (state !== undefined) {
      p.state = state;
      const line = lineOfKey(text, state);
      if (line) p.line = line;
    }
    if (field !== undefined) p.field = field;
    out.push(p);
  };
  let rawDef: unknown;
  try {
    rawDef = JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const pos = /position (\d+)/.exec(msg);
    const p: Problem = { severity: 'ERROR', file, message: `definition is not valid JSON: ${msg}` };
    if (pos) p.line = text.slice(0, Number(pos[1])).split('\n').length;
    return [p];
  }
  // Placeholders without a substitution, reported where they are used.
  const used = new Set<string>();
  walkStrings(rawDef, '', (value, location) => {
    for (const m of value.matchAll(PLACEHOLDER)) {
      const name = m[1]!;
      used.add(name);
      if (!Object.hasOwn(sm.substitutions, name)) {
        const { state, field } = locate(location);
        at(state, field, `\${${name}} has no DefinitionSubstitution in ${path.basename(model.file)} (${sm.logicalId})${suggest(name, Object.keys(sm.substitutions))}`);
      }
    }
  });
  for (const key of Object.keys(sm.substitutions)) {
    if (!used.has(key)) out.push({ severity: 'WARNING', file: model.file, field: `Resources.${sm.logicalId}.Properties.DefinitionSubstitutions.${key}`, message: `substitution ${key} is not used by ${path.basename(file)}` });
  }
  const substituted = substitute(text, values);
  for (const d of await checkDefinition(substituted)) at(d.state, d.state === undefined ? d.field ?? (d.location || undefined) : d.field, d.message, d.severity);

  // Cross-check the functions and topics tasks name against the template.
  let def: unknown;
  try {
    def = JSON.parse(substituted);
  } catch {
    return out; // a substitution broke the JSON: reported by checkDefinition
  }
  const functions = model.functions.map((f) => {
    const name = String(ctx.resource(f.logicalId)?.ref ?? f.logicalId);
    return { logicalId: f.logicalId, name, arn: ctx.resource(f.logicalId)?.attributes.Arn ?? '' };
  });
  const topics = model.topics.map((t) => ctx.resource(t.logicalId)?.ref ?? '');
  for (const ref of taskRefs(rawDef, def)) {
    if (ref.value.includes('${')) continue; // missing substitution, reported above
    if (ref.kind === 'function') {
      const known = functions.some((f) => matchesFunction(ref.value, f.name, f.arn));
      if (!known) {
        const shown = ref.raw !== ref.value ? `${ref.raw} (= ${ref.value})` : JSON.stringify(ref.value);
        at(ref.state, ref.field, `names function ${shown}, which is not a function in ${path.basename(model.file)}${suggest(functionNameOf(ref.value), functions.map((f) => f.name))} (functions: ${functions.map((f) => f.name).join(', ')})`);
      }
    } else if (!topics.includes(ref.value)) {
      at(ref.state, ref.field, `publishes to ${ref.raw !== ref.value ? `${ref.raw} (= ${ref.value})` : ref.value}, which is not a topic in ${path.basename(model.file)}`, 'WARNING');
    }
  }
  return out;
}

/** `resize-image`, `…:function:resize-image`, `…:function:resize-image:live` all name resize-image. */
function matchesFunction(value: string, name: string, arn: string): boolean {
  return value === name || value === arn || value.startsWith(`${arn}:`) || functionNameOf(value) === name;
}

function functionNameOf(value: string): string {
  const m = /(?:^|:)function:([^:]+)/.exec(value);
  return m ? m[1]! : value.split(':')[0]!;
}

function locate(location: string): { state?: string; field?: string } {
  const segs = location.split('\u0000').filter(Boolean);
  let stateIdx = -1;
  for (let i = 0; i < segs.length - 1; i++) if (segs[i] === 'States') stateIdx = i + 1;
  if (stateIdx < 0) return { field: segs.join('.') };
  const out: { state?: string; field?: string } = { state: segs[stateIdx]! };
  const rest = segs.slice(stateIdx + 1);
  if (rest.length) out.field = rest.join('.').replace(/\.(\d+)(?=\.|$)/g, '[$1]');
  return out;
}

function walkStrings(value: unknown, location: string, visit: (s: string, location: string) => void): void {
  if (typeof value === 'string') visit(value, location);
  else if (Array.isArray(value)) value.forEach((v, i) => walkStrings(v, `${location}\u0000${i}`, visit));
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      // Keys may hold placeholders too, e.g. "${Key}.$": report those as well.
      if (k.includes('${')) visit(k, `${location}\u0000${k}`);
      walkStrings(v, `${location}\u0000${k}`, visit);
    }
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Every Lambda function and SNS topic a Task names with a literal value (paths and JSONata are dynamic: skipped). */
function taskRefs(rawDef: unknown, def: unknown): TaskRef[] {
  const refs: TaskRef[] = [];
  const visit = (rawStates: Obj, states: Obj): void => {
    for (const [name, st] of Object.entries(states)) {
      const raw = rawStates[name];
      if (!isObj(st) || !isObj(raw)) continue;
      if (st.Type === 'Task' && typeof st.Resource === 'string') {
        const res = st.Resource;
        const args = isObj(st.Parameters) ? st.Parameters : isObj(st.Arguments) ? st.Arguments : {};
        const rawArgs = isObj(raw.Parameters) ? raw.Parameters : isObj(raw.Arguments) ? raw.Arguments : {};
        const argField = isObj(st.Parameters) ? 'Parameters' : 'Arguments';
        const literal = (k: string): { value: string; raw: string } | undefined => {
          const v = args[k];
          if (typeof v !== 'string' || v.trim().startsWith('{%')) return undefined;
          return { value: v, raw: typeof rawArgs[k] === 'string' ? (rawArgs[k] as string) : v };
        };
        if (res.startsWith('arn:aws:lambda:') || /^arn:aws[\w-]*:lambda:/.test(res)) {
          refs.push({ state: name, location: name, field: 'Resource', raw: String(raw.Resource), value: res, kind: 'function' });
        } else if (/^arn:aws[\w-]*:states:::lambda:invoke/.test(res)) {
          const fn = literal('FunctionName');
          if (fn) refs.push({ state: name, location: name, field: `${argField}.FunctionName`, ...fn, kind: 'function' });
        } else if (/^arn:aws[\w-]*:states:::sns:publish/.test(res)) {
          const topic = literal('TopicArn');
          if (topic) refs.push({ state: name, location: name, field: `${argField}.TopicArn`, ...topic, kind: 'topic' });
        }
      }
      const rawBranches = Array.isArray(raw.Branches) ? raw.Branches : [];
      if (Array.isArray(st.Branches)) {
        st.Branches.forEach((b, i) => {
          const rb = rawBranches[i];
          if (isObj(b) && isObj(b.States) && isObj(rb) && isObj(rb.States)) visit(rb.States, b.States);
        });
      }
      const proc = isObj(st.ItemProcessor) ? st.ItemProcessor : isObj(st.Iterator) ? st.Iterator : undefined;
      const rawProc = isObj(raw.ItemProcessor) ? raw.ItemProcessor : isObj(raw.Iterator) ? raw.Iterator : undefined;
      if (proc && rawProc && isObj(proc.States) && isObj(rawProc.States)) visit(rawProc.States, proc.States);
    }
  };
  if (isObj(def) && isObj(def.States) && isObj(rawDef) && isObj(rawDef.States)) visit(rawDef.States, def.States);
  return refs;
}

/** A definition file on its own (no template names it): checked with its placeholders left as they are. */
export async function validateDefinitionFile(file: string): Promise<ValidationReport> {
  const abs = path.resolve(file);
  const text = readFileSync(abs, 'utf8');
  const problems: Problem[] = [];
  let parsedOk = true;
  try {
    JSON.parse(text);
  } catch (e) {
    parsedOk = false;
    const msg = (e as Error).message;
    const pos = /position (\d+)/.exec(msg);
    const p: Problem = { severity: 'ERROR', file: abs, message: `definition is not valid JSON: ${msg}` };
    if (pos) p.line = text.slice(0, Number(pos[1])).split('\n').length;
    problems.push(p);
  }
  if (parsedOk) {
    // Placeholders become a syntactically valid Lambda ARN so the schema's ARN checks pass.
    const placeholders = placeholdersIn(text);
    const values = Object.fromEntries(placeholders.map((n) => [n, `arn:aws:lambda:us-east-1:123456789012:function:${n.replace(/[^A-Za-z0-9-_]/g, '')}`]));
    if (placeholders.length > 0) {
      problems.push({ severity: 'WARNING', file: abs, message: `not deployed by any template found next to it: placeholders ${placeholders.map((p) => `\${${p}}`).join(', ')} were not checked against DefinitionSubstitutions` });
    }
    for (const d of await checkDefinition(substitute(text, values))) {
      const p: Problem = { severity: d.severity, file: abs, message: d.message };
      if (d.state !== undefined) {
        p.state = d.state;
        const line = lineOfKey(text, d.state);
        if (line) p.line = line;
      }
      if (d.field !== undefined) p.field = d.field;
      else if (d.location) p.field = d.location;
      problems.push(p);
    }
  }
  return { problems, checked: [abs] };
}

const TEMPLATE_NAMES = ['template.yaml', 'template.yml', 'template.json'];

/**
 * Validates paths: templates (with everything they deploy), definition files
 * (in the context of the template next to them that deploys them, if any) and
 * directories (their template plus any definition it does not deploy).
 */
export async function validatePaths(paths: string[], cwd: string): Promise<ValidationReport> {
  const report: ValidationReport = { problems: [], checked: [] };
  const done = new Set<string>();
  const add = (r: ValidationReport) => {
    for (const p of r.problems) {
      const key = JSON.stringify([p.file, p.line, p.state, p.field, p.message]);
      if (!done.has(key)) {
        done.add(key);
        report.problems.push(p);
      }
    }
    for (const c of r.checked) if (!report.checked.includes(c)) report.checked.push(c);
  };
  for (const input of paths) {
    const abs = path.resolve(cwd, input);
    if (!existsSync(abs)) {
      report.problems.push({ severity: 'ERROR', file: abs, message: 'no such file or directory' });
      continue;
    }
    if (statSync(abs).isDirectory()) {
      const entries = readdirSync(abs);
      const template = TEMPLATE_NAMES.map((n) => path.join(abs, n)).find((f) => existsSync(f));
      if (template) add(await validateTemplate(template));
      for (const e of entries.filter((n) => n.endsWith('.asl.json')).sort()) {
        const f = path.join(abs, e);
        if (!report.checked.includes(f)) add(await validateDefinitionFile(f));
      }
      if (!template && !entries.some((n) => n.endsWith('.asl.json'))) {
        report.problems.push({ severity: 'ERROR', file: abs, message: `no ${TEMPLATE_NAMES.join('/')} and no *.asl.json files here` });
      }
    } else if (/\.(ya?ml)$/.test(abs) || TEMPLATE_NAMES.includes(path.basename(abs))) {
      add(await validateTemplate(abs));
    } else {
      const template = TEMPLATE_NAMES.map((n) => path.join(path.dirname(abs), n)).find((f) => existsSync(f));
      if (template) {
        const r = await validateTemplate(template);
        if (r.checked.includes(abs)) {
          // Keep only what concerns this file (and the template's own problems about it).
          add({ problems: r.problems.filter((p) => p.file === abs || p.file === template), checked: [abs] });
          continue;
        }
      }
      add(await validateDefinitionFile(abs));
    }
  }
  return report;
}
