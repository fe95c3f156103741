/**
 * POST object: a browser form upload (multipart/form-data) authorised by a
 * signed POST policy — SigV4 (`x-amz-algorithm`, `x-amz-credential`,
 * `x-amz-date`, `x-amz-signature`) or SigV2 (`AWSAccessKeyId`, `signature`).
 * The policy's expiration and every condition (`eq`, `starts-with`,
 * `content-length-range`) are checked; every form field must be covered by a
 * condition. The signature is checked when the endpoint verifies signatures.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/RESTObjectPOST.html
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTConstructPolicy.html
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-HTTPPOSTForms.html
 */
import { createHash, createHmac } from 'node:crypto';
import type busboy from 'busboy';
import { AwsServiceError } from '../../core/index.ts';
import { requireCommonJs } from '../../core/commonjs.ts';
import { parseAmzDate, signedAtOnClock } from '../../protocol/presigned.ts';
import type { RestRequest, RestResponse } from '../../protocol/service.ts';
import { hmacSha1Base64 } from '../../protocol/sigv2.ts';
import { signingKey } from '../../protocol/sigv4.ts';
import { escapeXml, XML_DECLARATION } from '../../protocol/xml.ts';
import { contentHeaders, header, nowSeconds, requireBucket, S3_XMLNS, validateKey, type S3Env } from './env.ts';
import { invalidArgument } from './errors.ts';
import { emitEvent } from './events.ts';
import type { ObjectMeta } from './models.ts';
import { parseTagging } from './tagging.ts';
import { versionHeaders } from './versioning.ts';

/** Form fields no condition needs to name: the upload, the policy and its signature, and `x-ignore-*`. */
const UNCOVERED = new Set(['file', 'policy', 'x-amz-signature', 'signature', 'awsaccesskeyid']);
/** Header-like fields that become the object's representation headers. */
const CONTENT_FIELDS = ['content-type', 'cache-control', 'content-disposition', 'content-encoding', 'content-language', 'expires'];

interface Form {
  /** Field name (lower-cased) → value, in form order; fields after the file are ignored, as S3 does. */
  fields: Map<string, string>;
  /** Field names as sent, for messages. */
  names: Map<string, string>;
  file?: { data: Buffer; filename: string };
}

function malformedPost(detail: string): AwsServiceError {
  return new AwsServiceError('MalformedPOSTRequest', `The body of your POST request is not well-formed multipart/form-data. (${detail})`, 400);
}

function policyError(message: string): AwsServiceError {
  return new AwsServiceError('InvalidPolicyDocument', `Invalid Policy: ${message}`, 400);
}

function policyDenied(message: string): AwsServiceError {
  return new AwsServiceError('AccessDenied', `Invalid according to Policy: ${message}`, 403);
}

function missingField(name: string): AwsServiceError {
  return invalidArgument(`Bucket POST must contain a field named '${name}'.  If it is specified, please check the order of the fields.`, name, '');
}

function parseForm(req: RestRequest): Promise<Form> {
  return new Promise((resolve, reject) => {
    const form: Form = { fields: new Map(), names: new Map() };
    let fileSeen = false;
    let files = 0;
    let bb: busboy.Busboy;
    try {
      // Loaded by the first form upload (≈ 8 ms): most runs never POST one.
      bb = (requireCommonJs('busboy') as typeof busboy)({ headers: req.headers, limits: { fieldSize: 20 * 1024, files: 2 }, preservePath: true });
    } catch (e) {
      reject(malformedPost(e instanceof Error ? e.message : String(e)));
      return;
    }
    const addField = (name: string, value: string) => {
      if (fileSeen) return;
      const lower = name.toLowerCase();
      // Repeated fields are one comma-separated value (the POST policy documentation's rule).
      form.fields.set(lower, form.fields.has(lower) ? `${form.fields.get(lower)},${value}` : value);
      form.names.set(lower, name);
    };
    bb.on('field', (name, value) => {
      if (name.toLowerCase() === 'file' && !fileSeen) {
        // A text `file` field is the object's content (the form's text-area upload).
        files++;
        form.file = { data: Buffer.from(value, 'utf8'), filename: '' };
        fileSeen = true;
        return;
      }
      addField(name, value);
    });
    bb.on('file', (name, stream, info) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (fileSeen || name.toLowerCase() !== 'file') return;
        files++;
        form.file = { data: Buffer.concat(chunks), filename: info.filename ?? '' };
        fileSeen = true;
      });
    });
    bb.on('filesLimit', () => (files = Math.max(files, 2)));
    bb.on('error', (e: unknown) => reject(malformedPost(e instanceof Error ? e.message : String(e))));
    bb.on('close', () => {
      if (files > 1) reject(invalidArgument('POST requires exactly one file upload per request.', 'file', String(files)));
      else resolve(form);
    });
    bb.end(req.body);
  });
}

