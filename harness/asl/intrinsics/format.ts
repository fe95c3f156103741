/**
 * States.Format — string construction.
 * https://docs.aws.amazon.com/step-functions/latest/dg/intrinsic-functions.html#asl-intrsc-func-generic
 * A literal template keeps its escapes (`\{` is a brace, not a placeholder);
 * arguments render the way the Java service prints them: strings as-is,
 * objects as `{k=v, …}`, arrays as `[a, b]` (seen in recorded executions).
 */
import { arity, invalidArguments, type IntrinsicContext } from './shared.ts';

type Part = { text: string } | { placeholder: true };

const templates = new Map<string, { parts: Part[]; placeholders: number }>();

function compileTemplate(raw: string): { parts: Part[]; placeholders: number } {
  let hit = templates.get(raw);
  if (!hit) {
    const parts = parseTemplate(raw);
    hit = { parts, placeholders: parts.filter((p) => 'placeholder' in p).length };
    if (templates.size > 1000) templates.clear();
    templates.set(raw, hit);
  }
  return hit;
}

function parseTemplate(raw: string): Part[] {
  const parts: Part[] = [];
  let text = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === '\\' && i + 1 < raw.length) {
      text += raw[++i];
    } else if (c === '{' && raw[i + 1] === '}') {
      parts.push({ text }, { placeholder: true });
      text = '';
      i++;
    } else {
      text += c;
    }
  }
  parts.push({ text });
  return parts;
}

export function renderFormatValue(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return `[${v.map(renderFormatValue).join(', ')}]`;
  if (typeof v === 'object') {
    return `{${Object.entries(v as Record<string, unknown>).map(([k, x]) => `${k}=${renderFormatValue(x)}`).join(', ')}}`;
  }
  return String(v);
}

export function statesFormat(args: unknown[], ctx: IntrinsicContext): string {
  arity(args, ctx, 1, Number.MAX_SAFE_INTEGER);
  const first = ctx.call.args[0];
  const template = first?.kind === 'literal' && first.raw !== undefined ? first.raw : args[0];
  if (typeof template !== 'string') throw invalidArguments(ctx);
  const { parts, placeholders } = compileTemplate(template);
  if (placeholders !== args.length - 1) throw invalidArguments(ctx);
  let out = '';
  let next = 1;
  for (const p of parts) out += 'placeholder' in p ? renderFormatValue(args[next++]) : p.text;
  return out;
}
