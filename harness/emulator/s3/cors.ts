/**
 * CORS: Put/Get/DeleteBucketCors, the preflight `OPTIONS`, and the
 * `Access-Control-*` headers on actual requests (success or error) whose
 * Origin and method a rule allows. Rules are tried in order; the first match
 * answers.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/cors.html
 * https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutBucketCors.html
 * https://docs.aws.amazon.com/AmazonS3/latest/API/RESTOPTIONSobject.html
 */
import type { IncomingHttpHeaders } from 'node:http';
import { AwsServiceError } from '../../core/index.ts';
import type { RestRequest, RestResponse } from '../../protocol/service.ts';
import { children, element, parseXml, textOf, XML_DECLARATION, type XmlNode } from '../../protocol/xml.ts';
import { header, requireBucket, S3_XMLNS, type S3Env } from './env.ts';
import { invalidRequest, malformedXml } from './errors.ts';
import type { Bucket, CorsRule } from './models.ts';

const CORS_METHODS = new Set(['GET', 'PUT', 'HEAD', 'POST', 'DELETE']);
const MAX_RULES = 100;
const VARY = 'Origin, Access-Control-Request-Headers, Access-Control-Request-Method';

/** `*` matches any run of characters (S3 allows one per value); everything else literally, case-sensitively for origins. */
function wildcardMatch(pattern: string, value: string, ignoreCase: boolean): boolean {
  const p = ignoreCase ? pattern.toLowerCase() : pattern;
  const v = ignoreCase ? value.toLowerCase() : value;
  const star = p.indexOf('*');
  if (star < 0) return p === v;
  const head = p.slice(0, star);
  const tail = p.slice(star + 1);
  return v.length >= head.length + tail.length && v.startsWith(head) && v.endsWith(tail);
}

function rec(node: XmlNode | XmlNode[] | undefined): Record<string, XmlNode | XmlNode[]> | undefined {
  return node !== undefined && typeof node === 'object' && !Array.isArray(node) ? node : undefined;
}

function texts(node: XmlNode | XmlNode[] | undefined): string[] {
  return children(node).map((n) => textOf(n)?.trim() ?? '');
}

function oneWildcard(kind: string, values: string[]): void {
  for (const v of values) if (v.split('*').length > 2) throw invalidRequest(`${kind} "${v}" can not have more than one wildcard.`);
}

export function parseCorsConfiguration(body: Buffer): CorsRule[] {
  const doc = parseXml(body.toString('utf8'));
  const root = rec(doc?.CORSConfiguration);
  if (!root) throw malformedXml('expected <CORSConfiguration> with <CORSRule> elements');
  const rules = children(root.CORSRule);
  if (rules.length === 0) throw malformedXml('a CORS configuration has at least one CORSRule');
  if (rules.length > MAX_RULES) throw invalidRequest(`The number of CORS rules should not exceed allowed limit of ${MAX_RULES} rules.`);
  return rules.map((node, i) => {
    const r = rec(node);
    if (!r) throw malformedXml(`CORSRule[${i}] is empty`);
    const allowedMethods = texts(r.AllowedMethod);
    const allowedOrigins = texts(r.AllowedOrigin);
    if (allowedMethods.length === 0 || allowedOrigins.length === 0) throw malformedXml(`CORSRule[${i}] needs an AllowedMethod and an AllowedOrigin`);
    for (const m of allowedMethods) if (!CORS_METHODS.has(m)) throw invalidRequest(`Found unsupported HTTP method in CORS config. Unsupported method is ${m}`);
    const allowedHeaders = texts(r.AllowedHeader);
    oneWildcard('AllowedOrigin', allowedOrigins);
    oneWildcard('AllowedHeader', allowedHeaders);
    const maxAgeRaw = textOf(r.MaxAgeSeconds)?.trim();
    if (maxAgeRaw !== undefined && !/^\d+$/.test(maxAgeRaw)) throw malformedXml(`CORSRule[${i}] MaxAgeSeconds must be a whole number, got ${JSON.stringify(maxAgeRaw)}`);
    const id = textOf(r.ID)?.trim();
    return {
      ...(id ? { id } : {}),
      allowedOrigins,
      allowedMethods,
      allowedHeaders,
      exposeHeaders: texts(r.ExposeHeader),
      ...(maxAgeRaw !== undefined ? { maxAgeSeconds: Number(maxAgeRaw) } : {}),
    };
  });
}

function corsXml(rules: CorsRule[]): string {
  const rule = (r: CorsRule) =>
    '<CORSRule>' +
    element('ID', r.id) +
    r.allowedHeaders.map((h) => element('AllowedHeader', h)).join('') +
    r.allowedMethods.map((m) => element('AllowedMethod', m)).join('') +
    r.allowedOrigins.map((o) => element('AllowedOrigin', o)).join('') +
    r.exposeHeaders.map((h) => element('ExposeHeader', h)).join('') +
    element('MaxAgeSeconds', r.maxAgeSeconds) +
    '</CORSRule>';
  return `${XML_DECLARATION}<CORSConfiguration xmlns="${S3_XMLNS}">${rules.map(rule).join('')}</CORSConfiguration>`;
}

