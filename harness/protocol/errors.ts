/**
 * Errors the protocol layer itself raises (before a service sees the
 * request), and the one place where an AwsServiceError becomes an HTTP
 * response for each protocol (DESIGN.md style 3).
 */
import { AwsServiceError } from '../core/index.ts';
import { escapeXml, XML_DECLARATION } from './xml.ts';

export type WireProtocol = 'awsJson1_0' | 'awsJson1_1' | 'restJson1' | 'restXml' | 'query';

export interface ErrorResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Serialises `err` as `protocol` expects, so SDK clients raise the typed exception of `err.code`. */
export function serializeError(
  err: AwsServiceError,
  protocol: WireProtocol,
  requestId: string,
  options: { method?: string; xmlNamespace?: string; hostId?: string; errorNamespace?: string } = {},
): ErrorResponse {
  const headers: Record<string, string> = { ...err.headers };
  switch (protocol) {
    case 'awsJson1_0':
    case 'awsJson1_1': {
      // https://smithy.io/2.0/aws/protocols/aws-json-1_0-protocol.html#operation-error-serialization
      headers['x-amzn-errortype'] = err.code;
      headers['x-amzn-requestid'] = requestId;
      headers['content-type'] = `application/x-amz-json-${protocol === 'awsJson1_0' ? '1.0' : '1.1'}`;
      // awsQueryCompatible services (SQS): the query protocol's code and fault, which SDKs prefer over __type.
      // https://smithy.io/2.0/aws/protocols/aws-query-protocol.html#aws-protocols-awsquerycompatible-trait
      if (err.queryCode !== undefined) headers['x-amzn-query-error'] = `${err.queryCode};${err.senderFault ? 'Sender' : 'Receiver'}`;
      const type = options.errorNamespace ? `${options.errorNamespace}#${err.code}` : err.code;
      return { status: err.statusCode, headers, body: JSON.stringify({ __type: type, message: err.message, ...err.fields, ...err.members }) };
    }
    case 'restJson1': {
      // Lambda: https://docs.aws.amazon.com/lambda/latest/api/CommonErrors.html — `Type` + `message` in the body.
      headers['x-amzn-errortype'] = err.code;
      headers['x-amzn-requestid'] = requestId;
      headers['content-type'] = 'application/json';
      const body = { Type: err.senderFault ? 'User' : 'Service', message: err.message, ...err.fields };
      return { status: err.statusCode, headers, body: JSON.stringify(body) };
    }
    case 'restXml': {
      // https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#RESTErrorResponses
      headers['x-amz-request-id'] = requestId;
      headers['x-amz-id-2'] = options.hostId ?? requestId;
      if (options.method === 'HEAD') return { status: err.statusCode, headers, body: '' };
      headers['content-type'] = 'application/xml';
      let fields = '';
      for (const [k, v] of Object.entries(err.fields)) fields += `<${k}>${escapeXml(v)}</${k}>`;
      const body =
        `${XML_DECLARATION}<Error><Code>${escapeXml(err.code)}</Code><Message>${escapeXml(err.message)}</Message>` +
        `${fields}<RequestId>${requestId}</RequestId><HostId>${escapeXml(options.hostId ?? requestId)}</HostId></Error>`;
      return { status: err.statusCode, headers, body };
    }
    case 'query': {
      // https://docs.aws.amazon.com/sns/latest/api/CommonErrors.html (query protocol error shape)
      headers['x-amzn-requestid'] = requestId;
      headers['content-type'] = 'text/xml';
      const ns = options.xmlNamespace ? ` xmlns="${escapeXml(options.xmlNamespace)}"` : '';
      const body =
        `${XML_DECLARATION}<ErrorResponse${ns}><Error><Type>${err.senderFault ? 'Sender' : 'Receiver'}</Type>` +
        `<Code>${escapeXml(err.queryCode ?? err.code)}</Code><Message>${escapeXml(err.message)}</Message></Error>` +
        `<RequestId>${requestId}</RequestId></ErrorResponse>`;
      return { status: err.statusCode, headers, body };
    }
  }
}

/** Anything thrown that is not an AwsServiceError is our bug: a 500 with the protocol's internal error code. */
export function internalError(protocol: WireProtocol, e: unknown): AwsServiceError {
  const detail = e instanceof Error ? e.message : String(e);
  const code = protocol === 'restXml' ? 'InternalError' : protocol === 'restJson1' ? 'ServiceException' : 'InternalFailure';
  return new AwsServiceError(code, `We encountered an internal error. Please try again. (${detail})`, 500);
}

// ── Errors raised before a service sees the request ─────────────────────────

/** awsJson: body is not a JSON object. https://smithy.io/2.0/aws/protocols/aws-json-1_0-protocol.html */
export function serializationException(message: string): AwsServiceError {
  return new AwsServiceError('SerializationException', message, 400);
}