type Condition =
  | { kind: 'eq' | 'starts-with'; field: string; value: string; text: string }
  | { kind: 'content-length-range'; min: number; max: number; text: string };

/** How S3 quotes a condition in its messages: `["eq", "$key", "a.txt"]`. */
function conditionText(parts: unknown[]): string {
  return `[${parts.map((p) => JSON.stringify(p)).join(', ')}]`;
}

function parseConditions(raw: unknown): Condition[] {
  if (!Array.isArray(raw) || raw.length === 0) throw policyError("Invalid 'conditions' value: must be a non-empty list of conditions.");
  return raw.map((c): Condition => {
    if (c !== null && typeof c === 'object' && !Array.isArray(c)) {
      const entries = Object.entries(c as Record<string, unknown>);
      if (entries.length !== 1 || typeof entries[0]![1] !== 'string') throw policyError(`Invalid Simple-Condition: a condition object names one field with a string value, got ${JSON.stringify(c)}.`);
      const [field, value] = entries[0] as [string, string];
      return { kind: 'eq', field: field.toLowerCase(), value, text: conditionText(['eq', `$${field}`, value]) };
    }
    if (!Array.isArray(c) || c.length !== 3) throw policyError(`Invalid Condition: expected an object or a list of three, got ${JSON.stringify(c)}.`);
    const op = String(c[0]).toLowerCase();
    if (op === 'content-length-range') {
      const [min, max] = [Number(c[1]), Number(c[2])];
      if (!Number.isInteger(min) || !Number.isInteger(max) || min < 0 || max < min) throw policyError(`Invalid content-length-range: ${JSON.stringify(c)}.`);
      return { kind: 'content-length-range', min, max, text: conditionText(c) };
    }
    if (op !== 'eq' && op !== 'starts-with') throw policyError(`Invalid Condition: unknown operation ${JSON.stringify(c[0])}.`);
    if (typeof c[1] !== 'string' || !c[1].startsWith('$') || typeof c[2] !== 'string') throw policyError(`Invalid Condition: ${JSON.stringify(c)} must name a $field and a string.`);
    return { kind: op, field: c[1].slice(1).toLowerCase(), value: c[2], text: conditionText(c) };
  });
}

interface Policy {
  expiration: number;
  conditions: Condition[];
}

function parsePolicy(base64: string): Policy {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(base64, 'base64').toString('utf8'));
  } catch {
    throw policyError('Invalid JSON.');
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) throw policyError('Invalid JSON.');
  const record = doc as Record<string, unknown>;
  for (const k of Object.keys(record)) if (k !== 'expiration' && k !== 'conditions') throw policyError(`Unexpected: "${k}"`);
  if (record.expiration === undefined) throw policyError('Policy missing expiration.');
  const expiration = typeof record.expiration === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/.test(record.expiration) ? Date.parse(record.expiration) : NaN;
  if (Number.isNaN(expiration)) throw policyError(`Invalid 'expiration' value: '${String(record.expiration)}'`);
  if (record.conditions === undefined) throw policyError('Policy missing conditions.');
  return { expiration, conditions: parseConditions(record.conditions) };
}

