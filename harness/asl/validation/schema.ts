/**
 * JSON-schema validation with asl-validator's schemas. asl-validator builds
 * (and compiles) a fresh Ajv instance on every call — ~150 ms each, too slow
 * for CreateStateMachine in a loop — so we compile its schemas once with the
 * same Ajv, formats and path validator it uses (resolved from its own
 * package) and reproduce its error selection. Like asl-validator we first
 * default every state's QueryLanguage (on a clone: it mutates its input).
 */
import { createRequire } from 'node:module';
import type { Diagnostic } from '../api.ts';
import { jsonataSyntaxError } from '../jsonata/index.ts';
import { dotBracketAsBracket } from '../jsonpath/path.ts';
import { formatLocation, fromJsonPointer } from './location.ts';

interface AjvError {
  instancePath: string;
  schemaPath: string;
  keyword: string;
  message?: string;
  params?: Record<string, unknown>;
}
interface AjvLike {
  validate(schema: string, data: unknown): boolean;
  errors?: AjvError[] | null;
  addFormat(name: string, fn: (value: string) => boolean): void;
}

const SCHEMA_FILES = [
  'common', 'paths', 'jsonata', 'choice', 'fail', 'parallel', 'pass', 'base-state-machine',
  'state-machine', 'state', 'succeed', 'task', 'wait', 'map', 'errors',
];
const ROOT_SCHEMA = 'http://asl-validator.cloud/state-machine.json#';

let ajv: AjvLike | undefined;

function validator(): AjvLike {
  if (ajv) return ajv;
  const base = createRequire(import.meta.url);
  const fromValidator = createRequire(base.resolve('asl-validator'));
  const AjvCtor = (fromValidator('ajv') as { default: new (o: unknown) => AjvLike }).default;
  const addFormats = (fromValidator('ajv-formats') as { default: (a: AjvLike) => void }).default;
  const { registerAll } = fromValidator('asl-path-validator') as { registerAll: (a: AjvLike) => void };
  const schemas = SCHEMA_FILES.map((f) => relaxJsonataPatterns(f, structuredClone(fromValidator(`./schemas/${f}.json`) as SchemaFile)));
  const instance = new AjvCtor({ schemas, allowUnionTypes: true, allErrors: false });
  addFormats(instance);
  const jsonataText = (value: string) => {
    const t = value.trim();
    let expr = t.startsWith('{%') ? t.slice(2) : t;
    expr = expr.endsWith('%}') ? expr.slice(0, -2) : expr;
    return jsonataSyntaxError(expr) === undefined;
  };
  instance.addFormat('jsonata_string', jsonataText);
  instance.addFormat('maybe_jsonata_string', (v) => {
    const t = v.trim();
    return t.startsWith('{%') || t.endsWith('%}') ? jsonataText(t) : true;
  });
  registerAll(instance);
  // Re-registered over registerAll's: the same checks, with Jayway's `.[` read as `[` as AWS reads it
  // (`$.[0]`, `$.Snapshots.[0].State`; see dotBracketAsBracket).
  const { validatePath } = fromValidator('asl-path-validator') as { validatePath: (path: string, context: string) => { isValid: boolean } };
  for (const [format, context] of PATH_FORMATS) {
    instance.addFormat(format, (p) => validatePath(p, context).isValid || validatePath(dotBracketAsBracket(p), context).isValid);
  }
  // Resource ARNs are checked by our own rules (INVALID_RESOURCE), with clearer messages.
  instance.addFormat('asl_arn', () => true);
  ajv = instance;
  return instance;
}

interface SchemaFile {
  definitions?: Record<string, { pattern?: string }>;
}

/** asl-path-validator's formats and the path context each checks. */
const PATH_FORMATS: ReadonlyArray<[string, string]> = [
  ['asl_path', 'path'],
  ['asl_ref_path', 'reference_path'],
  ['asl_result_path', 'result_path'],
  ['asl_payload_template', 'payload_template'],
];

