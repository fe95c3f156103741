/**
 * What a target receives for an event: the event itself, the constant
 * `Input`, the part `InputPath` selects, or the `InputTransformer`'s template
 * filled from its `InputPathsMap` and the predefined `<aws.events.*>`
 * variables.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-transform-target-input.html
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_InputTransformer.html
 */
import { compilePath, isValidPath, lookup } from '../../asl/jsonpath/path.ts';
import type { TargetRecord } from './models.ts';

/** The event as EventBridge builds it (eb-events-structure): `detail` is any JSON object. */
export interface EventEnvelope {
  version: string;
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: Record<string, unknown>;
  [other: string]: unknown;
}

export interface DeliveryContext {
  ruleName: string;
  ruleArn: string;
  /** Epoch ms EventBridge received the event. */
  ingestionTime: number;
}

/** Names the reserved variables may not be redefined with; the template may use them without a path. */
const RESERVED = ['aws.events.rule-arn', 'aws.events.rule-name', 'aws.events.event', 'aws.events.event.ingestion-time', 'aws.events.event.json'];
const VARIABLE_NAME = /^[A-Za-z0-9_-]+$/;
const PLACEHOLDER = /<([A-Za-z0-9_.-]+)>/g;

function select(path: string, event: EventEnvelope): { found: boolean; value?: unknown } {
  const result = lookup(compilePath(path), event);
  return result.found ? { found: true, value: result.value } : { found: false };
}

/** Why a target's input settings are refused (PutTargets), or undefined. */
export function inputProblem(t: TargetRecord): string | undefined {
  const given = ['Input', 'InputPath', 'InputTransformer'].filter((k) => t[k] !== undefined);
  if (given.length > 1) return `Only one of Input, InputPath, or InputTransformer can be provided for target ${t.Id}.`;
  if (t.Input !== undefined) {
    if (typeof t.Input !== 'string') return `Input for target ${t.Id} must be a string.`;
    try {
      JSON.parse(t.Input);
    } catch {
      return `Input for target ${t.Id} is not valid JSON text.`;
    }
  }
  if (t.InputPath !== undefined && (typeof t.InputPath !== 'string' || !isValidPath(t.InputPath) || !t.InputPath.startsWith('$'))) {
    return `InputPath for target ${t.Id} is not a valid JSON path: ${String(t.InputPath)}`;
  }
  const x = t.InputTransformer;
  if (x === undefined) return undefined;
  if (x === null || typeof x !== 'object') return `InputTransformer for target ${t.Id} must be an object with InputTemplate.`;
  if (typeof x.InputTemplate !== 'string' || x.InputTemplate.length === 0 || x.InputTemplate.length > 8192) {
    return `InputTransformer.InputTemplate for target ${t.Id} must be a string of 1 to 8192 characters.`;
  }
  const map = x.InputPathsMap ?? {};
  if (typeof map !== 'object' || map === null || Array.isArray(map)) return `InputTransformer.InputPathsMap for target ${t.Id} must be a map of variable names to JSON paths.`;
  const names = Object.keys(map);
  if (names.length > 100) return `InputTransformer.InputPathsMap for target ${t.Id} has ${names.length} variables; at most 100 are allowed.`;
  for (const name of names) {
    if (RESERVED.includes(name)) return `InputTransformer.InputPathsMap for target ${t.Id}: ${name} is a reserved variable name.`;
    if (!VARIABLE_NAME.test(name)) return `InputTransformer.InputPathsMap for target ${t.Id}: variable name ${name} must match [A-Za-z0-9_-]+.`;
    const path = map[name];
    if (typeof path !== 'string' || !path.startsWith('$') || !isValidPath(path)) return `InputTransformer.InputPathsMap for target ${t.Id}: ${name} is not a valid JSON path: ${String(path)}`;
  }
  // "If InputTemplate is a JSON object … the placeholder cannot be used as an object key."
  if (x.InputTemplate.trimStart().startsWith('{')) {
    for (const piece of scan(x.InputTemplate)) {
      if (piece.kind === 'placeholder' && !piece.inString && /^\s*:/.test(x.InputTemplate.slice(piece.end))) {
        return `InputTransformer.InputTemplate for target ${t.Id}: the placeholder <${piece.name}> cannot be used as an object key.`;
      }
    }
  }
  return undefined;
}

