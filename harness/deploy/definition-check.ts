/**
 * Validates one ASL definition and reports each problem with its state and
 * field. Uses the engine's validator (harness/asl/validation, which knows
 * exactly what the engine runs) when it is present; otherwise asl-validator
 * plus the semantic checks below, which asl-validator lacks or reports
 * without naming the state (missing Next targets, BackoffRate, JSONata syntax).
 */
import { createRequire } from 'node:module';
import { distance } from 'fastest-levenshtein';
import jsonata from 'jsonata';
import type { Diagnostic } from '../asl/api.ts';

export interface DefinitionIssue {
  severity: 'ERROR' | 'WARNING';
  /** Innermost state name, when the issue is inside a state. */
  state?: string;
  /** Field inside the state, or a top-level field. */
  field?: string;
  /** Full path, e.g. `States.ProcessImage.Branches[0].States.ResizeImage.Retry[0].BackoffRate`. */
  location: string;
  message: string;
}

/** asl-validator ships no types; this is the part of its API we use. */
interface AslValidatorResult {
  isValid: boolean;
  errors?: unknown[];
}
type AslValidate = (definition: unknown, options?: { checkArn?: boolean; checkPaths?: boolean }) => AslValidatorResult;
const aslModule = createRequire(import.meta.url)('asl-validator') as AslValidate | { default: AslValidate };
const aslValidate: AslValidate = typeof aslModule === 'function' ? aslModule : aslModule.default;

type EngineValidator = (text: string) => Diagnostic[];
let engineValidator: EngineValidator | null | undefined;

/** The engine's validateDefinition, once its module exists (loaded lazily, so this works before it lands). */
async function loadEngineValidator(): Promise<EngineValidator | null> {
  if (engineValidator !== undefined) return engineValidator;
  const specifier = '../asl/validation/index.ts';
  try {
    const mod = (await import(specifier)) as { validateDefinition?: EngineValidator };
    engineValidator = typeof mod.validateDefinition === 'function' ? mod.validateDefinition : null;
  } catch {
    engineValidator = null;
  }
  return engineValidator;
}

/** Splits `States.A.Branches[0].States.B.Retry[0].BackoffRate` (or `/States/A/...`) into state B and field `Retry[0].BackoffRate`. */
export function splitLocation(location: string): { state?: string; field?: string } {
  let segs: string[];
  if (location.startsWith('/')) {
    segs = location
      .slice(1)
      .split('/')
      .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  } else {
    segs = [];
    const re = /([^.[\]]+)|\[(\d+)\]/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(location))) segs.push(m[1] ?? m[2]!);
  }
  let stateIdx = -1;
  for (let i = 0; i < segs.length - 1; i++) if (segs[i] === 'States') stateIdx = i + 1;
  if (stateIdx < 0) return segs.length ? { field: joinField(segs) } : {};
  const rest = segs.slice(stateIdx + 1);
  const out: { state?: string; field?: string } = { state: segs[stateIdx]! };
  if (rest.length) out.field = joinField(rest);
  return out;
}

function joinField(segs: string[]): string {
  return segs.reduce((acc, s) => (/^\d+$/.test(s) ? `${acc}[${s}]` : acc ? `${acc}.${s}` : s), '');
}

function issue(severity: DefinitionIssue['severity'], location: string, message: string): DefinitionIssue {
  return { severity, location, message, ...splitLocation(location) };
}

export async function checkDefinition(text: string): Promise<DefinitionIssue[]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return [{ severity: 'ERROR', location: '', message: `definition is not valid JSON: ${(e as Error).message}` }];
  }
  const engine = await loadEngineValidator();
  if (engine) {
    return engine(text).map((d) => issue(d.severity, d.location, d.code && d.code !== 'SCHEMA_VALIDATION_FAILED' ? `${d.message} (${d.code})` : d.message));
  }
  const out: DefinitionIssue[] = [];
  // asl-validator mutates its input: give it a copy.
  const result = aslValidate(structuredClone(parsed), { checkArn: true, checkPaths: true });
  for (const e of result.errors ?? []) {
    const err = e as { 'Error code'?: string; Message?: string; schemaError?: { instancePath?: string } };
    const code = err['Error code'] ?? 'SCHEMA_VALIDATION_FAILED';
    // Missing targets are reported below with their state; asl-validator's text lacks it.
    if (code === 'MISSING_TRANSITION_TARGET' && /target:/.test(err.Message ?? '')) continue;
    const where = err.schemaError?.instancePath ?? '';
    const message = (err.Message ?? code).replace(`${where} is invalid. `, '');
    out.push(issue('ERROR', where, message));
  }
  if (parsed && typeof parsed === 'object') semanticChecks(parsed as Record<string, unknown>, '', out);
  return out;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

