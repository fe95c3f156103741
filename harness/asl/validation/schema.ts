/**
 * JSON-schema validation with asl-validator's schemas. asl-validator builds
 * (and compiles) a fresh Ajv instance on every call — ~150 ms each, too slow
 * for CreateStateMachine in a loop — so we compile its schemas with the same
 * Ajv, formats and path validator it uses (resolved from its own package)
 * and reproduce its error selection. Like asl-validator we first default
 * every state's QueryLanguage (on a clone: it mutates its input).
 *
 * Compiling still takes ~200 ms, once per process: every `rehearse run`
 * paid it before its first deploy. So the compiled validator is kept as
 * Ajv's standalone code in the cache folder (`asl-schema/`), keyed by the
 * versions of Ajv, its formats and asl-validator, the schemas as we relax
 * them and the format names; a later process evaluates that code (a few
 * milliseconds) with the same format functions. A missing, unreadable or
 * corrupt entry is compiled again and rewritten.
 * https://ajv.js.org/standalone.html
 */
import { createRequire } from 'node:module';
import { Script } from 'node:vm';
import { cacheFile, cacheKey, readCacheBytes, readCacheFile, writeCacheFile } from '../../core/index.ts';
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
/** A compiled schema: true when the data is valid, else `errors` says why. */
interface SchemaValidator {
  (data: unknown): boolean;
  errors?: AjvError[] | null;
}
type Format = ((value: string) => boolean) | RegExp | { validate: unknown };
interface AjvLike {
  addFormat(name: string, format: Format): void;
  getSchema(id: string): SchemaValidator | undefined;
}

const SCHEMA_FILES = [
  'common', 'paths', 'jsonata', 'choice', 'fail', 'parallel', 'pass', 'base-state-machine',
  'state-machine', 'state', 'succeed', 'task', 'wait', 'map', 'errors',
];
const ROOT_SCHEMA = 'http://asl-validator.cloud/state-machine.json#';
/** Bump when how the validator is built changes: older cache entries are then ignored. */
const CACHE_FORMAT = 1;

let compiled: SchemaValidator | undefined;

function validator(): SchemaValidator {
  if (compiled) return compiled;
  const fromValidator = createRequire(createRequire(import.meta.url).resolve('asl-validator'));
  const formats = aslFormats(fromValidator);
  const schemas = SCHEMA_FILES.map((f) => relaxJsonataPatterns(f, structuredClone(fromValidator(`./schemas/${f}.json`) as SchemaFile)));
  const versions = ['ajv', 'ajv-formats', 'asl-validator', 'asl-path-validator'].map((p) => (fromValidator(`${p}/package.json`) as { version: string }).version);
  const file = cacheFile('asl-schema', `${cacheKey(JSON.stringify([CACHE_FORMAT, versions, Object.keys(formats), schemas]))}.cjs`);
  const cached = readCacheFile(file);
  if (cached !== undefined) {
    try {
      return (compiled = evaluate(cached, file, fromValidator, formats));
    } catch {
      // A corrupt entry (a crash mid-write on a file system without atomic rename): compiled again below.
    }
  }
  const code = standaloneCode(fromValidator, schemas, formats);
  compiled = evaluate(code, file, fromValidator, formats);
  writeCacheFile(file, code);
  return compiled;
}