export async function putBucketCors(env: S3Env, req: RestRequest, name: string): Promise<RestResponse> {
  const bucket = requireBucket(env, name);
  bucket.cors = parseCorsConfiguration(req.body);
  await env.store.saveBucket(bucket);
  return { status: 200 };
}

// https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetBucketCors.html
export function getBucketCors(env: S3Env, name: string): RestResponse {
  const bucket = requireBucket(env, name);
  if (!bucket.cors) throw new AwsServiceError('NoSuchCORSConfiguration', 'The CORS configuration does not exist', 404, { fields: { BucketName: name } });
  return { status: 200, headers: { 'content-type': 'application/xml' }, body: corsXml(bucket.cors) };
}

export async function deleteBucketCors(env: S3Env, name: string): Promise<RestResponse> {
  const bucket = requireBucket(env, name);
  delete bucket.cors;
  await env.store.saveBucket(bucket);
  return { status: 204 };
}

function matchingRule(rules: CorsRule[], origin: string, method: string, requestHeaders: string[]): CorsRule | undefined {
  return rules.find(
    (r) =>
      r.allowedOrigins.some((o) => wildcardMatch(o, origin, false)) &&
      r.allowedMethods.includes(method) &&
      requestHeaders.every((h) => r.allowedHeaders.some((a) => wildcardMatch(a, h, true))),
  );
}

/** The headers a matching rule puts on a response (preflight or actual). */
function allowHeaders(rule: CorsRule, origin: string): Record<string, string> {
  const anyOrigin = rule.allowedOrigins.includes('*');
  const out: Record<string, string> = {
    'access-control-allow-origin': anyOrigin ? '*' : origin,
    'access-control-allow-methods': rule.allowedMethods.join(', '),
    vary: VARY,
  };
  // A wildcard origin cannot carry credentials (Fetch standard); S3 sends the flag for named origins only.
  if (!anyOrigin) out['access-control-allow-credentials'] = 'true';
  if (rule.exposeHeaders.length > 0) out['access-control-expose-headers'] = rule.exposeHeaders.join(', ');
  if (rule.maxAgeSeconds !== undefined) out['access-control-max-age'] = String(rule.maxAgeSeconds);
  return out;
}

// https://docs.aws.amazon.com/AmazonS3/latest/API/RESTOPTIONSobject.html (errors: 400 without Origin, 403 when no rule allows it)
function corsForbidden(message: string, method: string, resourceType: 'BUCKET' | 'OBJECT'): AwsServiceError {
  return new AwsServiceError('AccessForbidden', `CORSResponse: ${message}`, 403, { fields: { Method: method, ResourceType: resourceType } });
}

/** The preflight `OPTIONS` request. */
export function preflight(env: S3Env, req: RestRequest, bucketName: string, resourceType: 'BUCKET' | 'OBJECT'): RestResponse {
  const origin = header(req.headers, 'origin');
  if (!origin) throw new AwsServiceError('BadRequest', 'Insufficient information. Origin request header needed.', 400);
  const method = header(req.headers, 'access-control-request-method');
  if (!method) throw new AwsServiceError('BadRequest', 'Invalid Access-Control-Request-Method: null', 400);
  const bucket = requireBucket(env, bucketName);
  if (!bucket.cors) throw corsForbidden('CORS is not enabled for this bucket.', method, resourceType);
  const requested = (header(req.headers, 'access-control-request-headers') ?? '').split(',').map((h) => h.trim()).filter(Boolean);
  const rule = matchingRule(bucket.cors, origin, method, requested);
  if (!rule) {
    throw corsForbidden(
      "This CORS request is not allowed. This is usually because the evalution of Origin, request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the resource's CORS spec.",
      method,
      resourceType,
    );
  }
  const headers = allowHeaders(rule, origin);
  if (requested.length > 0) headers['access-control-allow-headers'] = requested.map((h) => h.toLowerCase()).join(', ');
  return { status: 200, headers };
}

/** CORS headers for an actual (non-preflight) request that names an Origin a rule allows, else undefined. */
export function actualRequestCors(bucket: Bucket | undefined, method: string, headers: IncomingHttpHeaders): Record<string, string> | undefined {
  if (!bucket?.cors) return undefined;
  const origin = header(headers, 'origin');
  if (!origin) return undefined;
  const rule = matchingRule(bucket.cors, origin, method, []);
  return rule ? allowHeaders(rule, origin) : undefined;
}
