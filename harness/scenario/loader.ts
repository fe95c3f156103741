/**
 * Loads scenario files: YAML with source positions, validated by the one
 * schema. Every problem names the file, line, column and key, and a mistyped
 * key gets the closest valid key as a suggestion (DESIGN.md principle 7).
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { closest, distance } from 'fastest-levenshtein';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import type { z } from 'zod';
import { RehearseError } from '../core/index.ts';
import { isProjectFile } from '../project/file-names.ts';
import { Scenario, type ScenarioSpec } from './schema.ts';
import { keysAt } from './schema-keys.ts';

export const SCHEMA_COMMENT = '# yaml-language-server: $schema=./scenario.schema.json';

export interface LoadedScenario {
  /** Absolute path of the file. */
  file: string;
  spec: ScenarioSpec;
}

export interface ScenarioProblem {
  file: string;
  line: number;
  column: number;
  /** Dotted path of the key, e.g. `then.states.ResizeImage.atempts`. */
  path: string;
  message: string;
  suggestion?: string;
}

/** Thrown by loadScenario: one RehearseError carrying every problem in the file. */
export class ScenarioLoadError extends RehearseError {
  readonly problems: ScenarioProblem[];
  constructor(problems: ScenarioProblem[]) {
    const first = problems[0]!;
    super('ERR_BAD_INPUT', problems.map(formatProblem).join('\n'), {
      location: { file: first.file, line: first.line, column: first.column, path: first.path },
    });
    this.name = 'ScenarioLoadError';
    this.problems = problems;
  }
}

export function formatProblem(p: ScenarioProblem): string {
  const where = `${p.file}:${p.line}:${p.column}`;
  const key = p.path ? ` ${p.path}:` : '';
  return `${where}${key} ${p.message}${p.suggestion ? ` (did you mean '${p.suggestion}'?)` : ''}`;
}

