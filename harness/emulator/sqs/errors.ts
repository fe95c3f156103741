/**
 * SQS error codes, one factory per AWS code. SQS is `awsQueryCompatible`: over
 * awsJson 1.0 `__type` is the error shape (`com.amazonaws.sqs#QueueDoesNotExist`)
 * and `x-amzn-query-error` carries the query protocol's code
 * (`AWS.SimpleQueueService.NonExistentQueue;Sender`), which SDKs raise; over
 * the query protocol `<Code>` is that code. `queryCode` holds it where the two
 * differ, and the protocol layer picks per protocol.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-json-api-responses.html
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/CommonErrors.html
 */
import { AwsServiceError } from '../../core/index.ts';

function sqsError(code: string, message: string, statusCode: number, queryCode = code): AwsServiceError {
  return new AwsServiceError(code, message, statusCode, { queryCode });
}

// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_GetQueueUrl.html#API_GetQueueUrl_Errors
export function QueueDoesNotExist(): AwsServiceError {
  return sqsError('QueueDoesNotExist', 'The specified queue does not exist.', 400, 'AWS.SimpleQueueService.NonExistentQueue');
}

// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html#API_CreateQueue_Errors
export function QueueNameExists(attribute: string): AwsServiceError {
  return sqsError('QueueNameExists', `A queue already exists with the same name and a different value for attribute ${attribute}`, 400, 'QueueAlreadyExists');
}

// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html#API_CreateQueue_Errors
export function InvalidAttributeName(message: string): AwsServiceError {
  return sqsError('InvalidAttributeName', message, 400);
}

// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_CreateQueue.html#API_CreateQueue_Errors
export function InvalidAttributeValue(message: string): AwsServiceError {
  return sqsError('InvalidAttributeValue', message, 400);
}

// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/CommonErrors.html
export function InvalidParameterValue(message: string): AwsServiceError {
  return sqsError('InvalidParameterValue', message, 400);
}

/** `Value X for parameter Name is invalid. Reason: …` — SQS's wording for a bad parameter value. */
export function invalidParameter(name: string, value: unknown, reason: string): AwsServiceError {
  return InvalidParameterValue(`Value ${typeof value === 'string' ? value : JSON.stringify(value)} for parameter ${name} is invalid. Reason: ${reason}`);
}

// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/CommonErrors.html
export function MissingParameter(name: string): AwsServiceError {
  return sqsError('MissingParameter', `The request must contain the parameter ${name}.`, 400);
}

// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html#API_SendMessage_Errors
export function InvalidMessageContents(message: string): AwsServiceError {
  return sqsError('InvalidMessageContents', message, 400);
}

// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_DeleteMessage.html#API_DeleteMessage_Errors
export function ReceiptHandleIsInvalid(handle: string): AwsServiceError {
  return sqsError('ReceiptHandleIsInvalid', `The input receipt handle "${handle}" is not a valid receipt handle.`, 404);
}

// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ChangeMessageVisibility.html#API_ChangeMessageVisibility_Errors
export function MessageNotInflight(): AwsServiceError {
  return sqsError('MessageNotInflight', 'The message referred to is not in flight.', 400, 'AWS.SimpleQueueService.MessageNotInflight');
}

// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ReceiveMessage.html#API_ReceiveMessage_Errors
export function OverLimit(message: string): AwsServiceError {
  return sqsError('OverLimit', message, 403);
}

// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_PurgeQueue.html#API_PurgeQueue_Errors
export function PurgeQueueInProgress(queueName: string): AwsServiceError {
  return sqsError('PurgeQueueInProgress', `Only one PurgeQueue operation on ${queueName} is allowed every 60 seconds.`, 403, 'AWS.SimpleQueueService.PurgeQueueInProgress');
}

// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html#API_SendMessageBatch_Errors
export function EmptyBatchRequest(entryName: string): AwsServiceError {
  return sqsError('EmptyBatchRequest', `There should be at least one ${entryName} in the request.`, 400, 'AWS.SimpleQueueService.EmptyBatchRequest');
}

export function TooManyEntriesInBatchRequest(count: number): AwsServiceError {
  return sqsError('TooManyEntriesInBatchRequest', `Maximum number of entries per request are 10. You have sent ${count}.`, 400, 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest');
}

export function BatchEntryIdsNotDistinct(id: string): AwsServiceError {
  return sqsError('BatchEntryIdsNotDistinct', `Id ${id} repeated.`, 400, 'AWS.SimpleQueueService.BatchEntryIdsNotDistinct');
}

export function InvalidBatchEntryId(): AwsServiceError {
  return sqsError(
    'InvalidBatchEntryId',
    'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
    400,
    'AWS.SimpleQueueService.InvalidBatchEntryId',
  );
}

export function BatchRequestTooLong(limit: number, sent: number): AwsServiceError {
  return sqsError('BatchRequestTooLong', `Batch requests cannot be longer than ${limit} bytes. You have sent ${sent} bytes.`, 400, 'AWS.SimpleQueueService.BatchRequestTooLong');
}

// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ListMessageMoveTasks.html#API_ListMessageMoveTasks_Errors
export function UnsupportedOperation(message: string): AwsServiceError {
  return sqsError('UnsupportedOperation', message, 400, 'AWS.SimpleQueueService.UnsupportedOperation');
}

// https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ListMessageMoveTasks.html#API_ListMessageMoveTasks_Errors
export function ResourceNotFoundException(message: string): AwsServiceError {
  return sqsError('ResourceNotFoundException', message, 404);
}
