/**
 * EventBridge Scheduler error codes (DESIGN.md style 3), restJson1: the
 * protocol layer sends the code as `x-amzn-errortype`.
 * https://docs.aws.amazon.com/scheduler/latest/APIReference/CommonErrors.html
 */
import { AwsServiceError } from '../../core/index.ts';

export const ValidationException = (message: string) => new AwsServiceError('ValidationException', message, 400);
export const ResourceNotFoundException = (message: string) => new AwsServiceError('ResourceNotFoundException', message, 404);
export const ConflictException = (message: string) => new AwsServiceError('ConflictException', message, 409);
