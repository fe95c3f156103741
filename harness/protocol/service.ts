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
  headers: IncomingHttpHeaders;
  /** The endpoint's own base URL (`http://127.0.0.1:4566`). */
  endpoint: string;
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
}

/** AWS query protocol (SNS): form-encoded `Action=…`, XML `<ActionResponse><ActionResult>` replies. */
export type QueryOperation = (params: Record<string, string>, ctx: RequestContext) => unknown;

export interface QueryProtocolService {
  kind: 'query';
  signingName: string;
  /** e.g. `http://sns.amazonaws.com/doc/2010-03-31/` */
  xmlNamespace: string;
  operations: Record<string, QueryOperation>;
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
}

export type ProtocolService = JsonProtocolService | QueryProtocolService | RestProtocolService;