/** Every format the schemas use: ajv-formats' full set, asl-path-validator's (as AWS reads paths), and ours. */
function aslFormats(fromValidator: NodeJS.Require): Record<string, Format> {
  const { fullFormats } = fromValidator('ajv-formats/dist/formats') as { fullFormats: Record<string, Format> };
  const { validatePath } = fromValidator('asl-path-validator') as { validatePath: (path: string, context: string) => { isValid: boolean } };
  const jsonataText = (value: string) => {
    const t = value.trim();
    let expr = t.startsWith('{%') ? t.slice(2) : t;
    expr = expr.endsWith('%}') ? expr.slice(0, -2) : expr;
    return jsonataSyntaxError(expr) === undefined;
  };
  const formats: Record<string, Format> = {
    ...fullFormats,
    jsonata_string: jsonataText,
    maybe_jsonata_string: (v: string) => {
      const t = v.trim();
      return t.startsWith('{%') || t.endsWith('%}') ? jsonataText(t) : true;
    },
    // Resource ARNs are checked by our own rules (INVALID_RESOURCE), with clearer messages.
    asl_arn: () => true,
  };
  // asl-path-validator's checks, with Jayway's `.[` read as `[` as AWS reads it
  // (`$.[0]`, `$.Snapshots.[0].State`; see dotBracketAsBracket).
  for (const [format, context] of PATH_FORMATS) {
    formats[format] = (p: string) => validatePath(p, context).isValid || validatePath(dotBracketAsBracket(p), context).isValid;
  }
  return formats;
}

/** Compiles the schemas with asl-validator's Ajv and returns the root validator as standalone CommonJS code reading `formats`. */
function standaloneCode(fromValidator: NodeJS.Require, schemas: object[], formats: Record<string, Format>): string {
  const ajvModule = fromValidator('ajv') as { default: new (o: unknown) => AjvLike; _: (s: TemplateStringsArray) => unknown };
  const toCode = (fromValidator('ajv/dist/standalone') as { default: (ajv: AjvLike, v: SchemaValidator) => string }).default;
  const ajv = new ajvModule.default({ schemas, allowUnionTypes: true, allErrors: false, code: { source: true, formats: ajvModule._`formats` } });
  for (const [name, format] of Object.entries(formats)) ajv.addFormat(name, format);
  const root = ajv.getSchema(ROOT_SCHEMA);
  if (!root) throw new Error(`asl-validator's schemas define no ${ROOT_SCHEMA}`);
  return toCode(ajv, root);
}

/**
 * Runs the validator's standalone code, with V8's compiled code of it kept
 * beside it (`<entry>.<node and V8 flags>.v8`, written when the process
 * exits, so every function the run's validations compiled is in it): a new
 * process otherwise compiles the half-megabyte validator's functions again as
 * the first definitions are checked (the reference template's first
 * validation: 76 → 45–52 ms).
 * https://nodejs.org/api/vm.html#scriptcreatecacheddata
 */
function evaluate(code: string, file: string, fromValidator: NodeJS.Require, formats: Record<string, Format>): SchemaValidator {
  const module: { exports: { default?: SchemaValidator } & Partial<SchemaValidator> } = { exports: {} };
  const compiledFile = `${file}.${cacheKey(`${process.version}\0${process.arch}\0${process.execArgv.join(' ')}`).slice(0, 16)}.v8`;
  const cachedData = readCacheBytes(compiledFile);
  const script = new Script(`(function (require, module, exports, formats) {${code}\n})`, { filename: file, ...(cachedData ? { cachedData } : {}) });
  (script.runInThisContext() as (...args: unknown[]) => void)(fromValidator, module, module.exports, formats);
  if (cachedData === undefined || script.cachedDataRejected) saveAtExit(compiledFile, script);
  const validate = module.exports.default ?? (module.exports as SchemaValidator);
  if (typeof validate !== 'function') throw new Error('the cached schema validator exports no function');
  return validate;
}

/** Scripts whose compiled code the process writes when it exits: one 'exit' listener per process, however many times this module is loaded (a test runner loads it per file). */
const PENDING = Symbol.for('rehearse.asl-schema.compiled-code');

function saveAtExit(file: string, script: Script): void {
  const shared = globalThis as { [PENDING]?: Map<string, Script> };
  if (!shared[PENDING]) {
    const pending = new Map<string, Script>();
    shared[PENDING] = pending;
    process.once('exit', () => {
      for (const [f, s] of pending) writeCacheFile(f, s.createCachedData());
    });
  }
  shared[PENDING].set(file, script);
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
  const validate = validator();
  if (validate(clone)) return [];
  const all = validate.errors ?? [];
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
