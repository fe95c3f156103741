/**
 * DynamoDB's error codes (DESIGN.md style 3), one factory per AWS code, and
 * the conversion of dynalite's errors (which carry DynamoDB's own `__type`
 * and message) into AwsServiceErrors.
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/CommonErrors.html
 */
import { AwsServiceError } from '../../core/index.ts';
import type { DynaliteError } from './dynalite.ts';

// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/CommonErrors.html
export function ValidationException(message: string): AwsServiceError {
  return new AwsServiceError('ValidationException', message, 400);
}

// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/CommonErrors.html
export function SerializationException(message: string): AwsServiceError {
  return new AwsServiceError('SerializationException', message, 400);
}

// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_DescribeTable.html#API_DescribeTable_Errors
export function ResourceNotFoundException(message = 'Requested resource not found'): AwsServiceError {
  return new AwsServiceError('ResourceNotFoundException', message, 400);
}

// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html#API_CreateTable_Errors
export function ResourceInUseException(message: string): AwsServiceError {
  return new AwsServiceError('ResourceInUseException', message, 400);
}

// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_PutItem.html#API_PutItem_Errors
// With ReturnValuesOnConditionCheckFailure ALL_OLD the error carries the item as it was.
export function ConditionalCheckFailedException(item?: Record<string, unknown>): AwsServiceError {
  return new AwsServiceError('ConditionalCheckFailedException', 'The conditional request failed', 400, item ? { members: { Item: item } } : {});
}

/** One entry of `CancellationReasons`: `None` for an action that would have succeeded. */
export interface CancellationReason {
  Code: string;
  Message?: string;
  Item?: Record<string, unknown>;
}

// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html#API_TransactWriteItems_Errors
export function TransactionCanceledException(reasons: CancellationReason[]): AwsServiceError {
  const message = `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`;
  return new AwsServiceError('TransactionCanceledException', message, 400, { members: { CancellationReasons: reasons } });
}

// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html#API_TransactWriteItems_Errors
export function IdempotentParameterMismatchException(): AwsServiceError {
  return new AwsServiceError(
    'IdempotentParameterMismatchException',
    'One or more parameter values were invalid: The request with the same client token was already made with different parameters',
    400,
  );
}

// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_CreateTable.html#API_CreateTable_Errors
export function LimitExceededException(message: string): AwsServiceError {
  return new AwsServiceError('LimitExceededException', message, 400);
}

// https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/CommonErrors.html
export function InternalServerError(message: string): AwsServiceError {
  return new AwsServiceError('InternalServerError', message, 500);
}

/** Whether `e` is an error dynalite raised on purpose (it has DynamoDB's `__type`). */
export function isDynaliteError(e: unknown): e is DynaliteError & { body: NonNullable<DynaliteError['body']> } {
  return e instanceof Error && typeof (e as DynaliteError).statusCode === 'number' && typeof (e as DynaliteError).body?.__type === 'string';
}

/**
 * dynalite's `{__type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException', message}`
 * → the AwsServiceError of that code; anything else is passed on (the
 * protocol layer reports it as an internal error).
 */
export function fromDynalite(e: unknown): unknown {
  if (e instanceof AwsServiceError || !isDynaliteError(e)) return e;
  const type = e.body.__type;
  const code = type.slice(type.lastIndexOf('#') + 1);
  return new AwsServiceError(code, e.body.message ?? e.body.Message ?? '', e.statusCode ?? 400);
}
