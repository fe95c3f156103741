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

/**
 * Optimised integrations run on the AWS SDK for Java v1 inside Step Functions:
 * the error name is `<Prefix>.<the SDK's exception class>` — a modelled error
 * code's own class (`SNS.InvalidParameterException` for the code
 * `InvalidParameter`), or the service's base class for the rest
 * (`DynamoDB.AmazonDynamoDBException` for a ValidationException) — and the
 * cause is the Java SDK's message text. Recorded against AWS in the services
 * conformance corpus; https://docs.aws.amazon.com/step-functions/latest/dg/connect-ddb.html.
 */
interface JavaV1Service {
  /** `Service:` in the cause. */
  serviceName: string;
  /** The class of every error code the SDK does not model. */
  baseException: string;
  /** Error code → exception class, for the codes the SDK models. */
  modelled: Record<string, string>;
}

function classes(codes: string[], renamed: Record<string, string> = {}): Record<string, string> {
  return Object.fromEntries([...codes.map((c) => [c, c.endsWith('Exception') ? c : `${c}Exception`]), ...Object.entries(renamed)]);
}

const JAVA_V1: Record<string, JavaV1Service> = {
  // com.amazonaws.services.dynamodbv2.model: the data-plane and table errors the SDK has classes for.
  dynamodb: {
    serviceName: 'AmazonDynamoDBv2',
    baseException: 'AmazonDynamoDBException',
    modelled: classes(
      [
        'ConditionalCheckFailedException',
        'ProvisionedThroughputExceededException',
        'ResourceNotFoundException',
        'ResourceInUseException',
        'ItemCollectionSizeLimitExceededException',
        'LimitExceededException',
        'TransactionCanceledException',
        'TransactionConflictException',
        'TransactionInProgressException',
        'IdempotentParameterMismatchException',
        'DuplicateItemException',
      ],
      { InternalServerError: 'InternalServerErrorException', RequestLimitExceeded: 'RequestLimitExceededException' },
    ),
  },
  // com.amazonaws.services.sns.model
  sns: {
    serviceName: 'AmazonSNS',
    baseException: 'AmazonSNSException',
    modelled: classes(
      ['InvalidParameter', 'NotFound', 'AuthorizationError', 'InternalError', 'Throttled', 'EndpointDisabled', 'FilterPolicyLimitExceeded', 'SubscriptionLimitExceeded', 'TopicLimitExceeded', 'KMSDisabled', 'KMSInvalidState', 'KMSNotFound', 'KMSOptInRequired', 'KMSThrottling', 'KMSAccessDenied', 'InvalidSecurity', 'PlatformApplicationDisabled', 'StaleTag', 'TagLimitExceeded', 'TagPolicy', 'ConcurrentAccess', 'BatchEntryIdsNotDistinct', 'BatchRequestTooLong', 'EmptyBatchRequest', 'InvalidBatchEntryId', 'TooManyEntriesInBatchRequest'],
      { ParameterValueInvalid: 'InvalidParameterValueException' },
    ),
  },
};

/**
 * `aws-sdk:<service>:*` runs on the AWS SDK for Java v2: the error name is
 * `<Prefix>.<the SDK's exception class>` — a modelled error's own class, or
 * the service's base class for the codes the SDK does not model
 * (`DynamoDb.DynamoDbException` for a ValidationException or an
 * AccessDeniedException, as Step Functions reports it). Services not listed
 * keep `<Prefix>.<Code>Exception`.
 * https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html
 */
interface JavaV2Service {
  baseException: string;
  /** The error codes the SDK models (its exception class is the code, `Exception` appended when missing). */
  modelled: ReadonlySet<string>;
}

const JAVA_V2: Record<string, JavaV2Service> = {
  // software.amazon.awssdk.services.dynamodb.model: the exceptions of DynamoDB's Smithy model (the same
  // model @aws-sdk/client-dynamodb is generated from; InternalServerError → InternalServerErrorException).
  dynamodb: {
    baseException: 'DynamoDbException',
    modelled: new Set([
      'BackupInUseException', 'BackupNotFoundException', 'ConditionalCheckFailedException', 'ContinuousBackupsUnavailableException', 'DuplicateItemException',
      'ExportConflictException', 'ExportNotFoundException', 'GlobalTableAlreadyExistsException', 'GlobalTableNotFoundException', 'IdempotentParameterMismatchException',
      'ImportConflictException', 'ImportNotFoundException', 'IndexNotFoundException', 'InternalServerError', 'InvalidEndpointException', 'InvalidExportTimeException',
      'InvalidRestoreTimeException', 'ItemCollectionSizeLimitExceededException', 'LimitExceededException', 'PointInTimeRecoveryUnavailableException',
      'PolicyNotFoundException', 'ProvisionedThroughputExceededException', 'ReplicaAlreadyExistsException', 'ReplicaNotFoundException',
      'ReplicatedWriteConflictException', 'RequestLimitExceeded', 'ResourceInUseException', 'ResourceNotFoundException', 'TableAlreadyExistsException',
      'TableInUseException', 'TableNotFoundException', 'ThrottlingException', 'TransactionCanceledException', 'TransactionConflictException',
      'TransactionInProgressException',
    ]),
  },
};

function pascal(service: string): string {
  return service.replace(/(^|[-_])([a-z])/g, (_m, _s, c: string) => c.toUpperCase());
}

export function sdkErrorName(service: string, code: string, sdk: boolean): string {
  if (!sdk) {
    const java = JAVA_V1[service];
    return `${OPTIMIZED_NAMES[service] ?? pascal(service)}.${java ? (java.modelled[code] ?? java.baseException) : code}`;
  }
  const v2 = JAVA_V2[service];
  const suffixed = code.endsWith('Exception') ? code : `${code}Exception`;
  return `${SDK_NAMES[service] ?? pascal(service)}.${v2 && !v2.modelled.has(code) ? v2.baseException : suffixed}`;
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
    const java = sdk ? undefined : JAVA_V1[service];
    if (java) {
      return new EngineError(
        sdkErrorName(service, e.code, sdk),
        `${e.message} (Service: ${java.serviceName}; Status Code: ${e.statusCode}; Error Code: ${e.code}; Request ID: ${ids.uuid()}; Proxy: null)`,
      );
    }
    const display = sdk ? (SDK_NAMES[service] ?? pascal(service)) : (OPTIMIZED_NAMES[service] ?? pascal(service));
    // The Java SDK v2 names S3's second request id (x-amz-id-2) too.
    const extended = sdk && service === 's3' ? `, Extended Request ID: ${Buffer.from(ids.hex(48), 'hex').toString('base64')}` : '';
    return new EngineError(sdkErrorName(service, e.code, sdk), `${e.message} (Service: ${display}, Status Code: ${e.statusCode}, Request ID: ${ids.uuid()}${extended})`);
  }
  const message = e instanceof Error ? e.message : String(e);
  return new EngineError('States.TaskFailed', message);
}
