/**
 * SNS error codes (awsQuery `<Error><Code>`), one factory per AWS code. The
 * SDK maps each code to its exception class (NotFound → NotFoundException,
 * InvalidParameter → InvalidParameterException, ParameterValueInvalid →
 * InvalidParameterValueException, …).
 */
import { AwsServiceError } from '../../core/index.ts';

// https://docs.aws.amazon.com/sns/latest/api/API_Publish.html#API_Publish_Errors
export function NotFound(message: string): AwsServiceError {
  return new AwsServiceError('NotFound', message, 404);
}

// https://docs.aws.amazon.com/sns/latest/api/API_Publish.html#API_Publish_Errors
export function InvalidParameter(message: string): AwsServiceError {
  return new AwsServiceError('InvalidParameter', message, 400);
}

// https://docs.aws.amazon.com/sns/latest/api/API_Publish.html#API_Publish_Errors (InvalidParameterValue)
export function ParameterValueInvalid(message: string): AwsServiceError {
  return new AwsServiceError('ParameterValueInvalid', message, 400);
}

// https://docs.aws.amazon.com/sns/latest/api/API_PublishBatch.html#API_PublishBatch_Errors
export function EmptyBatchRequest(message = 'The batch request doesn\'t contain any entries.'): AwsServiceError {
  return new AwsServiceError('EmptyBatchRequest', message, 400);
}

// https://docs.aws.amazon.com/sns/latest/api/API_PublishBatch.html#API_PublishBatch_Errors
export function TooManyEntriesInBatchRequest(message = 'The batch request contains more entries than permissible (10).'): AwsServiceError {
  return new AwsServiceError('TooManyEntriesInBatchRequest', message, 400);
}

// https://docs.aws.amazon.com/sns/latest/api/API_PublishBatch.html#API_PublishBatch_Errors
export function BatchEntryIdsNotDistinct(message = 'Two or more batch entries in the request have the same Id.'): AwsServiceError {
  return new AwsServiceError('BatchEntryIdsNotDistinct', message, 400);
}

// https://docs.aws.amazon.com/sns/latest/api/API_PublishBatch.html#API_PublishBatch_Errors
export function InvalidBatchEntryId(message: string): AwsServiceError {
  return new AwsServiceError('InvalidBatchEntryId', message, 400);
}

// https://docs.aws.amazon.com/sns/latest/api/CommonErrors.html
export function ValidationError(message: string): AwsServiceError {
  return new AwsServiceError('ValidationError', message, 400);
}
