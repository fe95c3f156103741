/**
 * Resource types rehearse has no module for: which of them have no effect on a
 * local run (IAM — the endpoint grants every permission —, log groups, CDK
 * metadata), which the endpoint cannot honour yet (one warning each, naming
 * them), and what Ref / Fn::GetAtt give for the common ones, as each type's
 * "Return values" section documents, so the values other resources read from
 * them still resolve.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-template-resource-type-ref.html
 */
import type { PhysicalResource, ResolveContext } from '../intrinsics.ts';
import type { Problem } from '../problems.ts';
import type { RawResource, TemplateFile } from '../template.ts';

/** Types that change nothing the endpoint does: skipped, named in the deploy log, no warning. */
export const NO_LOCAL_EFFECT: ReadonlySet<string> = new Set([
  'AWS::IAM::Role', 'AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy', 'AWS::IAM::InstanceProfile', 'AWS::IAM::RolePolicy',
  'AWS::Lambda::Permission', 'AWS::Logs::LogGroup', 'AWS::Logs::LogStream', 'AWS::Logs::SubscriptionFilter',
  'AWS::S3::BucketPolicy', 'AWS::SNS::TopicPolicy', 'AWS::SecretsManager::ResourcePolicy',
  'AWS::CDK::Metadata', 'AWS::CloudFormation::WaitConditionHandle', 'AWS::KMS::Alias',
  'AWS::Lambda::EventInvokeConfig', 'AWS::XRay::Group', 'AWS::XRay::SamplingRule',
]);