/** The signature check, when the endpoint verifies signatures. */
function verifyPolicySignature(req: RestRequest, form: Form, policy: string): void {
  const credentials = req.ctx.credentials;
  if (!credentials) return;
  const v4 = form.fields.get('x-amz-credential');
  let accessKeyId: string;
  let expected: string;
  let sent: string;
  if (v4 !== undefined) {
    const [id = '', date = '', region = '', service = ''] = v4.split('/');
    accessKeyId = id;
    const secret = credentials.secretFor(id);
    if (secret === undefined) throw unknownKey(id);
    expected = createHmac('sha256', signingKey(secret, date, region, service)).update(policy).digest('hex');
    sent = form.fields.get('x-amz-signature') ?? '';
  } else {
    accessKeyId = form.fields.get('awsaccesskeyid') ?? '';
    const secret = credentials.secretFor(accessKeyId);
    if (secret === undefined) throw unknownKey(accessKeyId);
    expected = hmacSha1Base64(secret, policy);
    sent = form.fields.get('signature') ?? '';
  }
  if (expected !== sent) {
    throw new AwsServiceError('SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.', 403, {
      fields: { AWSAccessKeyId: accessKeyId },
    });
  }
}

function unknownKey(id: string): AwsServiceError {
  return new AwsServiceError('InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.', 403, { fields: { AWSAccessKeyId: id } });
}

/** Checks the form against its policy: authentication fields, expiry, each condition, no uncovered fields. */
function authorize(env: S3Env, req: RestRequest, form: Form, bucketName: string, size: number): void {
  const policy = form.fields.get('policy');
  const sigV4 = form.fields.has('x-amz-credential') || form.fields.has('x-amz-signature') || form.fields.has('x-amz-algorithm');
  if (policy === undefined) {
    if (sigV4 || form.fields.has('signature') || form.fields.has('awsaccesskeyid')) throw missingField('policy');
    // An anonymous upload: what a public-write bucket accepts. With verified signatures there are no such buckets here.
    if (req.ctx.credentials) throw new AwsServiceError('AccessDenied', 'Access Denied', 403);
    return;
  }
  let signedAt: number | undefined;
  if (sigV4) {
    for (const f of ['x-amz-algorithm', 'x-amz-credential', 'x-amz-date', 'x-amz-signature']) if (!form.fields.get(f)) throw missingField(f);
    if (form.fields.get('x-amz-algorithm') !== 'AWS4-HMAC-SHA256') throw invalidArgument('Algorithm is not supported (only AWS4-HMAC-SHA256).', 'x-amz-algorithm', form.fields.get('x-amz-algorithm'));
    signedAt = parseAmzDate(form.fields.get('x-amz-date'));
    if (signedAt === undefined) throw invalidArgument(`X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`, 'x-amz-date', form.fields.get('x-amz-date'));
    if (form.fields.get('x-amz-credential')!.split('/').length !== 5) throw invalidArgument('Error parsing the X-Amz-Credential parameter; the Credential is mal-formed.', 'x-amz-credential', form.fields.get('x-amz-credential'));
  } else {
    if (!form.fields.get('awsaccesskeyid')) throw missingField('AWSAccessKeyId');
    if (!form.fields.get('signature')) throw missingField('signature');
  }
  const doc = parsePolicy(policy);
  verifyPolicySignature(req, form, policy);
  // The expiration is absolute on the signer's clock; shift it as the signing date is shifted onto the endpoint's.
  const expiresAt = signedAt === undefined ? doc.expiration : doc.expiration + (signedAtOnClock(env.deps.clock, signedAt) - signedAt);
  if (env.deps.clock.now() > expiresAt) throw policyDenied('Policy expired.');
  const covered = new Set<string>();
  const valueOf = (field: string) => (field === 'bucket' ? (form.fields.get('bucket') ?? bucketName) : form.fields.get(field));
  for (const c of doc.conditions) {
    if (c.kind === 'content-length-range') {
      if (size > c.max) throw new AwsServiceError('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', 400, { fields: { ProposedSize: String(size), MaxSizeAllowed: String(c.max) } });
      if (size < c.min) throw new AwsServiceError('EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size', 400, { fields: { ProposedSize: String(size), MinSizeAllowed: String(c.min) } });
      continue;
    }
    covered.add(c.field);
    const value = valueOf(c.field);
    const ok = c.kind === 'eq' ? value === c.value : c.value === '' || (value !== undefined && value.startsWith(c.value));
    if (!ok) throw policyDenied(`Policy Condition failed: ${c.text}`);
  }
  const extra = [...form.fields.keys()].filter((f) => !UNCOVERED.has(f) && !f.startsWith('x-ignore-') && !covered.has(f)).map((f) => form.names.get(f) ?? f);
  if (extra.length > 0) throw policyDenied(`Extra input fields: ${extra.join(', ')}`);
}

