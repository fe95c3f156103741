/**
 * SigV4: who signed a request (region, service, access key) and — when the
 * endpoint verifies signatures — whether the signature is right.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Checksum, SourceData } from '@smithy/types';
import type { Clock } from '../core/index.ts';
import { parseAmzDate, signedAtOnClock } from './presigned.ts';

export interface SigV4Auth {
  accessKeyId: string;
  /** `YYYYMMDD` of the credential scope. */
  scopeDate: string;
  region: string;
  service: string;
  /** `SignedHeaders` as sent (`;`-separated): only a verification splits it. */
  signedHeaders: string;
  signature: string;
  /** `x-amz-date` (or `X-Amz-Date` query) as sent: `YYYYMMDDTHHMMSSZ`. */
  amzDate?: string;
  /** Presigned URL (auth in the query string). */
  presigned: boolean;
}

export type AuthParse = { kind: 'none' } | { kind: 'ok'; auth: SigV4Auth } | { kind: 'malformed'; reason: string };

type Credential = { accessKeyId: string; scopeDate: string; region: string; service: string };

function parseCredential(credential: string): Credential | undefined {
  const parts = credential.split('/');
  if (parts.length !== 5 || parts[4] !== 'aws4_request') return undefined;
  const [accessKeyId, scopeDate, region, service] = parts as [string, string, string, string];
  if (!accessKeyId || !/^\d{8}$/.test(scopeDate) || !region || !service) return undefined;
  return { accessKeyId, scopeDate, region, service };
}

/**
 * Credential scopes already read: a client signs request after request with
 * the same one. Bounded, since any client may send any number of them.
 */
const credentialScopes = new Map<string, Credential | undefined>();
const REMEMBERED_SCOPES = 256;

function credentialOf(credential: string): Credential | undefined {
  if (credentialScopes.has(credential)) return credentialScopes.get(credential);
  const cred = parseCredential(credential);
  if (credentialScopes.size >= REMEMBERED_SCOPES) credentialScopes.clear();
  credentialScopes.set(credential, cred);
  return cred;
}

/**
 * Member by member, not `{ ...cred, signedHeaders, … }`: on Node 20 an object
 * literal that spreads and then adds members takes V8's slow path (~3 µs,
 * measured), and this runs for every request.
 */
function sigV4Auth(cred: Credential, signedHeaders: string, signature: string, amzDate: string | undefined, presigned: boolean): SigV4Auth {
  return { accessKeyId: cred.accessKeyId, scopeDate: cred.scopeDate, region: cred.region, service: cred.service, signedHeaders, signature, amzDate, presigned };
}

const ALGORITHM = 'AWS4-HMAC-SHA256';

/**
 * `AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…`: the three
 * fields this needs, the last of each winning, read in place (no regex, no
 * split: this runs for every request, ≈ 1 µs that way).
 */
function parseAuthorizationHeader(raw: string, amzDate: string | undefined): AuthParse {
  const text = raw.trim();
  if (!text.startsWith(ALGORITHM) || !/\s/.test(text.charAt(ALGORITHM.length))) return { kind: 'malformed', reason: 'Authorization header is not AWS4-HMAC-SHA256' };
  let credential = '';
  let signedHeaders: string | undefined;
  let signature: string | undefined;
  for (let start = ALGORITHM.length + 1; start <= text.length; ) {
    let end = text.indexOf(',', start);
    if (end < 0) end = text.length;
    const eq = text.indexOf('=', start);
    if (eq > start && eq < end) {
      const name = text.slice(start, eq).trim();
      if (name === 'Credential') credential = text.slice(eq + 1, end).trim();
      else if (name === 'SignedHeaders') signedHeaders = text.slice(eq + 1, end).trim();
      else if (name === 'Signature') signature = text.slice(eq + 1, end).trim();
    }
    start = end + 1;
  }
  const cred = credentialOf(credential);
  if (!cred || !signedHeaders || !signature) return { kind: 'malformed', reason: 'Authorization header lacks Credential, SignedHeaders or Signature' };
  return { kind: 'ok', auth: sigV4Auth(cred, signedHeaders, signature, amzDate, false) };
}