/**
 * asl-validator's JSONata patterns want a space after `{%` and before `%}`
 * and no line breaks (`^\\{% .+ %\\}$`); AWS reads any string that starts
 * with `{%` and ends with `%}` as an expression (`{% $states.input%}`,
 * expressions over several lines), and a string that does not start with
 * `{%` as a literal
 * (https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html).
 * The jsonata_string format still compiles the expression.
 */
function relaxJsonataPatterns(file: string, schema: SchemaFile): object {
  const defs = file === 'jsonata' ? schema.definitions : undefined;
  if (defs?.jsonata) defs.jsonata.pattern = '^\\{%[\\s\\S]*%\\}$';
  if (defs?.not_jsonata) defs.not_jsonata.pattern = '^(?!\\{%)[\\s\\S]*$';
  return schema;
}

function defaultQueryLanguages(node: unknown, language: string): void {
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const n of node) defaultQueryLanguages(n, language);
    return;
  }
  const obj = node as Record<string, unknown>;
  for (const [key, value] of Object.entries(obj)) {
    if (key === 'States' && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const state of Object.values(value as Record<string, unknown>)) {
        if (state !== null && typeof state === 'object' && !Array.isArray(state)) {
          const s = state as Record<string, unknown>;
          if (!s.QueryLanguage) s.QueryLanguage = language;
        }
      }
    }
    defaultQueryLanguages(value, language);
  }
}

/**
 * Places where asl-validator's schemas reject definitions that real AWS runs
 * (found by validating the 991 recorded executions in ../shared/conformance):
 * JSONata `Output` of any JSON type, JSONPath `Assign` literals that look
 * like `{% %}`, a literal boolean `Condition`, a fractional
 * ToleratedFailurePercentage. Our own rules cover these fields.
 */
const FALSE_POSITIVES: readonly RegExp[] = [
  /\/Output(\/|$)/,
  /\/Assign(\/|$)/,
  /\/Choices\/\d+\/Condition$/,
  /\/ToleratedFailurePercentage$/,
  /\/Type$/,
];

/** `/States/A/Branches/0/States/B/Assign/x` → `/States/A/Branches/0/States/B`. */
function statePrefix(pointer: string): string {
  const parts = pointer.split('/');
  for (let i = parts.length - 2; i >= 1; i--) if (parts[i] === 'States') return parts.slice(0, i + 2).join('/');
  return pointer;
}

export function schemaDiagnostics(definition: unknown): Diagnostic[] {
  const clone = structuredClone(definition) as Record<string, unknown>;
  const top = typeof clone.QueryLanguage === 'string' ? clone.QueryLanguage : 'JSONPath';
  defaultQueryLanguages(clone, top);
  const v = validator();
  if (v.validate(ROOT_SCHEMA, clone)) return [];
  const all = v.errors ?? [];
  // A false positive inside a state also surfaces as oneOf noise elsewhere in that state (the schema tries every
  // state type): drop everything the schema said about such a state; semantic.ts checks it field by field.
  const suppressed = all.filter((e) => FALSE_POSITIVES.some((re) => re.test(e.instancePath))).map((e) => statePrefix(e.instancePath));
  const errors = all.filter((e) => !suppressed.some((p) => e.instancePath === p || e.instancePath.startsWith(p + '/')));
  if (errors.length === 0) return [];
  // As asl-validator does: the deepest instance paths are the informative ones; a oneOf there hides its branches.
  const deepest = Math.max(...errors.map((e) => e.instancePath.split('/').length));
  const selected = errors.filter((e) => e.instancePath.split('/').length === deepest);
  const withOneOf = new Set(selected.filter((e) => e.keyword === 'oneOf').map((e) => e.instancePath));
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  for (const e of selected) {
    if (e.keyword !== 'oneOf' && withOneOf.has(e.instancePath)) continue;
    const location = formatLocation(fromJsonPointer(e.instancePath));
    const message = e.keyword === 'oneOf' ? 'is not a valid value for this field' : (e.message ?? 'is invalid');
    const key = `${location}|${message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ severity: 'ERROR', code: 'SCHEMA_VALIDATION_FAILED', location, message });
  }
  return out;
}