/** `${filename}` in a field is the uploaded file's name without its path. */
function expandFilename(form: Form): void {
  const name = (form.file?.filename ?? '').split(/[/\\]/).pop() ?? '';
  for (const [k, v] of form.fields) if (v.includes('${filename}')) form.fields.set(k, v.split('${filename}').join(name));
}

/** Is this a POST object (a form upload to a bucket, which carries its own signature in the form)? */
export function isPostObject(req: { method: string; query: URLSearchParams }, hasKey: boolean): boolean {
  return req.method === 'POST' && !hasKey && !req.query.has('delete');
}

function successRedirect(raw: string | undefined, bucket: string, key: string, etag: string): string | undefined {
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined; // "If Amazon S3 cannot interpret the URL, it ignores the field."
  }
  url.searchParams.append('bucket', bucket);
  url.searchParams.append('key', key);
  url.searchParams.append('etag', etag);
  return url.toString();
}

// https://docs.aws.amazon.com/AmazonS3/latest/API/RESTObjectPOST.html
export async function postObject(env: S3Env, req: RestRequest, bucketName: string): Promise<RestResponse> {
  const bucket = requireBucket(env, bucketName);
  if (!/^multipart\/form-data\b/i.test(header(req.headers, 'content-type') ?? '')) {
    throw new AwsServiceError('PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', 412, {
      fields: { Condition: 'Bucket POST must be of the enclosure-type multipart/form-data' },
    });
  }
  const form = await parseForm(req);
  if (!form.file) throw invalidArgument('POST requires exactly one file upload per request.', 'file', '0');
  if (!form.fields.has('key')) throw missingField('key');
  expandFilename(form);
  const key = form.fields.get('key')!;
  if (key === '') throw invalidArgument('User key must have a length greater than 0.', 'key', '');
  validateKey(key);
  const data = form.file.data;
  authorize(env, req, form, bucket.name, data.length);

  const asHeaders: Record<string, string> = {};
  for (const [k, v] of form.fields) if (CONTENT_FIELDS.includes(k) || k.startsWith('x-amz-meta-')) asHeaders[k] = v;
  const tagging = form.fields.get('tagging');
  const tags = tagging === undefined ? undefined : parseTagging(Buffer.from(tagging, 'utf8'), 'object');
  const etag = `"${createHash('md5').update(data).digest('hex')}"`;
  const meta: ObjectMeta = {
    key,
    size: data.length,
    etag,
    lastModified: nowSeconds(env),
    ...contentHeaders({ headers: asHeaders }),
    ...(tags && tags.length > 0 ? { tags } : {}),
  };
  const stored = await env.store.putObject(bucket, meta, data);
  emitEvent(env, req, bucket, 'ObjectCreated:Post', stored);

  const location = `${req.ctx.endpoint}/${bucket.name}/${encodeURIComponent(key).replace(/%2F/g, '/')}`;
  const headers: Record<string, string> = { etag, location, ...versionHeaders(bucket, stored) };
  const redirect = successRedirect(form.fields.get('success_action_redirect') ?? form.fields.get('redirect'), bucket.name, key, etag);
  if (redirect) return { status: 303, headers: { ...headers, location: redirect } };
  const status = form.fields.get('success_action_status');
  if (status === '201') {
    const body =
      `${XML_DECLARATION}<PostResponse xmlns="${S3_XMLNS}"><Location>${escapeXml(location)}</Location><Bucket>${escapeXml(bucket.name)}</Bucket>` +
      `<Key>${escapeXml(key)}</Key><ETag>${escapeXml(etag)}</ETag></PostResponse>`;
    return { status: 201, headers: { ...headers, 'content-type': 'application/xml' }, body };
  }
  // 200 or 204 as asked; anything else (or nothing) is 204.
  return { status: status === '200' ? 200 : 204, headers };
}