/** Reads the Authorization header, or the `X-Amz-*` query of a presigned URL. */
export function parseAuthorization(headers: IncomingHttpHeaders, query: URLSearchParams): AuthParse {
  const header = headers.authorization;
  if (typeof header === 'string' && header.length > 0) return parseAuthorizationHeader(header, typeof headers['x-amz-date'] === 'string' ? headers['x-amz-date'] : undefined);
  const algorithm = query.get('X-Amz-Algorithm');
  if (algorithm !== null) {
    if (algorithm !== 'AWS4-HMAC-SHA256') return { kind: 'malformed', reason: `X-Amz-Algorithm ${algorithm} is not supported` };
    const cred = parseCredential(query.get('X-Amz-Credential') ?? '');
    const signedHeaders = query.get('X-Amz-SignedHeaders');
    const signature = query.get('X-Amz-Signature');
    if (!cred || !signedHeaders || !signature) return { kind: 'malformed', reason: 'presigned URL lacks X-Amz-Credential, X-Amz-SignedHeaders or X-Amz-Signature' };
    return { kind: 'ok', auth: sigV4Auth(cred, signedHeaders, signature, query.get('X-Amz-Date') ?? undefined, true) };
  }
  return { kind: 'none' };
}

/** Node's hash as the smithy `Checksum` the signer wants. */
class NodeSha256 implements Checksum {
  private h;
  constructor(private readonly secret?: SourceData) {
    this.h = this.make();
  }
  private make() {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', toBuffer(this.secret));
  }
  update(data: Uint8Array): void {
    this.h.update(data);
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.h.digest());
  }
  reset(): void {
    this.h = this.make();
  }
}

