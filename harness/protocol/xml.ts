/** Small XML helpers shared by restXml (S3) and the query protocol (SNS). */
import { requireCommonJs } from '../core/commonjs.ts';

const { XMLParser, XMLValidator } = requireCommonJs('fast-xml-parser') as typeof import('fast-xml-parser');

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** Escapes text for element content and attribute values (also control characters AWS escapes as &#xD; etc.). */
export function escapeXml(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[&<>"']|[\u0000-\u0008\u000b\u000c\u000e-\u001f\r]/g, (c) => XML_ESCAPES[c] ?? `&#x${c.charCodeAt(0).toString(16).toUpperCase()};`);
}

export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** `<Name>escaped</Name>`, or '' when the value is undefined. */
export function element(name: string, value: string | number | boolean | undefined): string {
  if (value === undefined) return '';
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

/**
 * A list the query protocol writes flattened (Smithy `@xmlFlattened`): under
 * key `Message`, each item is its own `<Message>…</Message>` element instead of
 * `<Message><member>…</member></Message>`. SQS replies use these throughout.
 */
export class Flattened {
  constructor(readonly items: readonly unknown[]) {}
}

/**
 * Serialises a value the way the query protocol's XML replies look: object
 * keys → child elements in order, arrays → `<member>` items, a `Map` →
 * `<entry><key>…</key><value>…</value></entry>`, a `Flattened` list → one
 * element per item, scalars → escaped text.
 */
export function toQueryXml(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Map) {
    let out = '';
    for (const [k, v] of value as Map<unknown, unknown>) out += `<entry><key>${escapeXml(String(k))}</key><value>${toQueryXml(v)}</value></entry>`;
    return out;
  }
  if (Array.isArray(value)) return value.map((v) => `<member>${toQueryXml(v)}</member>`).join('');
  if (value instanceof Date) return escapeXml(value.toISOString());
  if (typeof value === 'object') {
    let out = '';
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v === undefined || v === null) continue;
      if (v instanceof Flattened) {
        for (const item of v.items) out += `<${k}>${toQueryXml(item)}</${k}>`;
        continue;
      }
      out += `<${k}>${toQueryXml(v)}</${k}>`;
    }
    return out;
  }
  return escapeXml(String(value));
}

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  trimValues: false,
  processEntities: true,
  ignoreDeclaration: true,
  isArray: () => false,
});

export type XmlNode = string | { [name: string]: XmlNode | XmlNode[] };

/**
 * Parses a request body; undefined when it is not well-formed XML (callers
 * answer with their protocol's "malformed" error). Repeated elements become
 * arrays; text-only elements strings.
 */
export function parseXml(text: string): Record<string, XmlNode | XmlNode[]> | undefined {
  if (text.trim() === '') return undefined;
  if (XMLValidator.validate(text) !== true) return undefined;
  try {
    const doc = parser.parse(text) as unknown;
    if (doc === null || typeof doc !== 'object') return undefined;
    return doc as Record<string, XmlNode | XmlNode[]>;
  } catch {
    return undefined;
  }
}

/** Repeated-or-single children as an array. */
export function children(node: XmlNode | XmlNode[] | undefined): XmlNode[] {
  if (node === undefined) return [];
  return Array.isArray(node) ? node : [node];
}

/** Text of a child element, trimmed; undefined when absent or not text. */
export function textOf(node: XmlNode | XmlNode[] | undefined): string | undefined {
  if (node === undefined || Array.isArray(node)) return undefined;
  if (typeof node === 'string') return node;
  // <Tag></Tag> parses as '' ; <Tag/> as '' too.
  return Object.keys(node).length === 0 ? '' : undefined;
}