function semanticChecks(machine: Obj, prefix: string, out: DefinitionIssue[], inheritedLanguage = 'JSONPath'): void {
  const states = isObj(machine.States) ? machine.States : {};
  const names = new Set(Object.keys(states));
  const language = typeof machine.QueryLanguage === 'string' ? machine.QueryLanguage : inheritedLanguage;
  const at = (s: string) => `${prefix}States.${s}`;
  if (typeof machine.StartAt === 'string' && !names.has(machine.StartAt)) {
    out.push({ severity: 'ERROR', location: `${prefix}StartAt`, field: `${prefix}StartAt`, message: `StartAt names state ${JSON.stringify(machine.StartAt)}, which does not exist${suggest(machine.StartAt, names)}` });
  }
  for (const [name, st] of Object.entries(states)) {
    if (!isObj(st)) continue;
    const target = (field: string, value: unknown) => {
      if (typeof value === 'string' && !names.has(value)) {
        out.push(issue('ERROR', `${at(name)}.${field}`, `transition target ${JSON.stringify(value)} does not exist in this States block${suggest(value, names)}`));
      }
    };
    target('Next', st.Next);
    target('Default', st.Default);
    if (Array.isArray(st.Choices)) st.Choices.forEach((c, i) => isObj(c) && target(`Choices[${i}].Next`, c.Next));
    if (Array.isArray(st.Catch)) st.Catch.forEach((c, i) => isObj(c) && target(`Catch[${i}].Next`, c.Next));
    if (Array.isArray(st.Retry)) {
      st.Retry.forEach((r, i) => {
        if (!isObj(r)) return;
        if (typeof r.BackoffRate === 'number' && r.BackoffRate < 1) out.push(issue('ERROR', `${at(name)}.Retry[${i}].BackoffRate`, `must be ≥ 1.0, got ${r.BackoffRate}`));
        if (typeof r.IntervalSeconds === 'number' && (r.IntervalSeconds < 1 || !Number.isInteger(r.IntervalSeconds))) out.push(issue('ERROR', `${at(name)}.Retry[${i}].IntervalSeconds`, `must be a positive integer, got ${r.IntervalSeconds}`));
        if (typeof r.MaxAttempts === 'number' && (r.MaxAttempts < 0 || !Number.isInteger(r.MaxAttempts))) out.push(issue('ERROR', `${at(name)}.Retry[${i}].MaxAttempts`, `must be an integer ≥ 0, got ${r.MaxAttempts}`));
      });
    }
    const stateLanguage = typeof st.QueryLanguage === 'string' ? st.QueryLanguage : language;
    if (stateLanguage === 'JSONata') jsonataChecks(st, at(name), out);
    if (Array.isArray(st.Branches)) st.Branches.forEach((b, i) => isObj(b) && semanticChecks(b, `${at(name)}.Branches[${i}].`, out, stateLanguage));
    const proc = isObj(st.ItemProcessor) ? st.ItemProcessor : isObj(st.Iterator) ? st.Iterator : undefined;
    if (proc) semanticChecks(proc, `${at(name)}.${isObj(st.ItemProcessor) ? 'ItemProcessor' : 'Iterator'}.`, out, stateLanguage);
  }
}

/** Every `{% … %}` string in a JSONata state must compile. Nested state machines are checked on their own. */
function jsonataChecks(value: unknown, location: string, out: DefinitionIssue[]): void {
  if (typeof value === 'string') {
    const m = /^\{%([\s\S]*)%\}$/.exec(value.trim());
    if (!m) return;
    try {
      jsonata(m[1]!);
    } catch (e) {
      const err = e as { message?: string; position?: number; token?: string };
      out.push(issue('ERROR', location, `JSONata expression ${JSON.stringify(value)} does not compile: ${err.message ?? String(e)}${err.position !== undefined ? ` (at character ${err.position})` : ''}`));
    }
    return;
  }
  if (Array.isArray(value)) {
    value.forEach((v, i) => jsonataChecks(v, `${location}[${i}]`, out));
    return;
  }
  if (!isObj(value)) return;
  for (const [k, v] of Object.entries(value)) {
    if (k === 'Branches' || k === 'ItemProcessor' || k === 'Iterator') continue;
    jsonataChecks(v, `${location}.${k}`, out);
  }
}

export function suggest(value: string, names: Iterable<string>): string {
  let best: string | undefined;
  let bestD = Infinity;
  for (const n of names) {
    const d = distance(value.toLowerCase(), n.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = n;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(value.length / 3)) ? ` (did you mean ${JSON.stringify(best)}?)` : '';
}
