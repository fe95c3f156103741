/**
 * AWS::S3::Bucket: created if missing; its NotificationConfiguration's
 * LambdaConfigurations become bucket notifications once the functions exist,
 * and EventBridgeConfiguration sends every change to EventBridge
 * (Topic/Queue destinations: one warning each, not deployed).
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-s3-bucket.html
 */
import { CreateBucketCommand, ListBucketsCommand, S3Client } from '@aws-sdk/client-s3';
import type { PhysicalResource, ResolveContext } from '../intrinsics.ts';
import { isObj } from '../template.ts';
import { s3EventBridgeWiring, s3Wiring, type S3Wiring } from '../events/s3.ts';
import type { DeployScope, ResourceModule } from './types.ts';
import { everyName } from './listing.ts';

export interface BucketSpec {
  logicalId: string;
  name: string;
}

export function bucketPhysical(name: string, c: ResolveContext): PhysicalResource {
  return {
    ref: name,
    attributes: {
      Arn: `arn:${c.partition}:s3:::${name}`,
      DomainName: `${name}.s3.${c.urlSuffix}`,
      DualStackDomainName: `${name}.s3.dualstack.${c.region}.${c.urlSuffix}`,
      RegionalDomainName: `${name}.s3.${c.region}.${c.urlSuffix}`,
      WebsiteURL: `http://${name}.s3-website-${c.region}.${c.urlSuffix}`,
    },
  };
}

/** Every bucket's name (ListBuckets, all pages). */
function bucketNames(s3: S3Client): Promise<Set<string>> {
  return everyName((ContinuationToken) => s3.send(new ListBucketsCommand({ ContinuationToken })), (p) => p.ContinuationToken, (p) => p.Buckets?.map((b) => b.Name));
}

export function s3Client(scope: DeployScope): S3Client {
  return scope.client('s3', (config) => new S3Client({ ...config, forcePathStyle: true }));
}

export const s3Bucket: ResourceModule<BucketSpec> = {
  types: ['AWS::S3::Bucket'],
  properties: ['BucketName'],
  lateProperties: ['NotificationConfiguration'],
  read(input) {
    const name = input.properties.BucketName;
    if (name !== undefined && (typeof name !== 'string' || !/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name))) {
      input.problem(`BucketName must be 3–63 lowercase letters, digits, dots and hyphens, got ${JSON.stringify(name)}`, 'Properties.BucketName');
    }
    // CloudFormation generates `<stack>-<logicalid>-<random>`; a stable lowercase logical id keeps local names readable.
    return { logicalId: input.logicalId, name: typeof name === 'string' ? name : input.logicalId.toLowerCase() };
  },
  physical: (spec, c) => bucketPhysical(spec.name, c),
  async deploy(spec, scope) {
    const s3 = s3Client(scope);
    const exists = (await scope.before('s3:buckets', () => bucketNames(s3))).has(spec.name);
    if (!exists) {
      await s3.send(new CreateBucketCommand({ Bucket: spec.name, ...(scope.region === 'us-east-1' ? {} : { CreateBucketConfiguration: { LocationConstraint: scope.region as never } }) }));
    }
    scope.change({ type: 'AWS::S3::Bucket', logicalId: spec.logicalId, physicalId: spec.name, action: exists ? 'unchanged' : 'created' });
    return bucketPhysical(spec.name, scope.ctx);
  },
  wiring(spec, late, input) {
    const config = late.NotificationConfiguration;
    if (!isObj(config)) return [];
    const out: S3Wiring[] = [];
    const lambdas = Array.isArray(config.LambdaConfigurations) ? config.LambdaConfigurations : [];
    lambdas.forEach((c, i) => {
      const field = `Properties.NotificationConfiguration.LambdaConfigurations[${i}]`;
      if (!isObj(c) || typeof c.Function !== 'string' || typeof c.Event !== 'string') {
        input.problem('a LambdaConfiguration needs Event and Function (the function ARN)', field);
        return;
      }
      const rules = isObj(c.Filter) && isObj(c.Filter.S3Key) && Array.isArray(c.Filter.S3Key.Rules) ? c.Filter.S3Key.Rules : [];
      out.push(s3Wiring(`Resources.${spec.logicalId}.${field}`, spec.name, c.Function, [c.Event], rules, `${spec.logicalId}-${i}`));
    });
    if (config.EventBridgeConfiguration !== undefined) out.push(s3EventBridgeWiring(`Resources.${spec.logicalId}.Properties.NotificationConfiguration.EventBridgeConfiguration`, spec.name));
    for (const other of ['TopicConfigurations', 'QueueConfigurations']) {
      if (config[other] !== undefined) input.problem(`not deployed: the endpoint delivers S3 bucket notifications to Lambda functions and EventBridge only`, `Properties.NotificationConfiguration.${other}`, 'WARNING');
    }
    return out;
  },
};
