/**
 * Task `Resource` ARNs. Step Functions distinguishes a Lambda function ARN
 * (LambdaFunction* history events), `arn:aws:states:::lambda:invoke` and the
 * other optimised integrations, and `arn:aws:states:::aws-sdk:*` (Task* events).
 * https://docs.aws.amazon.com/step-functions/latest/dg/integrate-services.html
 */
import { AwsServiceError } from '../../core/index.ts';
import type { IntegrationPattern } from '../api.ts';

export type TaskResource =
  | { kind: 'lambda-direct'; arn: string }
  | {
      kind: 'integration';
      /** `lambda` for lambda:invoke; otherwise the service as written in the ARN. */
      service: string;
      action: string;
      sdk: boolean;
      pattern: IntegrationPattern;
      /** History `resourceType`, e.g. `lambda`, `aws-sdk:s3`. */
      resourceType: string;
      /** History `resource`, e.g. `invoke`, `startExecution.sync:2`. */
      resourceName: string;
    };

const LAMBDA_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_<>-]+(:[A-Za-z0-9$_-]+)?$/;
const INTEGRATION = /^arn:aws[a-z-]*:states:[a-z0-9-]*:(\d{12})?:(aws-sdk:)?([a-z0-9-]+):([A-Za-z0-9]+)(\.sync:2|\.sync|\.waitForTaskToken)?$/;

/**
 * The optimised integrations AWS offers (`arn:aws:states:::<service>:<action>`):
 * CreateStateMachine accepts each of them, whether or not the task invoker
 * can run it (what a backend can run is harness/backends/integrations.ts).
 * https://docs.aws.amazon.com/step-functions/latest/dg/integrate-optimized.html
 */
export const AWS_OPTIMIZED_SERVICES: ReadonlySet<string> = new Set([
  'apigateway', 'athena', 'batch', 'bedrock', 'codebuild', 'dynamodb', 'ecs', 'eks', 'elasticmapreduce', 'emr-containers', 'emr-serverless',
  'events', 'glue', 'databrew', 'lambda', 'mediaconvert', 'sagemaker', 'sns', 'sqs', 'states', 'http',
]);

/**
 * `mocked`: the task will not be invoked (TestState with a mock), so any
 * integration and any resource ARN is accepted, as AWS accepts them there.
 */
export function parseResource(resource: string, location: string, mocked = false): TaskResource {
  if (LAMBDA_ARN.test(resource)) return { kind: 'lambda-direct', arn: resource };
  const m = INTEGRATION.exec(resource);
  if (!m && mocked) {
    return { kind: 'integration', service: '', action: '', sdk: false, pattern: /\.waitForTaskToken$/.test(resource) ? 'waitForTaskToken' : 'requestResponse', resourceType: '', resourceName: resource };
  }
  if (!m) {
    const what = /:activity:/.test(resource) ? 'activities are not supported by this engine' : 'is not a Lambda function ARN or a supported arn:aws:states::: integration';
    throw new AwsServiceError('InvalidDefinition', `Invalid State Machine Definition: '${location}': ${JSON.stringify(resource)} ${what}`);
  }
  const sdk = m[2] !== undefined;
  const service = m[3]!;
  const action = m[4]!;
  const suffix = m[5] ?? '';
  const pattern: IntegrationPattern = suffix === '.sync' ? 'sync' : suffix === '.sync:2' ? 'sync:2' : suffix === '.waitForTaskToken' ? 'waitForTaskToken' : 'requestResponse';
  if (!sdk && !AWS_OPTIMIZED_SERVICES.has(service) && !mocked) {
    throw new AwsServiceError('InvalidDefinition', `Invalid State Machine Definition: '${location}': '${service}' is not an optimised integration (use arn:aws:states:::aws-sdk:${service}:${action})`);
  }
  if (!sdk && service === 'lambda' && action !== 'invoke' && !mocked) {
    throw new AwsServiceError('InvalidDefinition', `Invalid State Machine Definition: '${location}': unsupported Lambda action '${action}'`);
  }
  return {
    kind: 'integration',
    service,
    action,
    sdk,
    pattern,
    resourceType: sdk ? `aws-sdk:${service}` : service,
    resourceName: `${action}${suffix}`,
  };
}
