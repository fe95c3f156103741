/**
 * One HTTP request in, one AWS-shaped response out, for every service:
 * route → read and decode the body (aws-chunked, checksums, Content-MD5) →
 * SigV4 → operation faults → the service → serialise the result or the error.
 * Services never build HTTP responses for JSON/query protocols and never
 * serialise errors (DESIGN.md "harness/protocol").
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { crc32 } from 'node:zlib';
import { AwsServiceError, type Clock, type IdSource } from '../core/index.ts';
import type { FaultRegistry, OperationFault } from '../emulator/faults.ts';
import type { Logger } from '../emulator/service-deps.ts';
import { chunkViews, isAwsChunked } from './aws-chunked.ts';
import { BodyTooLargeError, MAX_BUFFER, receiveBody, type DigestAlgorithm, type ReceivedBody } from './body.ts';
import { algorithmOfHeader, CHECKSUM_ALGORITHMS, checksumOf, DIGEST_BYTES, headerOfAlgorithm, isBase64Digest, parseAlgorithm, type ChecksumAlgorithm } from './checksums.ts';
import { sharedDigestWorker } from './digest-worker.ts';
import {
  badDigest,
  contentSha256Mismatch,
  defaultStatusFor,
  internalError,
  invalidAction,
  invalidDigest,
  missingAction,
  missingAuthentication,
  requestTooLarge,
  serializationException,
  serializeError,
  signatureDoesNotMatch,
  unknownAccessKey,
  unknownOperationException,
  type WireProtocol,
} from './errors.ts';
import { bucketFromHost, stripHostPrefix } from './host.ts';
import { checkPresignedRequest, isPresigned } from './presigned.ts';
import { Router, type Route } from './routing.ts';
import { checkSigV2Query, parseSigV2Query, verifySigV2Query } from './sigv2.ts';
import type { JsonOperation, JsonProtocolService, ProtocolService, QueryProtocolService, RequestContext, RestProtocolService, RestRequest, RestResponse } from './service.ts';
import { chunkSignature, parseAuthorization, presignedExpiry, trailerSignature, verifySignature, type SigV4Auth } from './sigv4.ts';
import { toQueryXml, XML_DECLARATION } from './xml.ts';

/** Each checksum algorithm with its header name, built once rather than per request. */
const CHECKSUM_HEADERS: ReadonlyArray<readonly [ChecksumAlgorithm, string]> = CHECKSUM_ALGORITHMS.map((a) => [a, headerOfAlgorithm(a)] as const);

export interface ProtocolHandlerOptions {
  services: ProtocolService[];
  region: string;
  accountId: string;
  ids: IdSource;
  clock: Clock;
  faults: FaultRegistry;
  log: Logger;
  endpoint(): string;
  /** Reject requests whose SigV4 signature is wrong (default: accept any credentials). */
  verifySignatures?: boolean;
  /** Secret per access key id for verification; other keys use `defaultSecretAccessKey`. */
  credentials?: Record<string, string>;
  /** Secret assumed for access keys not in `credentials` (default `test`); `null` rejects unknown keys. */
  defaultSecretAccessKey?: string | null;
  /** Body size limits per protocol (bytes). */
  limits?: Partial<Record<WireProtocol, number>>;
}

/** Bytes accepted per protocol before the AWS "too large" error. */
export const DEFAULT_LIMITS: Record<WireProtocol, number> = {
  // S3 single PUT: 5 GiB (https://docs.aws.amazon.com/AmazonS3/latest/userguide/upload-objects.html), capped by what one Buffer holds.
  restXml: Math.min(5 * 1024 ** 3, MAX_BUFFER),
  // Lambda CreateFunction with a base64 ZipFile (50 MB zip) fits; Invoke's 6 MB limit is the Lambda service's check.
  restJson1: 80 * 1024 * 1024,
  awsJson1_0: 10 * 1024 * 1024,
  awsJson1_1: 10 * 1024 * 1024,
  query: 10 * 1024 * 1024,
};

/**
 * An operation that only reads what is stored (DescribeExecution, GetItem,
 * ListObjectsV2, …). Its name is enough: AWS names every operation with a
 * side effect otherwise (Start…, Send…, Put…, Receive…, Rotate…).
 */
