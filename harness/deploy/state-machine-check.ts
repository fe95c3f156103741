/**
 * Checks a template's state machine the way deploy will create it: every
 * `${Name}` in the definition has a DefinitionSubstitution (and every
 * substitution is used), the substituted definition passes the engine's
 * validator (each problem named by state and field), and the functions and
 * topics its Tasks name are resources of the template.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { unrunnableTasks } from '../backends/integrations.ts';
import { checkDefinition, suggest } from './definition-check.ts';
import { lineOfKey } from './problems.ts';
import type { Problem } from './problems.ts';
import type { StateMachineSpec } from './resources/state-machine.ts';
import type { ValidateScope } from './resources/types.ts';
import { isObj, type Obj } from './template.ts';

const PLACEHOLDER = /\$\{([^}]+)\}/g;

/** The distinct `${Name}` placeholders in a definition's text. */
export function placeholdersIn(text: string): string[] {
  return [...new Set([...text.matchAll(PLACEHOLDER)].map((m) => m[1]!))];
}

/** Replaces `${Name}` with its substitution, as Step Functions does with DefinitionSubstitutions. */
export function substitute(text: string, values: Record<string, string>): string {
  return text.replace(PLACEHOLDER, (m, name: string) => (Object.hasOwn(values, name) ? values[name]! : m));
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

/** The 1-based line a state is defined on: its key in JSON text, or in YAML (`Name:` at the start of a line). */
export function lineOfState(text: string, state: string, yaml: boolean, from = 0): number | undefined {
  if (!yaml) return lineOfKey(text, state, from);
  const escaped = state.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const re = new RegExp(`^[ \\t]*["']?${escaped}["']?[ \\t]*:`, 'mg');
  re.lastIndex = from;
  const m = re.exec(text);
  return m ? text.slice(0, m.index).split('\n').length : undefined;
}

export async function checkStateMachine(sm: StateMachineSpec, v: ValidateScope): Promise<void> {
  if (sm.definition === undefined) return; // reported when it was read
  const templateFile = v.template.file;
  // Problems inside the definition name the file it is written in, and the line when it can be found.
  const file = sm.definitionFile ?? templateFile;
  const sourceText = readFileSync(file, 'utf8');
  const yaml = /\.ya?ml$/i.test(file);
  const resourceLine = sm.definitionFile ? 0 : Math.max(0, sourceText.split('\n').slice(0, (v.template.lineOf(sm.logicalId) ?? 1) - 1).join('\n').length);
  const text = sm.definition;
  const at = (state: string | undefined, field: string | undefined, message: string, severity: Problem['severity'] = 'ERROR'): void => {
    const p: Problem = { severity, file, message };
    if (state !== undefined) {
      p.state = state;
      const line = lineOfState(sourceText, state, yaml, resourceLine);
      if (line) p.line = line;
    } else if (!sm.definitionFile) {
      const line = v.template.lineOf(sm.logicalId);
      if (line) p.line = line;
    }
    if (field !== undefined) p.field = field;
    v.report(p);
  };
  let rawDef: unknown;
  try {
    rawDef = JSON.parse(text);
  } catch (e) {
    const msg = (e as Error).message;
    const pos = /position (\d+)/.exec(msg);
    const p: Problem = { severity: 'ERROR', file, message: `definition is not valid JSON: ${msg}` };
    if (pos && sm.definitionFile) p.line = text.slice(0, Number(pos[1])).split('\n').length;
    v.report(p);
    return;
  }
  // Placeholders without a substitution, reported where they are used.
  const used = new Set<string>();
  const base = path.basename(templateFile);
  walkStrings(rawDef, '', (value, location) => {
    for (const m of value.matchAll(PLACEHOLDER)) {
      const name = m[1]!;
      used.add(name);
      if (!Object.hasOwn(sm.substitutions, name)) {
        const { state, field } = locate(location);
        at(state, field, `\${${name}} has no DefinitionSubstitution in ${base} (${sm.logicalId})${suggest(name, Object.keys(sm.substitutions))}`);
      }
    }
  });
  for (const key of Object.keys(sm.substitutions)) {
    if (!used.has(key)) v.report({ severity: 'WARNING', file: templateFile, field: sm.substitutionFields[key] ?? key, message: `substitution ${key} is not used by ${sm.definitionFile ? path.basename(sm.definitionFile) : 'the definition'}` });
  }
  const substituted = substitute(text, sm.substitutions);
  for (const d of await checkDefinition(substituted)) at(d.state, d.state === undefined ? (d.field ?? (d.location || undefined)) : d.field, d.message, d.severity);

  // Cross-check the functions and topics tasks name against the template.
  let def: unknown;
  try {
    def = JSON.parse(substituted);
  } catch {
    return; // a substitution broke the JSON: reported by checkDefinition
  }
  for (const t of unrunnableTasks(def, v.backend)) at(t.state, 'Resource', t.message, 'WARNING');
  const functions: Array<{ name: string; arn: string }> = [];
  const topics: string[] = [];
  for (const r of v.resources) {
    const physical = r.module.physical(r.spec, v.ctx);
    if (r.type === 'AWS::Serverless::Function' || r.type === 'AWS::Lambda::Function') functions.push({ name: physical.ref, arn: String(physical.attributes.Arn ?? '') });
    if (r.type === 'AWS::SNS::Topic') topics.push(physical.ref);
  }
  for (const ref of taskRefs(rawDef, def)) {
    if (ref.value.includes('${')) continue; // missing substitution, reported above
    if (ref.kind === 'function') {
      const known = functions.some((f) => matchesFunction(ref.value, f.name, f.arn));
      if (!known) {
        const shown = ref.raw !== ref.value ? `${ref.raw} (= ${ref.value})` : JSON.stringify(ref.value);
        at(ref.state, ref.field, `names function ${shown}, which is not a function in ${base}${suggest(functionNameOf(ref.value), functions.map((f) => f.name))} (functions: ${functions.map((f) => f.name).join(', ') || 'none'})`);
      }
    } else if (!topics.includes(ref.value)) {
      at(ref.state, ref.field, `publishes to ${ref.raw !== ref.value ? `${ref.raw} (= ${ref.value})` : ref.value}, which is not a topic in ${base}`, 'WARNING');
    }
  }
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

