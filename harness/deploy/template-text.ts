/**
 * Reads a CloudFormation / SAM template's text the way CloudFormation does:
 * JSON, or YAML with every short-form intrinsic tag (`!Ref`, `!GetAtt`,
 * `!Sub`, …) turned into its long form (`{ "Fn::GetAtt": [...] }`)
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html).
 *
 * CloudFormation's YAML is more lenient than YAML 1.2's indentation rules:
 * multi-line double-quoted scalars and JSON-style flow maps whose lines sit
 * at or left of their key, tabs inside flow collections. js-yaml reads all of
 * those (the `yaml` package rejects them) and stops at the first error, so one
 * bad spot is one problem, not a cascade. The core schema keeps
 * `AWSTemplateFormatVersion: 2010-09-09` a string (no timestamps).
 */
import yaml from 'js-yaml';

/** Short forms whose long form is `Fn::<Name>`. */
const FUNCTIONS = [
  'Sub', 'Join', 'Select', 'Split', 'If', 'Equals', 'Not', 'And', 'Or', 'FindInMap', 'Base64', 'GetAZs',
  'ImportValue', 'Cidr', 'Transform', 'Length', 'ToJsonString',
] as const;

function longForm(tag: string, value: unknown): unknown {
  if (tag === 'Ref') return { Ref: value };
  if (tag === 'Condition') return { Condition: value };
  if (tag === 'GetAtt' && typeof value === 'string') {
    // `!GetAtt Res.Attr` is `Fn::GetAtt: [Res, Attr]`, split at the first dot (attributes may hold dots).
    const dot = value.indexOf('.');
    return { 'Fn::GetAtt': dot < 0 ? [value] : [value.slice(0, dot), value.slice(dot + 1)] };
  }
  return { [`Fn::${tag}`]: value };
}

const TAG_TYPES = ['Ref', 'GetAtt', 'Condition', ...FUNCTIONS].flatMap((name) =>
  (['scalar', 'sequence', 'mapping'] as const).map((kind) => new yaml.Type(`!${name}`, { kind, construct: (data: unknown) => longForm(name, data ?? (kind === 'scalar' ? '' : kind === 'sequence' ? [] : {})) })),
);

const SCHEMA = yaml.CORE_SCHEMA.extend(TAG_TYPES);

export interface TextProblem {
  message: string;
  /** 1-based. */
  line?: number;
  column?: number;
}

/** Parses template text (JSON when it is JSON, YAML otherwise); the first syntax error comes back as the one problem. */
export function parseTemplateText(text: string, options: { json?: boolean } = {}): { value?: unknown; problem?: TextProblem } {
  const looksJson = options.json === true || text.trimStart().startsWith('{');
  if (looksJson) {
    try {
      return { value: JSON.parse(text) as unknown };
    } catch (e) {
      // A `.json` file must be JSON; text that merely starts with `{` may still be a YAML flow map.
      if (options.json) return { problem: jsonProblem(text, e as Error) };
    }
  }
  try {
    return { value: yaml.load(text, { schema: SCHEMA, json: false }) };
  } catch (e) {
    if (e instanceof yaml.YAMLException) {
      const p: TextProblem = { message: `YAML: ${e.reason}` };
      if (e.mark) {
        p.line = e.mark.line + 1;
        p.column = e.mark.column + 1;
      }
      return { problem: p };
    }
    throw e;
  }
}

/** JSON.parse's message with the line it points at (Node reports a character position). */
export function jsonProblem(text: string, e: Error): TextProblem {
  const p: TextProblem = { message: `JSON: ${e.message}` };
  const pos = /position (\d+)/.exec(e.message);
  if (pos) {
    const before = text.slice(0, Number(pos[1]));
    p.line = before.split('\n').length;
    p.column = before.length - before.lastIndexOf('\n');
  }
  return p;
}
