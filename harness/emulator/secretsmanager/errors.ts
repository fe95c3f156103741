/**
 * Secrets Manager's error codes (DESIGN.md style 3): one factory per AWS code.
 * Messages follow AWS's wording and never include a secret value.
 */
import { AwsServiceError } from '../../core/index.ts';

// https://docs.aws.amazon.com/secretsmanager/latest/apireference/CommonErrors.html
export function ResourceNotFoundException(message = "Secrets Manager can't find the specified secret."): AwsServiceError {
  return new AwsServiceError('ResourceNotFoundException', message, 400);
}

// https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html#API_GetSecretValue_Errors
export function InvalidParameterException(message: string): AwsServiceError {
  return new AwsServiceError('InvalidParameterException', message, 400);
}

// https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html#API_GetSecretValue_Errors
export function InvalidRequestException(message: string): AwsServiceError {
  return new AwsServiceError('InvalidRequestException', message, 400);
}

// https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html#API_CreateSecret_Errors
export function ResourceExistsException(message: string): AwsServiceError {
  return new AwsServiceError('ResourceExistsException', message, 400);
}

// https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_ListSecrets.html#API_ListSecrets_Errors
export function InvalidNextTokenException(message = 'The NextToken value is invalid.'): AwsServiceError {
  return new AwsServiceError('InvalidNextTokenException', message, 400);
}

// https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html#API_CreateSecret_Errors
export function LimitExceededException(message: string): AwsServiceError {
  return new AwsServiceError('LimitExceededException', message, 400);
}

// https://docs.aws.amazon.com/secretsmanager/latest/apireference/CommonErrors.html (AccessDeniedException):
// what RotateSecret answers when it cannot invoke the rotation function.
export function AccessDeniedException(message: string): AwsServiceError {
  return new AwsServiceError('AccessDeniedException', message, 400);
}

// https://docs.aws.amazon.com/secretsmanager/latest/apireference/CommonErrors.html (ValidationError):
// constraint violations (missing required member, length) in AWS's Coral wording.
export function ValidationException(message: string): AwsServiceError {
  return new AwsServiceError('ValidationException', message, 400);
}

// https://docs.aws.amazon.com/secretsmanager/latest/apireference/CommonErrors.html: a member of the wrong JSON type.
export function SerializationException(message: string): AwsServiceError {
  return new AwsServiceError('SerializationException', message, 400);
}

// https://docs.aws.amazon.com/secretsmanager/latest/apireference/CommonErrors.html
export function InternalServiceError(message: string): AwsServiceError {
  return new AwsServiceError('InternalServiceError', message, 500);
}

/** The message AWS gives for any operation on a secret scheduled for deletion. */
export function markedForDeletion(): AwsServiceError {
  return InvalidRequestException("You can't perform this operation on the secret because it was marked for deletion.");
}
