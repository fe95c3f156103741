/**
 * Service errors (AwsServiceError thrown by the TaskInvoker) as Step Functions
 * names them: `ServiceName.ErrorName`, both PascalCase, with the `Exception`
 * suffix added when the service's own code lacks it (`S3.NoSuchKeyException`).
 * Lambda keeps AWS's Java-SDK style cause text.
 * https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html
 * https://docs.aws.amazon.com/step-functions/latest/dg/connect-lambda.html
 */
import type { IdSource } from '../../core/index.ts';
import { AwsServiceError } from '../../core/index.ts';
import { StatesError } from '../errors.ts';
import { EngineError } from '../frame.ts';

const SDK_NAMES: Record<string, string> = {
  s3: 'S3',
  sns: 'Sns',
  sqs: 'Sqs',
  secretsmanager: 'SecretsManager',
  lambda: 'Lambda',
  sfn: 'Sfn',
  dynamodb: 'DynamoDb',
  eventbridge: 'EventBridge',
  ssm: 'Ssm',
};

/** Optimised integrations use the service's display prefix. */
const OPTIMIZED_NAMES: Record<string, string> = {
  s3: 'S3',
  sns: 'SNS',
  sqs: 'SQS',
  secretsmanager: 'SecretsManager',
  events: 'EventBridge',
  states: 'StepFunctions',
  dynamodb: 'DynamoDB',
  lambda: 'Lambda',
};

function pascal(service: string): string {
  return service.replace(/(^|[-_])([a-z])/g, (_m, _s, c: string) => c.toUpperCase());
}

export function sdkErrorName(service: string, code: string, sdk: boolean): string {
  if (!sdk) return `${OPTIMIZED_NAMES[service] ?? pascal(service)}.${code}`;
  const suffixed = code.endsWith('Exception') ? code : `${code}Exception`;
  return `${SDK_NAMES[service] ?? pascal(service)}.${suffixed}`;
}

/** Turns whatever the invoker threw into the task's StatesError. */
export function taskErrorFrom(e: unknown, service: string, sdk: boolean, ids: IdSource): StatesError {
  if (e instanceof StatesError) return e;
  if (e instanceof AwsServiceError) {
    if (service === 'lambda') {
      return new EngineError(
        `Lambda.${e.code}`,
        `${e.message} (Service: AWSLambda; Status Code: ${e.statusCode}; Error Code: ${e.code}; Request ID: ${ids.uuid()}; Proxy: null)`,
      );
    }
    const display = sdk ? (SDK_NAMES[service] ?? pascal(service)) : (OPTIMIZED_NAMES[service] ?? pascal(service));
    return new EngineError(sdkErrorName(service, e.code, sdk), `${e.message} (Service: ${display}, Status Code: ${e.statusCode}, Request ID: ${ids.uuid()})`);
  }
  const message = e instanceof Error ? e.message : String(e);
  return new EngineError('States.TaskFailed', message);
}