/** Why `type` is not deployed (the service it belongs to is not emulated, or this type of it is not). */
export function notDeployedReason(type: string): string {
  const service = /^(AWS|Alexa)::([A-Za-z0-9]+)::/.exec(type)?.[2];
  if (type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource') return 'custom resources run a provider Lambda CloudFormation calls at deploy time, which rehearse does not do';
  if (type === 'AWS::CloudFormation::Stack' || type === 'AWS::Serverless::Application') return 'nested stacks are not deployed by rehearse';
  if (type === 'AWS::Lambda::Version' || type === 'AWS::Lambda::Alias') return 'the embedded Lambda service runs $LATEST only (no published versions or aliases)';
  if (service === 'Serverless') return `rehearse does not deploy ${type} yet`;
  const names: Record<string, string> = {
    ApiGateway: 'API Gateway', ApiGatewayV2: 'API Gateway', AppSync: 'AppSync', DynamoDB: 'DynamoDB', SQS: 'SQS', Events: 'EventBridge', Scheduler: 'EventBridge Scheduler',
    Kinesis: 'Kinesis', KinesisFirehose: 'Kinesis Data Firehose', ECS: 'ECS', EC2: 'EC2', Batch: 'AWS Batch', Glue: 'Glue', Athena: 'Athena', SSM: 'Systems Manager',
    KMS: 'KMS', Cognito: 'Cognito', CloudWatch: 'CloudWatch', RDS: 'RDS', ElastiCache: 'ElastiCache', EFS: 'EFS', CloudFront: 'CloudFront', Route53: 'Route 53',
    Pipes: 'EventBridge Pipes', SES: 'SES', Bedrock: 'Bedrock', SageMaker: 'SageMaker', EMR: 'EMR', CodeBuild: 'CodeBuild', ECR: 'ECR',
  };
  const label = service ? (names[service] ?? service) : type;
  return `the endpoint does not serve ${label} resources of this type yet`;
}

/** The one warning a resource the endpoint cannot honour gets, from `rehearse validate` and from each deploy. */
export function notDeployedWarning(template: TemplateFile, id: string, type: string): Problem {
  const line = template.lineOf(id);
  return { severity: 'WARNING', file: template.file, field: `Resources.${id}`, message: `${type} is not deployed: ${notDeployedReason(type)}`, ...(line === undefined ? {} : { line }) };
}

type Attrs = (name: string, c: ResolveContext) => { ref: string; attributes: Record<string, unknown> };

const arn = (c: ResolveContext, service: string, rest: string, regional = true) => `arn:${c.partition}:${service}:${regional ? c.region : ''}:${c.accountId}:${rest}`;

/** Ref and attributes of the common types without a module (`name` is the physical name CloudFormation would use). */
const KNOWN: Record<string, Attrs> = {
  'AWS::IAM::Role': (n, c) => ({ ref: n, attributes: { Arn: arn(c, 'iam', `role/${n}`, false), RoleId: `AROA${n.toUpperCase().replace(/[^A-Z0-9]/g, '').slice(0, 17).padEnd(17, 'X')}` } }),
  'AWS::IAM::ManagedPolicy': (n, c) => ({ ref: arn(c, 'iam', `policy/${n}`, false), attributes: { PolicyArn: arn(c, 'iam', `policy/${n}`, false), PolicyName: n } }),
  'AWS::IAM::Policy': (n) => ({ ref: n, attributes: { Id: n } }),
  'AWS::IAM::InstanceProfile': (n, c) => ({ ref: n, attributes: { Arn: arn(c, 'iam', `instance-profile/${n}`, false) } }),
  'AWS::Logs::LogGroup': (n, c) => ({ ref: n, attributes: { Arn: arn(c, 'logs', `log-group:${n}:*`) } }),
  'AWS::Lambda::Permission': (n) => ({ ref: n, attributes: { Id: n } }),
  'AWS::Lambda::Version': (n, c) => ({ ref: arn(c, 'lambda', `function:${n}:1`), attributes: { FunctionArn: arn(c, 'lambda', `function:${n}`), Version: '1' } }),
  'AWS::Lambda::Alias': (n, c) => ({ ref: arn(c, 'lambda', `function:${n}:live`), attributes: { AliasArn: arn(c, 'lambda', `function:${n}:live`) } }),
  'AWS::Scheduler::Schedule': (n, c) => ({ ref: n, attributes: { Arn: arn(c, 'scheduler', `schedule/default/${n}`) } }),
  'AWS::StepFunctions::Activity': (n, c) => ({ ref: arn(c, 'states', `activity:${n}`), attributes: { Arn: arn(c, 'states', `activity:${n}`), Name: n } }),
  'AWS::KMS::Key': (n, c) => ({ ref: n, attributes: { Arn: arn(c, 'kms', `key/${n}`), KeyId: n } }),
  'AWS::SSM::Parameter': (n) => ({ ref: n, attributes: { Type: 'String', Value: '' } }),
  'AWS::Kinesis::Stream': (n, c) => ({ ref: n, attributes: { Arn: arn(c, 'kinesis', `stream/${n}`) } }),
  'AWS::ApiGateway::RestApi': (n) => ({ ref: n, attributes: { RestApiId: n, RootResourceId: `${n}-root` } }),
  'AWS::Serverless::Api': (n) => ({ ref: n, attributes: { RootResourceId: `${n}-root` } }),
  'AWS::Serverless::HttpApi': (n, c) => ({ ref: n, attributes: { ApiEndpoint: `https://${n}.execute-api.${c.region}.${c.urlSuffix}` } }),
  'AWS::ECS::Cluster': (n, c) => ({ ref: n, attributes: { Arn: arn(c, 'ecs', `cluster/${n}`) } }),
  'AWS::ECS::TaskDefinition': (n, c) => ({ ref: arn(c, 'ecs', `task-definition/${n}:1`), attributes: { TaskDefinitionArn: arn(c, 'ecs', `task-definition/${n}:1`) } }),
  'AWS::Batch::JobQueue': (n, c) => ({ ref: arn(c, 'batch', `job-queue/${n}`), attributes: { JobQueueArn: arn(c, 'batch', `job-queue/${n}`), JobQueueName: n } }),
  'AWS::Batch::JobDefinition': (n, c) => ({ ref: arn(c, 'batch', `job-definition/${n}:1`), attributes: {} }),
  'AWS::Glue::Job': (n) => ({ ref: n, attributes: {} }),
  'AWS::CDK::Metadata': (n) => ({ ref: n, attributes: {} }),
};

/** The physical name property each type's name comes from, when set. */
const NAME_PROPERTY: Record<string, string> = {
  'AWS::IAM::Role': 'RoleName', 'AWS::IAM::ManagedPolicy': 'ManagedPolicyName', 'AWS::IAM::Policy': 'PolicyName', 'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::Events::Rule': 'Name', 'AWS::Events::EventBus': 'Name', 'AWS::Scheduler::Schedule': 'Name',
  'AWS::StepFunctions::Activity': 'Name', 'AWS::Kinesis::Stream': 'Name', 'AWS::SSM::Parameter': 'Name', 'AWS::ECS::Cluster': 'ClusterName',
};

/** Ref / Fn::GetAtt of a resource rehearse does not deploy: documented attributes for the common types, a placeholder otherwise. */
export function notDeployedPhysical(logicalId: string, raw: RawResource, c: ResolveContext, resolveName: (value: unknown) => unknown): PhysicalResource {
  const nameProperty = NAME_PROPERTY[raw.Type];
  let name = logicalId;
  if (nameProperty && raw.Properties[nameProperty] !== undefined) {
    const v = resolveName(raw.Properties[nameProperty]);
    if (typeof v === 'string' && v) name = v;
  }
  const known = KNOWN[raw.Type];
  if (known) return known(name, c);
  return { ref: name, attributes: {}, unknownAttributes: `rehearse does not know the attributes of ${raw.Type} (${logicalId} is not deployed)` };
}