function pathText(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${String(seg)}` : String(seg);
  }
  return out;
}

/** The node at `path`, and — when `key` is given — the key node of that entry in the map at `path`. */
function locate(doc: Document, path: ReadonlyArray<PropertyKey>, key?: string): YamlNode | undefined {
  let node: unknown = doc.contents;
  let last: unknown = node;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      last = pair.key;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      node = node.items[seg];
    } else break;
    if (node) last = node;
  }
  if (key !== undefined && isMap(node)) {
    const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === key);
    if (pair && isScalar(pair.key)) return pair.key;
  }
  return (node ?? last) as YamlNode | undefined;
}

function positionOf(node: YamlNode | undefined, lc: LineCounter): { line: number; column: number } {
  const offset = node?.range?.[0] ?? 0;
  const pos = lc.linePos(offset);
  return { line: pos.line, column: pos.col };
}

export function suggestKey(key: string, valid: string[]): string | undefined {
  if (valid.length === 0) return undefined;
  const best = closest(key, valid);
  // Only suggest when it is plausibly a typo: within a third of the key's length.
  return distance(key.toLowerCase(), best.toLowerCase()) <= Math.max(2, Math.ceil(key.length / 3)) ? best : undefined;
}

type Issue = z.core.$ZodIssue;

/** Flattens union errors: keeps the alternative that got furthest (fewest issues, deepest paths). */
function flatten(issues: readonly Issue[], prefix: ReadonlyArray<PropertyKey> = []): Array<Issue & { fullPath: PropertyKey[] }> {
  const out: Array<Issue & { fullPath: PropertyKey[] }> = [];
  for (const issue of issues) {
    const full = [...prefix, ...issue.path];
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const branches = issue.errors.filter((b) => b.length > 0);
      // Prefer an alternative whose errors are about its own keys (the user chose that shape).
      const score = (b: readonly Issue[]) => {
        const typeMismatchAtRoot = b.some((i) => i.code === 'invalid_type' && i.path.length === 0);
        return (typeMismatchAtRoot ? 1000 : 0) + b.length;
      };
      const best = [...branches].sort((a, b) => score(a) - score(b))[0];
      if (best && score(best) < 1000) {
        out.push(...flatten(best, full));
        continue;
      }
      out.push({ ...issue, message: describeUnionMismatch(issue), fullPath: full });
      continue;
    }
    out.push({ ...issue, fullPath: full });
  }
  return out;
}

function describeUnionMismatch(issue: Issue & { code: 'invalid_union' }): string {
  const expected = new Set<string>();
  for (const b of issue.errors) for (const i of b) if (i.code === 'invalid_type' && i.path.length === 0) expected.add(i.expected);
  return expected.size > 0 ? `expected ${[...expected].join(' or ')}` : issue.message;
}

function issueMessage(issue: Issue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.message.replace(/^Invalid input: /, '');
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return issue.message.replace(/^Invalid input: /, '');
  }
}

/** Parses and validates scenario text. `file` is used in messages only. */
export function parseScenario(text: string, file: string): ScenarioSpec {
  return parseYamlWithSchema(text, file, Scenario, 'a scenario file is a YAML mapping (name, given, when, then)');
}

/**
 * YAML text validated by a zod schema, every problem with its file, line,
 * column and key (and the closest valid key for a mistyped one) — thrown as
 * one ScenarioLoadError. Scenario files and rehearse.config.yaml share it.
 */
export function parseYamlWithSchema<S extends z.ZodType>(text: string, file: string, schema: S, notAMapping: string): z.output<S> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const problems: ScenarioProblem[] = [];
  for (const err of doc.errors) {
    const pos = err.linePos?.[0] ?? lineCounter.linePos(err.pos[0]);
    problems.push({ file, line: pos.line, column: pos.col, path: '', message: err.message.split('\n')[0]! });
  }
  if (problems.length > 0) throw new ScenarioLoadError(problems);
  const data: unknown = doc.toJS({ maxAliasCount: 100 });
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new ScenarioLoadError([{ file, line: 1, column: 1, path: '', message: notAMapping }]);
  }
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const issues = flatten(result.error.issues);
  const unknownAt = new Set(issues.filter((i) => i.code === 'unrecognized_keys').map((i) => pathText(i.fullPath)));
  for (const issue of issues) {
    const at = pathText(issue.fullPath);
    if (issue.code === 'unrecognized_keys') {
      const valid = keysAt(schema, issue.fullPath);
      for (const key of issue.keys) {
        const pos = positionOf(locate(doc, issue.fullPath, key), lineCounter);
        const suggestion = suggestKey(key, valid.filter((k) => k !== '$schema'));
        problems.push({
          file,
          ...pos,
          path: at ? `${at}.${key}` : key,
          message: `unknown key '${key}'${valid.length > 0 && !suggestion ? ` (allowed: ${valid.filter((k) => k !== '$schema').join(', ')})` : ''}`,
          ...(suggestion ? { suggestion } : {}),
        });
      }
      continue;
    }
    // A step with a mistyped action also "has no action": the unknown key says it better.
    if (issue.code === 'custom' && unknownAt.has(at)) continue;
    const pos = positionOf(locate(doc, issue.fullPath), lineCounter);
    const missing = issue.code === 'invalid_type' && /received undefined/.test(issue.message);
    problems.push({ file, ...pos, path: at, message: missing ? `missing required key (${issueMessage(issue)})` : issueMessage(issue) });
  }
  problems.sort((a, b) => a.line - b.line || a.column - b.column);
  throw new ScenarioLoadError(problems);
}

export async function loadScenario(file: string): Promise<LoadedScenario> {
  const abs = resolve(file);
  let text: string;
  try {
    text = await readFile(abs, 'utf8');
  } catch (e) {
    throw new RehearseError('ERR_BAD_INPUT', `cannot read scenario ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, {
      location: { file: abs },
    });
  }
  return { file: abs, spec: parseScenario(text, abs) };
}

const SCENARIO_EXT = new Set(['.yaml', '.yml']);

/** Expands files and directories (recursively) into scenario files, sorted for a stable order. */
export async function findScenarioFiles(paths: string[], cwd: string): Promise<string[]> {
  const out = new Set<string>();
  async function walk(p: string): Promise<void> {
    const abs = resolve(cwd, p);
    let s;
    try {
      s = await stat(abs);
    } catch {
      throw new RehearseError('ERR_BAD_INPUT', `no such scenario file or directory: ${p}`);
    }
    if (s.isDirectory()) {
      const entries = await readdir(abs, { withFileTypes: true });
      for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
        if (e.name.startsWith('.') || e.name === 'node_modules') continue;
        if (e.isDirectory()) await walk(join(abs, e.name));
        else if (SCENARIO_EXT.has(extname(e.name)) && !isProjectFile(e.name)) out.add(join(abs, e.name));
      }
    } else out.add(abs);
  }
  for (const p of paths) await walk(p);
  return [...out].sort();
}