const READ_ONLY_OPERATION = /^(Describe|Get|List|BatchGet|Query$|Scan$)/;

/**
 * Requests that must not hold the virtual clock while in flight:
 * - the Runtime API long-poll, and calls that sleep on the clock themselves
 *   (Lambda Invoke with latency faults and async retries, StartSyncExecution
 *   with Wait states): holding `work` across their sleeps would stop virtual
 *   time forever;
 * - requests that only read (an S3/Lambda GET or HEAD, a Describe/Get/List
 *   JSON or query action). They start no work, so nothing they do can come
 *   after a timer in the wrong order; an answer read just before or just after
 *   a jump is one the client could have got by asking a moment later. A client
 *   polling DescribeExecution in a tight loop otherwise keeps the clock held
 *   most of the time, and a Wait between two Lambda calls ran in real time on
 *   a busy machine (`serve --clock virtual`, issue 16).
 * `action` is the query protocol's `Action` when it is in the URL (an SNS
 * confirmation link is a GET with Action=ConfirmSubscription: it writes).
 */
export function holdsClockWhileHandled(method: string, path: string, target: string | undefined, action?: string): boolean {
  if (path.startsWith('/lambda-runtime/') || path.includes('/2018-06-01/runtime/')) return false;
  if (method === 'POST' && /^\/20\d\d-\d\d-\d\d\/functions\/[^/]+\/(invocations|invoke-async\/?)$/.test(path)) return false;
  if (target === 'AWSStepFunctions.StartSyncExecution' || target === 'secretsmanager.RotateSecret') return false;
  if (target !== undefined) return !READ_ONLY_OPERATION.test(target.slice(target.lastIndexOf('.') + 1));
  if (action !== undefined) return !READ_ONLY_OPERATION.test(action);
  return method !== 'GET' && method !== 'HEAD';
}

interface Prepared {
  route: Route;
  protocol: WireProtocol;
  xmlNamespace?: string;
  errorNamespace?: string;
  /** What the service adds to every response to this request (RestProtocolService.responseHeaders). */
  extraHeaders?: Record<string, string>;
}

function protocolOf(route: Route): WireProtocol {
  switch (route.kind) {
    case 'json':
      return route.jsonVersion === '1.0' ? 'awsJson1_0' : 'awsJson1_1';
    case 'query':
      return 'query';
    case 'rest':
      return route.service.protocol;
    case 'none':
      return 'awsJson1_1';
  }
}

/**
 * The digests worth computing while an S3 write's body arrives: MD5 (the ETag), every checksum the client sent as a
 * header or announced as a trailer (`x-amz-trailer: x-amz-checksum-crc32`), the one it asked S3 to compute
 * (`x-amz-sdk-checksum-algorithm`), and SHA-256 when the payload hash is a signature input we check.
 */