type Piece = { kind: 'text'; text: string } | { kind: 'placeholder'; name: string; inString: boolean; end: number };

/** Splits a template into text and placeholders, knowing for each placeholder whether it stands inside a JSON string. */
function* scan(template: string): Iterable<Piece> {
  // A template that is neither JSON nor a JSON string is plain text: every placeholder is "in a string".
  const first = template.trimStart()[0];
  const plain = first !== '{' && first !== '[' && first !== '"';
  let inString = plain;
  let text = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c === '<') {
      PLACEHOLDER.lastIndex = i;
      const m = PLACEHOLDER.exec(template);
      if (m && m.index === i) {
        if (text) yield { kind: 'text', text };
        text = '';
        yield { kind: 'placeholder', name: m[1]!, inString, end: i + m[0].length };
        i += m[0].length - 1;
        continue;
      }
    }
    text += c;
    if (plain) continue;
    if (inString && c === '\\' && i + 1 < template.length) {
      text += template[++i]!;
      continue;
    }
    if (c === '"') inString = !inString;
  }
  if (text) yield { kind: 'text', text };
}

function reservedValue(name: string, event: EventEnvelope, ctx: DeliveryContext): { found: boolean; value?: unknown; raw?: string } {
  switch (name) {
    case 'aws.events.rule-arn':
      return { found: true, value: ctx.ruleArn };
    case 'aws.events.rule-name':
      return { found: true, value: ctx.ruleName };
    case 'aws.events.event.ingestion-time':
      return { found: true, value: new Date(ctx.ingestionTime).toISOString().replace(/\.\d{3}Z$/, 'Z') };
    case 'aws.events.event': {
      // The original event without its detail, as JSON, unescaped (only usable as a JSON value).
      const { detail: _detail, ...rest } = event;
      return { found: true, raw: JSON.stringify(rest) };
    }
    case 'aws.events.event.json':
      return { found: true, raw: JSON.stringify(event) };
    default:
      return { found: false };
  }
}

/**
 * Fills the template. A variable's value inside a JSON string is inserted as
 * it is (a string without quotes, and not escaped: "EventBridge doesn't
 * escape values extracted by Input Path"); elsewhere as JSON (a string gets
 * its quotes). A placeholder naming no variable is left as written; a
 * variable whose path matches nothing in the event becomes nothing inside a
 * string and `null` elsewhere (AWS leaves it out, which would not be JSON).
 */
export function renderTemplate(template: string, paths: Record<string, string>, event: EventEnvelope, ctx: DeliveryContext): string {
  let out = '';
  for (const piece of scan(template)) {
    if (piece.kind === 'text') {
      out += piece.text;
      continue;
    }
    const mapped = Object.prototype.hasOwnProperty.call(paths, piece.name);
    const v = mapped ? select(paths[piece.name]!, event) : reservedValue(piece.name, event, ctx);
    if (!mapped && !v.found) {
      out += `<${piece.name}>`;
      continue;
    }
    if ('raw' in v && v.raw !== undefined) out += v.raw;
    else if (!v.found) out += piece.inString ? '' : 'null';
    else if (piece.inString) out += typeof v.value === 'string' ? v.value : JSON.stringify(v.value);
    else out += JSON.stringify(v.value);
  }
  return out;
}

/** The text a target receives for `event` (JSON, or whatever an InputTemplate made). */
export function targetInput(t: TargetRecord, event: EventEnvelope, ctx: DeliveryContext): string {
  if (t.Input !== undefined) return t.Input;
  if (t.InputPath !== undefined) {
    const v = select(t.InputPath, event);
    return v.found ? JSON.stringify(v.value) : 'null';
  }
  if (t.InputTransformer !== undefined) return renderTemplate(t.InputTransformer.InputTemplate, t.InputTransformer.InputPathsMap ?? {}, event, ctx);
  return JSON.stringify(event);
}
