/**
 * Finds where a definition's states and rules are written, by line, so lcov
 * and Cobertura can show coverage on the definition file itself: a
 * `.asl.json`/`.asl.yaml` file, a template with the definition inline
 * (`Definition:` under the resource), or a scenario's inline `definition:`.
 * JSON is YAML, so one position-keeping parse (the `yaml` package) reads both;
 * a definition that is one string in its file (`DefinitionString`, maybe
 * inside `Fn::Sub`) is searched as text from where that string starts.
 */
import { readFileSync } from 'node:fs';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { lineOfState } from '../../deploy/state-machine-check.ts';
import type { LocationPart } from '../../asl/validation/location.ts';

export interface SourceLines {
  /**
   * The 1-based line of the item at `at` (a path inside the definition): a
   * state's key, a Choice rule's or catcher's first line, a `Next` field.
   * A part that cannot be found gives the line of the nearest enclosing item
   * that can; undefined only when not even the definition can be found.
   */
  lineOf(at: readonly LocationPart[]): number | undefined;
}

interface Parsed {
  text: string;
  lc: LineCounter;
  root: unknown;
}

/** Files already parsed, by path: a run's many state machines in one template parse it once. */
export type SourceCache = Map<string, Parsed>;

function parse(text: string): Parsed {
  const lc = new LineCounter();
  // Tags such as CloudFormation's `!Sub` only need to keep their node: positions are all that is read here.
  const doc = parseDocument(text, { lineCounter: lc, keepSourceTokens: false, uniqueKeys: false, strict: false, logLevel: 'silent' });
  return { text, lc, root: doc.contents };
}

function child(node: unknown, part: LocationPart): { key?: YamlNode; value: unknown } | undefined {
  if (isMap(node)) {
    const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(part));
    return pair ? { key: pair.key as YamlNode, value: pair.value } : undefined;
  }
  if (isSeq(node) && typeof part === 'number') {
    const item = node.items[part];
    return item === undefined ? undefined : { value: item };
  }
  return undefined;
}

const startOf = (n: unknown): number | undefined => (n && typeof n === 'object' && 'range' in n ? (n as YamlNode).range?.[0] : undefined);

/** Lines of the definition found at `prefix` in `file` (`[]`: the file is the definition); undefined when the file cannot be read. */
export function sourceLines(file: string, prefix: readonly LocationPart[], cache: SourceCache = new Map()): SourceLines | undefined {
  let parsed = cache.get(file);
  if (!parsed) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
    parsed = parse(text);
    cache.set(file, parsed);
  }
  const { text, lc, root } = parsed;
  const lineAt = (offset: number) => lc.linePos(offset).line;
  // Down to the definition itself.
  let node: unknown = root;
  let base = 0;
  for (const part of prefix) {
    const c = child(node, part);
    if (!c) break;
    base = startOf(c.key) ?? startOf(c.value) ?? base;
    node = c.value;
  }
  const inline = isMap(node);
  const yaml = !text.trimStart().startsWith('{');
  return {
    lineOf(at) {
      if (inline) {
        let cur: unknown = node;
        let offset: number | undefined;
        for (const part of at) {
          const c = child(cur, part);
          if (!c) break;
          offset = startOf(c.key) ?? startOf(c.value) ?? offset;
          cur = c.value;
        }
        return lineAt(offset ?? base);
      }
      // A definition held in a string: the nearest state name written in the text after where the string starts.
      const state = [...at].reverse().find((p, i, all) => typeof p === 'string' && all[i + 1] === 'States');
      const found = typeof state === 'string' ? lineOfState(text, state, yaml, base) ?? lineOfState(text, state, false, base) : undefined;
      return found ?? (prefix.length > 0 ? lineAt(base) : undefined);
    },
  };
}
