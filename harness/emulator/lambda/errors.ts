/**
 * Lambda's service errors, one factory per AWS code. restJson1 carries them as
 * the `x-amzn-errortype` header plus `{"Type": "User"|"Service", "message": …}`
 * (the protocol layer serialises `fields` next to `message`).
 * Codes and statuses: https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html#API_Invoke_Errors
 */
import { AwsServiceError } from '../../core/index.ts';

/** HTTP status of every Lambda service exception (used for `Lambda.<Code>` faults too). */
export const LAMBDA_ERROR_STATUS: Record<string, number> = {
  CodeStorageExceededException: 400,
  EC2AccessDeniedException: 502,
  EC2ThrottledException: 502,
  EC2UnexpectedException: 502,
  EFSIOException: 410,
  EFSMountConnectivityException: 408,
  EFSMountFailureException: 403,
  EFSMountTimeoutException: 408,
  ENILimitReachedException: 502,
  InvalidParameterValueException: 400,
  InvalidRequestContentException: 400,
  InvalidRuntimeException: 502,
  InvalidSecurityGroupIDException: 502,
  InvalidSubnetIDException: 502,
  InvalidZipFileException: 502,
  KMSAccessDeniedException: 502,
  KMSDisabledException: 502,
  KMSInvalidStateException: 502,
  KMSNotFoundException: 502,
  PreconditionFailedException: 412,
  RecursiveInvocationException: 400,
  RequestTooLargeException: 413,
  ResourceConflictException: 409,
  ResourceNotFoundException: 404,
  ResourceNotReadyException: 502,
  ServiceException: 500,
  SnapStartException: 400,
  SnapStartNotReadyException: 409,
  SnapStartTimeoutException: 408,
  SubnetIPAddressLimitReachedException: 502,
  TooManyRequestsException: 429,
  UnsupportedMediaTypeException: 415,
  ValidationException: 400,
};

function lambdaError(code: string, message: string, status: number, fields: Record<string, string> = {}, headers: Record<string, string> = {}): AwsServiceError {
  return new AwsServiceError(code, message, status, { fields: { Type: status >= 500 ? 'Service' : 'User', ...fields }, headers });
}

/** https://docs.aws.amazon.com/lambda/latest/api/API_GetFunction.html#API_GetFunction_Errors */
export function resourceNotFound(message: string): AwsServiceError {
  return lambdaError('ResourceNotFoundException', message, 404);
}

export function functionNotFound(arn: string): AwsServiceError {
  return resourceNotFound(`Function not found: ${arn}`);
}

/** https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html#API_CreateFunction_Errors */
export function resourceConflict(message: string): AwsServiceError {
  return lambdaError('ResourceConflictException', message, 409);
}

export function invalidParameterValue(message: string): AwsServiceError {
  return lambdaError('InvalidParameterValueException', message, 400);
}

/** Constraint violations are reported the Coral way: "1 validation error detected: Value … at '…' failed to satisfy constraint: …". */
export function validationError(problems: string[]): AwsServiceError {
  const n = problems.length;
  return lambdaError('ValidationException', `${n} validation error${n === 1 ? '' : 's'} detected: ${problems.join('; ')}`, 400);
}

/** https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html#API_Invoke_Errors */
export function invalidRequestContent(message: string): AwsServiceError {
  return lambdaError('InvalidRequestContentException', message, 400);
}

export function requestTooLarge(limit: number): AwsServiceError {
  return lambdaError('RequestTooLargeException', `Request must be smaller than ${limit} bytes for the InvokeFunction operation`, 413);
}

/**
 * Throttling: https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html —
 * the SDK exposes `Reason` and `retryAfterSeconds` (from the Retry-After header).
 */
export function tooManyRequests(reason: string, message = 'Rate Exceeded.'): AwsServiceError {
  return lambdaError('TooManyRequestsException', message, 429, { Reason: reason }, { 'Retry-After': '1' });
}

export function preconditionFailed(): AwsServiceError {
  return lambdaError(
    'PreconditionFailedException',
    'The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id',
    412,
  );
}

export function serviceException(message: string): AwsServiceError {
  return lambdaError('ServiceException', message, 500);
}

/** An injected `Lambda.<Code>` fault: the service error Invoke would have returned. */
export function injectedServiceError(code: string, message: string | undefined): AwsServiceError {
  const status = LAMBDA_ERROR_STATUS[code] ?? 500;
  if (code === 'TooManyRequestsException') return tooManyRequests('ReservedFunctionConcurrentInvocationLimitExceeded', message ?? 'Rate Exceeded.');
  return lambdaError(code, message ?? `Injected fault: ${code}`, status);
}