/** awsJson: X-Amz-Target names no operation of the service. */
export function unknownOperationException(target: string): AwsServiceError {
  return new AwsServiceError('UnknownOperationException', `Operation ${target} is not supported by this endpoint.`, 400);
}

/** Query protocol: `Action` names no operation. https://docs.aws.amazon.com/sns/latest/api/CommonErrors.html */
export function invalidAction(action: string): AwsServiceError {
  return new AwsServiceError('InvalidAction', `The action or operation requested (${action}) is invalid. Verify that the action is typed correctly.`, 400);
}

/** Query protocol: a required parameter is missing. */
export function missingAction(): AwsServiceError {
  return new AwsServiceError('MissingAction', 'The request must contain the parameter Action.', 400);
}

/** SigV4 mismatch: S3 `SignatureDoesNotMatch`, JSON/query services `InvalidSignatureException` / `SignatureDoesNotMatch`. */
export function signatureDoesNotMatch(protocol: WireProtocol): AwsServiceError {
  const message =
    'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';
  if (protocol === 'restXml' || protocol === 'query') return new AwsServiceError('SignatureDoesNotMatch', message, 403);
  return new AwsServiceError('InvalidSignatureException', message, 403);
}

/** No (or an unparseable) Authorization when signatures are verified. */
export function missingAuthentication(protocol: WireProtocol, detail: string): AwsServiceError {
  if (protocol === 'restXml') return new AwsServiceError('AccessDenied', `Access Denied (${detail})`, 403);
  if (protocol === 'query') return new AwsServiceError('MissingAuthenticationToken', `Request is missing Authentication Token (${detail})`, 403);
  return new AwsServiceError('MissingAuthenticationTokenException', `Missing Authentication Token (${detail})`, 403);
}

/** Signed with an access key we do not know (only when a credential table is configured). */
export function unknownAccessKey(protocol: WireProtocol, accessKeyId: string): AwsServiceError {
  if (protocol === 'restXml') return new AwsServiceError('InvalidAccessKeyId', `The AWS Access Key Id you provided does not exist in our records. (${accessKeyId})`, 403, { fields: { AWSAccessKeyId: accessKeyId } });
  return new AwsServiceError('UnrecognizedClientException', 'The security token included in the request is invalid.', 403);
}

/** Body larger than the protocol accepts. */
export function requestTooLarge(protocol: WireProtocol, limit: number): AwsServiceError {
  if (protocol === 'restXml') return new AwsServiceError('EntityTooLarge', `Your proposed upload exceeds the maximum allowed size (${limit} bytes).`, 400, { fields: { MaxSizeAllowed: String(limit) } });
  if (protocol === 'restJson1') return new AwsServiceError('RequestTooLargeException', `Request must be smaller than ${limit} bytes.`, 413);
  return new AwsServiceError('RequestEntityTooLargeException', `Request must be smaller than ${limit} bytes.`, 413);
}

/** A checksum (header or aws-chunked trailer) that does not match the bytes received. S3 `BadDigest`. */
export function badDigest(what: string): AwsServiceError {
  return new AwsServiceError('BadDigest', `The ${what} you specified did not match the calculated checksum.`, 400);
}

export function invalidDigest(what: string): AwsServiceError {
  return new AwsServiceError('InvalidDigest', `The ${what} you specified was invalid.`, 400);
}

/** aws-chunked framing cut short or malformed. */
export function incompleteBody(detail: string): AwsServiceError {
  return new AwsServiceError('IncompleteBody', `You did not provide the number of bytes specified by the Content-Length HTTP header. (${detail})`, 400);
}

export function invalidRequest(message: string): AwsServiceError {
  return new AwsServiceError('InvalidRequest', message, 400);
}

/** x-amz-content-sha256 carries a hash that is not the body's. */
export function contentSha256Mismatch(): AwsServiceError {
  return new AwsServiceError('XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.", 400);
}

/** The operation is not emulated. */
export function notImplemented(what: string, protocol: WireProtocol): AwsServiceError {
  if (protocol === 'restXml') return new AwsServiceError('NotImplemented', `A header or query you provided implies functionality that is not implemented: ${what}`, 501);
  return new AwsServiceError('UnknownOperationException', `${what} is not implemented by this endpoint.`, 400);
}

/** Default HTTP status for a fault-injected error code that names none. */
export function defaultStatusFor(code: string): number {
  if (/^(InternalError|InternalFailure|ServiceException|InternalServerError)$/.test(code)) return 500;
  if (/^(ServiceUnavailable|SlowDown|ServiceUnavailableException)$/.test(code)) return 503;
  if (/^TooManyRequestsException$/.test(code)) return 429;
  if (/NotFound|NoSuch|DoesNotExist/.test(code)) return 404;
  return 400;
}
