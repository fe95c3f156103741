/**
 * Step Functions API errors, one factory per AWS error code.
 * https://docs.aws.amazon.com/step-functions/latest/apireference/CommonErrors.html and each
 * operation's "Errors" section in the API reference.
 */
import { AwsServiceError } from '../../core/index.ts';

const e = (code: string, message: string, status = 400) => new AwsServiceError(code, message, status);

// https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeStateMachine.html#API_DescribeStateMachine_Errors
export const StateMachineDoesNotExist = (arn: string) => e('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateStateMachine.html#API_CreateStateMachine_Errors
export const StateMachineAlreadyExists = (arn: string) => e('StateMachineAlreadyExists', `State Machine Already Exists: '${arn}'`);
/** `message` is the whole text, `Invalid State Machine Definition: '…'` (see formatInvalidDefinition). */
export const InvalidDefinition = (message: string) => e('InvalidDefinition', message);
export const InvalidName = (name: string) => e('InvalidName', `Invalid Name: '${name}'`);
export const InvalidArn = (arn: string) => e('InvalidArn', `Invalid Arn: '${arn}'`);
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html#API_StartExecution_Errors
export const ExecutionDoesNotExist = (arn: string) => e('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
export const ExecutionAlreadyExists = (arn: string) => e('ExecutionAlreadyExists', `Execution Already Exists: '${arn}'`);
export const InvalidExecutionInput = (message: string) => e('InvalidExecutionInput', message);
export const StateMachineTypeNotSupported = (message: string) => e('StateMachineTypeNotSupported', message);
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_GetExecutionHistory.html#API_GetExecutionHistory_Errors
export const InvalidToken = (message: string) => e('InvalidToken', message);
// https://docs.aws.amazon.com/step-functions/latest/apireference/CommonErrors.html
export const ValidationException = (message: string) => e('ValidationException', message);
// https://docs.aws.amazon.com/step-functions/latest/apireference/API_TagResource.html#API_TagResource_Errors
export const ResourceNotFound = (arn: string) => e('ResourceNotFound', `Resource not found: '${arn}'`);
export const TooManyTags = (arn: string) => e('TooManyTags', `Too many tags on '${arn}' (at most 50)`);