function streamedAlgorithms(req: IncomingMessage, payloadSha256: boolean): DigestAlgorithm[] {
  const out = new Set<DigestAlgorithm>(['MD5']);
  for (const name in req.headers) {
    if (!name.startsWith('x-amz-checksum-')) continue;
    const alg = algorithmOfHeader(name);
    if (alg) out.add(alg);
  }
  const trailer = header(req, 'x-amz-trailer');
  if (trailer !== undefined) {
    for (const t of trailer.split(',')) {
      const alg = algorithmOfHeader(t.trim());
      if (alg) out.add(alg);
    }
  }
  const wanted = parseAlgorithm(header(req, 'x-amz-sdk-checksum-algorithm') ?? header(req, 'x-amz-checksum-algorithm'));
  if (wanted) out.add(wanted);
  if (payloadSha256) out.add('SHA256');
  return [...out];
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

function decodePath(rawPath: string): string | undefined {
  try {
    return decodeURIComponent(rawPath);
  } catch {
    return undefined;
  }
}

/** Replaces Date values with epoch seconds: awsJson's default timestamp format. */
function jsonReplacer(this: unknown, key: string, value: unknown): unknown {
  const holder = this as Record<string, unknown>;
  const original = holder[key];
  if (original instanceof Date) return original.getTime() / 1000;
  return value;
}

export type ProtocolHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export function createProtocolHandler(options: ProtocolHandlerOptions): ProtocolHandler {
  const router = new Router(options.services);
  const requestIds = options.ids.fork('request-ids');
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const { clock, faults, log } = options;
  /**
   * Requests this thread is working on right now (this one included) — not the
   * ones that only wait (Runtime API long-polls, Invoke, StartSyncExecution):
   * decides whether hashing moves to the worker.
   */
  let inFlight = 0;

  function newRequestId(protocol: WireProtocol): string {
    // S3 request ids are 16 upper-case hex characters; the others UUIDs.
    return protocol === 'restXml' ? requestIds.hex(8).toUpperCase() : requestIds.uuid();
  }

  function secretFor(accessKeyId: string): string | undefined {
    const known = options.credentials?.[accessKeyId];
    if (known !== undefined) return known;
    if (options.defaultSecretAccessKey === null) return undefined;
    return options.defaultSecretAccessKey ?? 'test';
  }

  function send(res: ServerResponse, status: number, headers: Record<string, string | number | string[]>, body: Buffer | string | undefined, head: boolean): void {
    if (res.headersSent || res.destroyed) return;
    const payload = body === undefined ? undefined : typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    const out: Record<string, string | number | string[]> = { ...headers };
    // RFC 9110 §8.6: no Content-Length on 1xx/204; a 304 may carry the GET's, never a made-up 0.
    const bodiless = status === 204 || status === 304 || status < 200;
    if (bodiless) {
      for (const k of Object.keys(out)) if (k.toLowerCase() === 'content-length' && status !== 304) delete out[k];
    } else if (out['content-length'] === undefined && !Object.keys(out).some((k) => k.toLowerCase() === 'content-length')) out['content-length'] = payload?.length ?? 0;
    res.writeHead(status, out);
    // The stored Buffer goes to the socket as is (no copy), like any Node server's res.end(buffer).
    if (head || bodiless || payload === undefined || payload.length === 0) res.end();
    else res.end(payload);
  }

  function sendError(res: ServerResponse, err: AwsServiceError, prepared: Prepared, requestId: string, method: string, closeConnection = false): void {
    const r = serializeError(err, prepared.protocol, requestId, { method, xmlNamespace: prepared.xmlNamespace, errorNamespace: prepared.errorNamespace });
    if (prepared.extraHeaders) Object.assign(r.headers, prepared.extraHeaders);
    if (closeConnection) r.headers.connection = 'close';
    if (prepared.route.kind === 'json' && prepared.route.service?.responseCrc32) r.headers['x-amz-crc32'] = String(crc32(r.body));
    send(res, r.status, r.headers, r.body, method === 'HEAD');
  }

  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const rawPath = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const query = new URLSearchParams(q < 0 ? '' : rawUrl.slice(q + 1));
    const hostHeader = header(req, 'host') ?? '';
    const host = stripHostPrefix(hostHeader);
    const authParse = parseAuthorization(req.headers, query);
    const auth: SigV4Auth | undefined = authParse.kind === 'ok' ? authParse.auth : undefined;
    const path = decodePath(rawPath);
    const target = header(req, 'x-amz-target');

    const route = router.route({ method, path: path ?? rawPath, host, headers: req.headers, signingService: auth?.service });
    const prepared: Prepared = {
      route,
      protocol: protocolOf(route),
      xmlNamespace: route.kind === 'query' ? route.service.xmlNamespace : undefined,
      errorNamespace: route.kind === 'json' ? route.service?.errorNamespace : undefined,
      extraHeaders: route.kind === 'rest' ? route.service.responseHeaders?.({ method, path: path ?? rawPath, headers: req.headers }) : undefined,
    };
    const requestId = newRequestId(prepared.protocol);

    // The requests that hold the clock are the ones doing work; the others only wait.
    const working = holdsClockWhileHandled(method, path ?? rawPath, target, query.get('Action') ?? undefined);
    let release: (() => void) | undefined = working ? clock.hold('work', `${method} ${rawPath}`) : undefined;
    const releaseHold = () => {
      release?.();
      release = undefined;
    };
    // After a fault's latency: held again only if it was held, and never once the client has gone (nothing would release it).
    const resumeHold = () => {
      if (working && !done && release === undefined) release = clock.hold('work', `${method} ${rawPath}`);
    };
    if (working) inFlight++;
    let counted = working;
    let done = false;
    // Made only for a request that waits (ctx.idle): most never need one.
    let gone: AbortController | undefined;
    // One listener: a ServerResponse emits 'close' once it is done, after 'finish' when the response went out
    // and alone when the client left first (Node's http docs, "Event: 'close'"); hence `on`, which spares
    // `once`'s wrapper and its unhooking.
    const settled = () => {
      done = true;
      if (!res.writableFinished) gone?.abort(new Error('client went away'));
      releaseHold();
      if (counted) inFlight--;
      counted = false;
    };
    res.on('close', settled);
    /** The request stops working while `wait` runs (an SQS long poll): no clock hold, not counted as busy. */
    const idle = async <T>(wait: (signal: AbortSignal) => Promise<T>): Promise<T> => {
      const held = release !== undefined;
      const wasCounted = counted;
      releaseHold();
      if (wasCounted) inFlight--;
      counted = false;
      try {
        gone ??= new AbortController();
        if (done) gone.abort(new Error('client went away'));
        return await wait(gone.signal);
      } finally {
        if (!done) {
          if (held) release = clock.hold('work', `${method} ${rawPath}`);
          if (wasCounted) inFlight++;
          counted = wasCounted;
        }
      }
    };

    try {
      if (path === undefined) throw new AwsServiceError(prepared.protocol === 'restXml' ? 'InvalidURI' : 'SerializationException', `Couldn't parse the specified URI: ${rawPath.slice(0, 200)}`, 400);
      if (route.kind === 'none') throw new AwsServiceError('UnknownOperationException', `No service of this endpoint handles ${method} ${rawPath.slice(0, 200)}`, 404);
      if (route.kind === 'json' && !route.service) throw unknownOperationException(route.target);

      // ── body ───────────────────────────────────────────────────────────────
      const limit = limits[prepared.protocol];
      const declared = Number(header(req, 'content-length') ?? NaN);
      const decodedDeclared = Number(header(req, 'x-amz-decoded-content-length') ?? NaN);
      if ((Number.isFinite(declared) && declared > limit + 64 * 1024) || (Number.isFinite(decodedDeclared) && decodedDeclared > limit)) {
        sendError(res, requestTooLarge(prepared.protocol, limit), prepared, requestId, method, true);
        req.resume();
        return;
      }
      const contentSha256 = header(req, 'x-amz-content-sha256');
      const chunked = isAwsChunked(contentSha256, header(req, 'content-encoding'));
      // S3 object writes are hashed while the bytes arrive: MD5 for the ETag of every PUT, plus each checksum the
      // client announced (as a header, or as a trailer named by x-amz-trailer).
      const objectWrite = prepared.protocol === 'restXml' && (method === 'PUT' || method === 'POST');
      const verifyPayloadHash = options.verifySignatures === true && !chunked && contentSha256 !== undefined && /^[0-9a-f]{64}$/i.test(contentSha256);
      const algorithms = objectWrite ? streamedAlgorithms(req, verifyPayloadHash) : [];
      // The worker pays off when this thread has other requests to serve meanwhile. A lone upload is hashed
      // in-thread as it arrives: handing bytes to another core and waking it costs more than the little
      // overlap a fast receive leaves (measured: bench/s3.ts, sequential PUT+GET, and README "Benchmark").
      // Re-measured with the worker forced on for the sequential bench (1 MiB arrives in 17 reads over ~0.7 ms):
      // first byte → digests ready went from ~2.3 ms to ~2.2 ms at the median but ~7.5 ms at p90 (vs ~2.8 ms),
      // +1.5–3 ms CPU per pair, and no gain in pairs/s. Hashing after the burst instead of between reads: no change.
      const offload = objectWrite && inFlight > 1 ? sharedDigestWorker() : undefined;
      let received: ReceivedBody;
      try {
        received = await receiveBody(req, {
          rawLimit: chunked ? limit + Math.ceil(limit / 1024) + 64 * 1024 : limit,
          limit,
          chunked,
          expectedLength: chunked ? (Number.isFinite(decodedDeclared) ? decodedDeclared : undefined) : Number.isFinite(declared) ? declared : undefined,
          algorithms,
          offload,
        });
      } catch (e) {
        if (e instanceof BodyTooLargeError) {
          sendError(res, requestTooLarge(prepared.protocol, limit), prepared, requestId, method, true);
          return;
        }
        throw e;
      }

      const body = received.body;
      const framing = received.framing;
      // Headers are only rewritten for aws-chunked bodies; otherwise the service sees them as received.
      let headers = req.headers;
      if (framing) {
        headers = { ...req.headers };
        // The service sees the object as if it had been sent plainly: trailers become headers.
        for (const [k, v] of Object.entries(framing.trailers)) headers[k] = v;
        const enc = String(headers['content-encoding'] ?? '')
          .split(',')
          .map((e) => e.trim())
          .filter((e) => e && e.toLowerCase() !== 'aws-chunked');
        if (enc.length > 0) headers['content-encoding'] = enc.join(',');
        else delete headers['content-encoding'];
        headers['content-length'] = String(body.length);
        delete headers['x-amz-decoded-content-length'];
        delete headers['x-amz-trailer'];
      }

      // ── signature ──────────────────────────────────────────────────────────
      // Requests a service authenticates itself (S3 POST object: the signature is a form field) or that are
      // anonymous by design (a CORS preflight) carry no SigV4 signature to check here.
      const selfAuthenticated = route.kind === 'rest' && route.service.authenticatesItself?.({ method, path: path ?? rawPath, query, headers: req.headers }) === true;
      // Presigned S3 URLs: parameters and expiry always (an app's "link expired" path), the signature when verifying.
      const sigV2 = prepared.protocol === 'restXml' && !selfAuthenticated && authParse.kind === 'none' ? parseSigV2Query(query) : undefined;
      if (prepared.protocol === 'restXml' && !selfAuthenticated) {
        if (isPresigned(query)) checkPresignedRequest(query, clock);
        else if (sigV2) checkSigV2Query(sigV2, clock);
      }
      if (options.verifySignatures && !selfAuthenticated && sigV2) {
        const secret = secretFor(sigV2.accessKeyId);
        if (secret === undefined) throw unknownAccessKey(prepared.protocol, sigV2.accessKeyId);
        if (!verifySigV2Query(sigV2, { method, rawPath, query, headers: req.headers, hostBucket: bucketFromHost(hostHeader) }, secret)) throw signatureDoesNotMatch(prepared.protocol);
      } else if (options.verifySignatures && !selfAuthenticated) {
        if (authParse.kind !== 'ok') throw missingAuthentication(prepared.protocol, authParse.kind === 'malformed' ? authParse.reason : 'no Authorization header');
        const secret = secretFor(authParse.auth.accessKeyId);
        if (secret === undefined) throw unknownAccessKey(prepared.protocol, authParse.auth.accessKeyId);
        // For aws-chunked bodies the signer signs the STREAMING-* x-amz-content-sha256 value, not the bytes.
        const ok = await verifySignature(authParse.auth, { method, rawPath, query, headers: req.headers, body }, secret);
        if (!ok) throw signatureDoesNotMatch(prepared.protocol);
        // Other services' presigned requests (S3's were checked above) expire on the endpoint's clock too.
        const expiry = prepared.protocol === 'restXml' ? undefined : presignedExpiry(authParse.auth, query, clock);
        if (expiry !== undefined && clock.now() > expiry) {
          throw new AwsServiceError('AccessDenied', 'Request has expired', 403, { fields: { 'X-Amz-Expires': query.get('X-Amz-Expires') ?? '', Expires: new Date(expiry).toISOString() } });
        }
        if (framing && contentSha256?.startsWith('STREAMING-AWS4-HMAC-SHA256-PAYLOAD')) {
          let prev = authParse.auth.signature;
          const all = [...chunkViews(body, framing.chunkLengths), Buffer.alloc(0)];
          if (framing.chunkSignatures.length !== all.length) throw signatureDoesNotMatch(prepared.protocol);
          for (let i = 0; i < all.length; i++) {
            const expected = chunkSignature(secret, authParse.auth, prev, all[i]!);
            if (expected !== framing.chunkSignatures[i]) throw signatureDoesNotMatch(prepared.protocol);
            prev = expected;
          }
          if (contentSha256.endsWith('-TRAILER')) {
            if (!framing.trailerSignature || trailerSignature(secret, authParse.auth, prev, framing.trailerText) !== framing.trailerSignature) {
              throw signatureDoesNotMatch(prepared.protocol);
            }
          }
        }
      }

      // ── integrity: x-amz-checksum-*, Content-MD5, x-amz-content-sha256 ────
      const digests: NonNullable<RestRequest['digests']> = {};
      const digestOf = (alg: DigestAlgorithm): string => {
        const key = alg.toLowerCase() as keyof typeof digests;
        const known = digests[key] ?? received.digests[alg];
        if (known !== undefined) {
          digests[key] = known;
          return known;
        }
        const v = checksumOf(alg, body);
        digests[key] = v;
        return v;
      };
      if (prepared.protocol === 'restXml' || prepared.protocol === 'restJson1') {
        for (const [alg, name] of CHECKSUM_HEADERS) {
          const sent = headers[name];
          if (typeof sent !== 'string') continue;
          // Not base64 at all: InvalidRequest. A well-formed value that is not the body's digest (of whatever
          // length) is a BadDigest, as S3 answers a wrong checksum.
          if (!/^[A-Za-z0-9+/]*={0,2}$/.test(sent) || sent === '') throw invalidRequest(`Value for ${name} header is invalid.`);
          if (!isBase64Digest(sent, DIGEST_BYTES[alg]) || digestOf(alg) !== sent) throw badDigest(alg);
        }
        const md5 = headers['content-md5'];
        if (typeof md5 === 'string') {
          if (!isBase64Digest(md5, 16)) throw invalidDigest('Content-MD5');
          if (digestOf('MD5') !== md5) throw new AwsServiceError('BadDigest', 'The Content-MD5 you specified did not match what we received.', 400);
        }
        // Everything computed while receiving goes to the service (S3's ETag is the MD5), whether or not it was checked here.
        for (const alg of algorithms) digestOf(alg);
        // x-amz-content-sha256 is a SigV4 input: checked when signatures are (a hash mismatch there would be a
        // signature failure on AWS too). Body integrity itself is covered by x-amz-checksum-* / Content-MD5 above.
        if (verifyPayloadHash && Buffer.from(digestOf('SHA256'), 'base64').toString('hex') !== contentSha256!.toLowerCase()) throw contentSha256Mismatch();
      }

      // ── context ────────────────────────────────────────────────────────────
      const accessKeyId = auth?.accessKeyId ?? sigV2?.accessKeyId;
      const ctx: RequestContext = {
        requestId,
        region: auth?.region ?? options.region,
        accountId: options.accountId,
        signingService: auth?.service,
        accessKeyId,
        caller: accessKeyId?.startsWith('LAMBDA_') ? accessKeyId.slice('LAMBDA_'.length) : undefined,
        host: hostHeader,
        path,
        headers,
        endpoint: options.endpoint(),
        ...(options.verifySignatures ? { credentials: { secretFor } } : {}),
        idle,
      };

      // ── dispatch ───────────────────────────────────────────────────────────
      if (route.kind === 'json') {
        const service = route.service!;
        const { op, input } = jsonOperation(service, route.operation, route.target, body);
        // Most requests meet no fault: no promise to wait for then (each await is a turn of the microtask queue).
        const faulted = applyFaults(service.signingName, route.operation, releaseHold, resumeHold, service.resourcesOf?.(route.operation, input));
        if (faulted) await faulted;
        const value = (await op(input, ctx)) ?? {};
        const text = service.outputJson && typeof value === 'object' && !Array.isArray(value) ? service.outputJson(route.operation, value as Record<string, unknown>) : service.plainJsonOutput ? JSON.stringify(value) : JSON.stringify(value, jsonReplacer);
        const payload = Buffer.from(text, 'utf8');
        const headers: Record<string, string | number> = { 'content-type': `application/x-amz-json-${route.service!.jsonVersion}`, 'x-amzn-requestid': requestId };
        if (route.service!.responseCrc32) headers['x-amz-crc32'] = String(crc32(payload));
        headers['content-length'] = payload.length;
        send(res, 200, headers, payload, false);
        return;
      }
      if (route.kind === 'query') {
        const params = parseQueryParams(body, query);
        const action = params.Action;
        if (!action) throw missingAction();
        const op = route.service.operations[action];
        if (!op) throw invalidAction(action);
        await applyFaults(route.service.signingName, action, releaseHold, resumeHold, route.service.resourcesOf?.(action, params, path));
        const value = await op(params, ctx);
        send(res, 200, { 'content-type': 'text/xml', 'x-amzn-requestid': requestId }, queryResponse(action, route.service, value, requestId), false);
        return;
      }
      const restReq: RestRequest = { method, path, rawPath, query, headers, body, ctx, digests };
      const operation = route.service.operationName?.(restReq);
      if (operation) {
        await applyFaults(route.service.signingName, operation, releaseHold, resumeHold);
      }
      const out = await route.service.handle(restReq);
      sendRest(res, route.service, out, requestId, method, prepared.extraHeaders);
    } catch (e) {
      let err: AwsServiceError;
      if (e instanceof AwsServiceError) err = e;
      else {
        if (res.destroyed || (e instanceof Error && e.message === 'client aborted the request')) return;
        log.error(`${method} ${rawPath}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
        err = internalError(prepared.protocol, e);
      }
      sendError(res, err, prepared, requestId, method);
    }
  };

  /** The operation a JSON request names, and its input parsed from the body. */
  function jsonOperation(service: JsonProtocolService, operation: string, target: string, body: Buffer): { op: JsonOperation; input: Record<string, unknown> } {
    const op = Object.prototype.hasOwnProperty.call(service.operations, operation) ? service.operations[operation] : undefined;
    if (!op) throw unknownOperationException(target);
    let input: unknown = {};
    const text = body.toString('utf8');
    if (text.trim() !== '') {
      try {
        input = JSON.parse(text);
      } catch (e) {
        throw serializationException(`The request body is not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    if (input === null || typeof input !== 'object' || Array.isArray(input)) {
      throw serializationException(`The request body must be a JSON object, got ${Array.isArray(input) ? 'an array' : input === null ? 'null' : typeof input}.`);
    }
    return { op, input: input as Record<string, unknown> };
  }

  /**
   * Operation faults from the installed plan: latency on the Clock, then an
   * error — once per request, for every service. `resources` are what the
   * request touches (DynamoDB tables…), for faults aimed at one of them.
   * Undefined when no fault applies (the call is still counted).
   */
  function applyFaults(service: string, operation: string, pause: () => void, resume: () => void, resources: readonly string[] = []): Promise<void> | undefined {
    const { faults: matched } = faults.nextOperationCall(service, operation, resources);
    return matched.length === 0 ? undefined : applyMatchedFaults(matched, pause, resume);
  }

  async function applyMatchedFaults(matched: readonly OperationFault[], pause: () => void, resume: () => void): Promise<void> {
    for (const f of matched) {
      if (f.latencyMs !== undefined && f.latencyMs > 0) {
        // Let virtual time move while this request waits: it is not doing work.
        pause();
        try {
          await clock.sleep(f.latencyMs);
        } finally {
          resume();
        }
      }
    }
    const withError = matched.find((f) => f.error);
    if (withError?.error) {
      const { code, message, statusCode } = withError.error;
      throw new AwsServiceError(code, message ?? `Injected fault: ${code}`, statusCode ?? defaultStatusFor(code));
    }
  }

  function sendRest(res: ServerResponse, service: RestProtocolService, out: RestResponse, requestId: string, method: string, extra: Record<string, string> | undefined): void {
    const headers: Record<string, string | number | string[]> = { ...(out.headers ?? {}), ...extra };
    if (service.protocol === 'restXml') {
      headers['x-amz-request-id'] ??= requestId;
      headers['x-amz-id-2'] ??= requestId;
    } else headers['x-amzn-requestid'] ??= requestId;
    send(res, out.status, headers, out.body, method === 'HEAD');
  }
}

function parseQueryParams(body: Buffer, query: URLSearchParams): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [k, v] of query) params[k] = v;
  for (const [k, v] of new URLSearchParams(body.toString('utf8'))) params[k] = v;
  return params;
}

function queryResponse(action: string, service: QueryProtocolService, value: unknown, requestId: string): string {
  const result = value === undefined || value === null ? '' : `<${action}Result>${toQueryXml(value)}</${action}Result>`;
  return (
    `${XML_DECLARATION}<${action}Response xmlns="${service.xmlNamespace}">${result}` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`
  );
}

function invalidRequest(message: string): AwsServiceError {
  return new AwsServiceError('InvalidRequest', message, 400);
}
