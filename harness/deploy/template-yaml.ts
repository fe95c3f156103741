/**
 * Reads a CloudFormation / SAM template with the short-form intrinsic tags
 * (`!Ref`, `!GetAtt`, `!Sub`, `!Join`, `!Select`, `!Split`, `!If`, `!Equals`,
 * `!Not`, `!And`, `!Or`, `!FindInMap`, `!Base64`, `!GetAZs`, `!ImportValue`,
 * `!Condition`) turned into their long form (`{ "Fn::GetAtt": [...] }`), as
 * CloudFormation itself does
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html).
 */
import { parseDocument } from 'yaml';
import type { ScalarTag, CollectionTag } from 'yaml';
import { RehearseError } from '../core/index.ts';

const FUNCTIONS = ['Sub', 'Join', 'Select', 'Split', 'If', 'Equals', 'Not', 'And', 'Or', 'FindInMap', 'Base64', 'GetAZs', 'ImportValue', 'Cidr', 'Transform'] as const;

function longForm(tag: string, value: unknown): unknown {
  if (tag === 'Ref') return { Ref: value };
  if (tag === 'Condition') return { Condition: value };
  if (tag === 'GetAtt') {
    // `!GetAtt Res.Attr` (scalar) is `Fn::GetAtt: [Res, Attr]`; the split is at the first dot.
    if (typeof value === 'string') {
      const dot = value.indexOf('.');
      return { 'Fn::GetAtt': dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)] };
    }
    return { 'Fn::GetAtt': value };
  }
  return { [`Fn::${tag}`]: value };
}

function customTags(): Array<ScalarTag | CollectionTag> {
  const names = ['Ref', 'GetAtt', 'Condition', ...FUNCTIONS];
  const tags: Array<ScalarTag | CollectionTag> = [];
  for (const name of names) {
    tags.push({ tag: `!${name}`, resolve: (str: string) => longForm(name, str) } as ScalarTag);
    tags.push({ tag: `!${name}`, collection: 'seq', resolve: (seq) => longForm(name, seq.toJSON()) } as CollectionTag);
    tags.push({ tag: `!${name}`, collection: 'map', resolve: (map) => longForm(name, map.toJSON()) } as CollectionTag);
  }
  return tags;
}

export interface YamlProblem {
  message: string;
  line?: number;
  column?: number;
}

/** Parses template text; YAML errors are returned with line and column. */
export function parseTemplateText(text: string): { value: unknown; problems: YamlProblem[] } {
  const doc = parseDocument(text, { customTags: customTags(), prettyErrors: true, uniqueKeys: true });
  const problems: YamlProblem[] = doc.errors.map((e) => {
    const p: YamlProblem = { message: e.message.split('\n')[0] ?? e.message };
    if (e.linePos?.[0]) {
      p.line = e.linePos[0].line;
      p.column = e.linePos[0].col;
    }
    return p;
  });
  if (problems.length > 0) return { value: undefined, problems };
  return { value: doc.toJS({ maxAliasCount: 100 }) as unknown, problems };
}

/** Parses or throws a RehearseError naming the file, line and column. */
export function parseTemplateOrThrow(text: string, file: string): unknown {
  const { value, problems } = parseTemplateText(text);
  const first = problems[0];
  if (first) {
    const location: { file: string; line?: number; column?: number } = { file };
    if (first.line !== undefined) location.line = first.line;
    if (first.column !== undefined) location.column = first.column;
    throw new RehearseError('ERR_BAD_INPUT', `${file}${first.line ? `:${first.line}:${first.column ?? 1}` : ''}: ${first.message}`, { location });
  }
  return value;
}
