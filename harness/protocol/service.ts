/**
 * What a service hands the protocol layer. Services never build HTTP responses
 * for JSON and query protocols: they return values or throw AwsServiceError,
 * and harness/protocol serialises both.
 */
import type { IncomingHttpHeaders } from 'node:http';

export interface RequestContext {
  /** x-amzn-RequestId / x-amz-request-id of this request. */
  requestId: string;
  region: string;
  accountId: string;
  /** SigV4 signing name from the Authorization header (`s3`, `states`, `lambda`…), if signed. */
  signingService?: string;
  accessKeyId?: string;
  /**
   * Who is calling: the Lambda function name when the request came from a
   * function's execution environment (the runtime hands each function
   * credentials whose access key id is `LAMBDA_<functionName>`), else undefined.
   */
  caller?: string;
  /** The Host header as sent (virtual-host S3 and `sync-` host prefixes). */
  host: string;
  /** The decoded request path (SQS query requests may be sent to the queue's URL instead of naming it). */
  path: string;
  headers: IncomingHttpHeaders;
  /** The endpoint's own base URL (`http://127.0.0.1:4566`). */
  endpoint: string;
  /**
   * Set when the endpoint verifies signatures (`--verify-signatures`): the
   * secret of an access key (undefined when unknown), for a service that checks
   * a signature the protocol layer cannot see (S3 POST object's policy).
   */
  credentials?: { secretFor(accessKeyId: string): string | undefined };
  /**
   * Runs `wait` without this request holding the clock: for a request that
   * waits on an outside event rather than working (an SQS long poll), so
   * virtual time may move meanwhile. The hold is taken back when it settles.
   * `signal` aborts when the client goes away.
   */
  idle<T>(wait: (signal: AbortSignal) => Promise<T>): Promise<T>;
}

/** awsJson 1.0 / 1.1: one POST, operation named by `X-Amz-Target: <prefix>.<Operation>`. */
export type JsonOperation = (input: Record<string, unknown>, ctx: RequestContext) => unknown;

export interface JsonProtocolService {
  kind: 'json';
  /** Signing name, e.g. `states`, `secretsmanager`. */
  signingName: string;
  /** The X-Amz-Target prefix, e.g. `AWSStepFunctions`, `secretsmanager`. */
  targetPrefix: string;
  jsonVersion: '1.0' | '1.1';
  operations: Record<string, JsonOperation>;
  /**
   * Every response (errors included) carries `x-amz-crc32`, the CRC32 of the
   * body bytes, which DynamoDB's SDKs verify (botocore retries on a mismatch).
   */
  responseCrc32?: boolean;
  /**
   * The service's outputs never hold Date values: they are serialised without
   * the Date → epoch-seconds replacer (a replacer makes JSON.stringify several
   * times slower on large outputs such as a Query page).
   */
  plainJsonOutput?: boolean;
  /**
   * Writes an operation's output as the response body instead of
   * JSON.stringify (DynamoDB: each stored item's text is made once, see
   * emulator/dynamodb/wire.ts). Must give the same JSON.
   */
  outputJson?(operation: string, output: Record<string, unknown>): string;
  /** Smithy namespace of the error shapes (`com.amazonaws.sqs`): `__type` is then `namespace#Code`, as the service sends it. */
  errorNamespace?: string;
  /**
   * The resources a request touches (DynamoDB: its tables), so an operation
   * fault aimed at one resource (`resource` in the fault plan) picks it.
   */
  resourcesOf?(operation: string, input: Record<string, unknown>): string[];
}

/** AWS query protocol (SNS): form-encoded `Action=…`, XML `<ActionResponse><ActionResult>` replies. */
export type QueryOperation = (params: Record<string, string>, ctx: RequestContext) => unknown;

export interface QueryProtocolService {
  kind: 'query';
  signingName: string;
  /** e.g. `http://sns.amazonaws.com/doc/2010-03-31/` */
  xmlNamespace: string;
  operations: Record<string, QueryOperation>;
  /** The resources a request touches (SQS: its queue), as for JSON services; `path` is the request path. */
  resourcesOf?(operation: string, params: Record<string, string>, path: string): string[];
}

/** A request after the protocol layer has decoded it (aws-chunked removed, checksums verified). */
export interface RestRequest {
  method: string;
  /** Decoded path without the query string. */
  path: string;
  rawPath: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  ctx: RequestContext;
  /**
   * Digests the protocol layer already computed over `body` (base64), so a
   * service need not hash the same bytes twice (S3 ETag = md5).
   */
  digests?: Partial<Record<'md5' | 'crc32' | 'crc32c' | 'sha1' | 'sha256' | 'crc64nvme', string>>;
}

export interface RestResponse {
  status: number;
  headers?: Record<string, string | number | string[]>;
  body?: Buffer | string;
}

/** restXml (S3) and restJson1 (Lambda): routed by path/host; the service builds the body, the protocol layer serialises errors. */
export interface RestProtocolService {
  kind: 'rest';
  signingName: string;
  protocol: 'restXml' | 'restJson1';
  matches(req: { method: string; path: string; host: string; headers: IncomingHttpHeaders; signingService?: string }): boolean;
  handle(req: RestRequest): Promise<RestResponse>;
  /**
   * The AWS operation name of a request (`GetObject`, `Invoke`…), so the
   * protocol layer applies operation faults once for every service. Optional:
   * without it, operation faults never match this service's requests.
   */
  operationName?(req: RestRequest): string | undefined;
  /**
   * Requests that carry no SigV4 signature by design, so the protocol layer
   * does not check one: the service authenticates them itself (S3 POST object
   * signs a policy in the form) or they are anonymous (a CORS preflight).
   */
  authenticatesItself?(req: { method: string; path: string; query: URLSearchParams; headers: IncomingHttpHeaders }): boolean;
  /**
   * Headers to add to this request's response, whether it succeeds or fails
   * (S3's CORS `Access-Control-*` for an allowed Origin) — errors the protocol
   * layer raises itself (an expired presigned URL) included.
   */
  responseHeaders?(req: { method: string; path: string; headers: IncomingHttpHeaders }): Record<string, string> | undefined;
}

export type ProtocolService = JsonProtocolService | QueryProtocolService | RestProtocolService;
