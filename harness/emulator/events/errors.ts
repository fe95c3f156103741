/**
 * EventBridge error codes (DESIGN.md style 3): one factory per AWS code, in
 * EventBridge's wording. awsJson 1.1: `__type` is the bare code.
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/CommonErrors.html
 */
import { AwsServiceError } from '../../core/index.ts';

// https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_DescribeRule.html#API_DescribeRule_Errors
export function ResourceNotFoundException(message: string): AwsServiceError {
  return new AwsServiceError('ResourceNotFoundException', message, 400);
}

export function ruleNotFound(rule: string, bus: string): AwsServiceError {
  return ResourceNotFoundException(`Rule ${rule} does not exist on EventBus ${bus}.`);
}

export function busNotFound(bus: string): AwsServiceError {
  return ResourceNotFoundException(`Event bus ${bus} does not exist.`);
}

// https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateEventBus.html#API_CreateEventBus_Errors
export function ResourceAlreadyExistsException(message: string): AwsServiceError {
  return new AwsServiceError('ResourceAlreadyExistsException', message, 400);
}

// https://docs.aws.amazon.com/eventbridge/latest/APIReference/CommonErrors.html
export function ValidationException(message: string): AwsServiceError {
  return new AwsServiceError('ValidationException', message, 400);
}

/** The request-level constraint failure AWS's frontend reports: `1 validation error detected: Value 'x' at 'name' failed to satisfy constraint: …`. */
export function constraintViolation(member: string, value: unknown, constraint: string): AwsServiceError {
  const shown = typeof value === 'string' ? value : JSON.stringify(value);
  return ValidationException(`1 validation error detected: Value '${shown}' at '${member}' failed to satisfy constraint: ${constraint}`);
}

// https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html#API_PutRule_Errors
export function InvalidEventPatternException(reason: string): AwsServiceError {
  return new AwsServiceError('InvalidEventPatternException', `Event pattern is not valid. Reason: ${reason}`, 400);
}

// https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutTargets.html#API_PutTargets_Errors
export function LimitExceededException(message: string): AwsServiceError {
  return new AwsServiceError('LimitExceededException', message, 400);
}

// https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_DeleteRule.html#API_DeleteRule_Errors
export function ManagedRuleException(message: string): AwsServiceError {
  return new AwsServiceError('ManagedRuleException', message, 400);
}

// https://docs.aws.amazon.com/eventbridge/latest/APIReference/CommonErrors.html
// https://docs.aws.amazon.com/eventbridge/latest/APIReference/CommonErrors.html
export function InternalException(message: string): AwsServiceError {
  return new AwsServiceError('InternalException', message, 500);
}