function toBuffer(data: SourceData): Buffer {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

/** When a presigned URL stops being valid on `clock` (epoch ms), or undefined when it names no expiry. */
export function presignedExpiry(auth: SigV4Auth, query: URLSearchParams, clock: Clock): number | undefined {
  if (!auth.presigned) return undefined;
  const start = parseAmzDate(auth.amzDate);
  const seconds = Number(query.get('X-Amz-Expires'));
  if (start === undefined || !Number.isFinite(seconds)) return undefined;
  return signedAtOnClock(clock, start) + seconds * 1000;
}

export interface SignedRequestParts {
  method: string;
  /** Path exactly as on the wire (still percent-encoded), without the query. */
  rawPath: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/**
 * Recomputes the signature with `secretAccessKey` and compares. Uses the same
 * signer the SDK uses (@smithy/signature-v4) so canonicalisation matches.
 */
export async function verifySignature(auth: SigV4Auth, req: SignedRequestParts, secretAccessKey: string): Promise<boolean> {
  const signedAt = parseAmzDate(auth.amzDate);
  if (signedAt === undefined) return false;
  const signingDate = new Date(signedAt);
  const headers: Record<string, string> = {};
  const signedHeaders = auth.signedHeaders.split(';');
  for (const name of signedHeaders) {
    const v = req.headers[name];
    if (v === undefined) return false;
    headers[name] = Array.isArray(v) ? v.join(',') : v;
  }
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of req.query) {
    if (auth.presigned && k === 'X-Amz-Signature') continue;
    const prev = query[k];
    query[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  const signer = new SignatureV4({
    credentials: { accessKeyId: auth.accessKeyId, secretAccessKey },
    region: auth.region,
    service: auth.service,
    sha256: NodeSha256,
    // S3 signs the path as sent; every other service double-encodes it.
    uriEscapePath: auth.service !== 's3',
    applyChecksum: false,
  });
  const signable = {
    method: req.method,
    protocol: 'http:',
    hostname: String(req.headers.host ?? ''),
    path: req.rawPath,
    query,
    headers,
    body: req.body,
  };
  let expected: string | undefined;
  if (auth.presigned) {
    // Presigned: the signature covers the X-Amz-* query itself. S3 presigners sign UNSIGNED-PAYLOAD; a generic
    // SigV4 presigner signs the body's hash (of nothing, for a GET) or the hoisted X-Amz-Content-Sha256.
    const candidates = [...new Set([req.query.get('X-Amz-Content-Sha256') ?? 'UNSIGNED-PAYLOAD', 'UNSIGNED-PAYLOAD', sha256Hex(req.body)])];
    for (const payloadHash of candidates) {
      const canonical = canonicalRequest(req.method, req.rawPath, query, headers, signedHeaders, payloadHash, auth.service !== 's3');
      expected = signString(secretAccessKey, auth, auth.amzDate!, canonical);
      if (expected === auth.signature) break;
    }
  } else {
    const signed = await signer.sign(signable, { signingDate, signableHeaders: new Set(signedHeaders) });
    const m = /Signature=([0-9a-f]+)/.exec(String(signed.headers.authorization ?? signed.headers.Authorization ?? ''));
    expected = m?.[1];
  }
  if (!expected || expected.length !== auth.signature.length) return false;
  return timingSafeEqual(Buffer.from(expected), Buffer.from(auth.signature));
}

function rfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function canonicalRequest(
  method: string,
  rawPath: string,
  query: Record<string, string | string[]>,
  headers: Record<string, string>,
  signedHeaders: string[],
  payloadHash: string,
  doubleEncode: boolean,
): string {
  const path = doubleEncode ? rawPath.split('/').map((s) => rfc3986(s)).join('/') : rawPath;
  const q = Object.keys(query)
    .sort()
    .flatMap((k) => {
      const v = query[k]!;
      return (Array.isArray(v) ? [...v].sort() : [v]).map((x) => `${rfc3986(k)}=${rfc3986(x)}`);
    })
    .join('&');
  const h = [...signedHeaders].sort().map((n) => `${n}:${(headers[n] ?? '').trim().replace(/\s+/g, ' ')}\n`).join('');
  return `${method}\n${path}\n${q}\n${h}\n${[...signedHeaders].sort().join(';')}\n${payloadHash}`;
}

export function signingKey(secretAccessKey: string, scopeDate: string, region: string, service: string): Buffer {
  const kDate = createHmac('sha256', `AWS4${secretAccessKey}`).update(scopeDate).digest();
  const kRegion = createHmac('sha256', kDate).update(region).digest();
  const kService = createHmac('sha256', kRegion).update(service).digest();
  return createHmac('sha256', kService).update('aws4_request').digest();
}

function scopeOf(auth: SigV4Auth): string {
  return `${auth.scopeDate}/${auth.region}/${auth.service}/aws4_request`;
}

function signString(secretAccessKey: string, auth: SigV4Auth, amzDate: string, canonical: string): string {
  const sts = `AWS4-HMAC-SHA256\n${amzDate}\n${scopeOf(auth)}\n${sha256Hex(canonical)}`;
  return createHmac('sha256', signingKey(secretAccessKey, auth.scopeDate, auth.region, auth.service)).update(sts).digest('hex');
}

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

const EMPTY_SHA256 = sha256Hex('');

/**
 * Signed aws-chunked bodies (`STREAMING-AWS4-HMAC-SHA256-PAYLOAD`): each chunk
 * signature chains from the previous one, starting at the request's.
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-streaming.html
 */
export function chunkSignature(secretAccessKey: string, auth: SigV4Auth, previousSignature: string, chunk: Buffer): string {
  const sts = `AWS4-HMAC-SHA256-PAYLOAD\n${auth.amzDate ?? ''}\n${scopeOf(auth)}\n${previousSignature}\n${EMPTY_SHA256}\n${sha256Hex(chunk)}`;
  return createHmac('sha256', signingKey(secretAccessKey, auth.scopeDate, auth.region, auth.service)).update(sts).digest('hex');
}

/** The trailer signature of `STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER`. */
export function trailerSignature(secretAccessKey: string, auth: SigV4Auth, previousSignature: string, trailerLines: string): string {
  const sts = `AWS4-HMAC-SHA256-TRAILER\n${auth.amzDate ?? ''}\n${scopeOf(auth)}\n${previousSignature}\n${sha256Hex(trailerLines)}`;
  return createHmac('sha256', signingKey(secretAccessKey, auth.scopeDate, auth.region, auth.service)).update(sts).digest('hex');
}
