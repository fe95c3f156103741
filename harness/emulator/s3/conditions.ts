/**
 * Range and conditional requests for GetObject/HeadObject/CopyObject.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html (Range, If-Match…)
 * RFC 9110 §13.2.2 evaluation order, which S3 follows.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { invalidRange, preconditionFailed } from './errors.ts';

function h(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

function etagMatches(list: string, etag: string): boolean {
  const bare = etag.replace(/"/g, '');
  return list.split(',').some((t) => {
    const x = t.trim().replace(/^W\//, '').replace(/"/g, '');
    return x === '*' || x === bare;
  });
}

function parseHttpDate(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
}

export type ConditionOutcome = 'ok' | 'not-modified';

/**
 * Evaluates If-Match / If-Unmodified-Since (→ 412) then If-None-Match /
 * If-Modified-Since (→ 304). `prefix` is `''` or `x-amz-copy-source-` (CopyObject,
 * where a "not modified" source is also a 412).
 */
export function evaluateConditions(headers: IncomingHttpHeaders, etag: string, lastModified: number, prefix = ''): ConditionOutcome {
  const ifMatch = h(headers, `${prefix}if-match`);
  const ifUnmodifiedSince = parseHttpDate(h(headers, `${prefix}if-unmodified-since`));
  const ifNoneMatch = h(headers, `${prefix}if-none-match`);
  const ifModifiedSince = parseHttpDate(h(headers, `${prefix}if-modified-since`));
  if (ifMatch !== undefined) {
    if (!etagMatches(ifMatch, etag)) throw preconditionFailed(`${prefix ? 'x-amz-copy-source-' : ''}If-Match`);
  } else if (ifUnmodifiedSince !== undefined && lastModified > ifUnmodifiedSince) {
    throw preconditionFailed(`${prefix ? 'x-amz-copy-source-' : ''}If-Unmodified-Since`);
  }
  if (ifNoneMatch !== undefined) {
    if (etagMatches(ifNoneMatch, etag)) {
      if (prefix) throw preconditionFailed('x-amz-copy-source-If-None-Match');
      return 'not-modified';
    }
  } else if (ifModifiedSince !== undefined && lastModified <= ifModifiedSince) {
    if (prefix) throw preconditionFailed('x-amz-copy-source-If-Modified-Since');
    return 'not-modified';
  }
  return 'ok';
}

/** Inclusive byte range, or undefined for "the whole object" (absent, multi-range or unparseable Range). */
export function parseRange(range: string | undefined, size: number): { start: number; end: number } | undefined {
  if (range === undefined) return undefined;
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(range);
  if (!m) return undefined; // multiple ranges or garbage: S3 returns the whole object
  const [, a, b] = m;
  if (a === '' && b === '') return undefined;
  if (a === '') {
    const n = Number(b);
    if (n === 0 || size === 0) throw invalidRange(range, size);
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(a);
  if (start >= size) throw invalidRange(range, size);
  if (b === '') return { start, end: size - 1 };
  const end = Number(b);
  if (end < start) return undefined;
  return { start, end: Math.min(end, size - 1) };
}
