/**
 * `mock.fieldValidationMode`: a mocked Task result is checked against the
 * output shape of the API the Task calls. STRICT: every required field is
 * present and every present field conforms; PRESENT: present fields conform;
 * NONE: nothing is checked. Field names are Step Functions' (first letter
 * upper-cased: StartExecution's `executionArn` is `ExecutionArn`); fields the
 * model does not know are accepted (recorded AWS behaviour). Messages are
 * AWS's (shared/conformance/test-state.json).
 * https://docs.aws.amazon.com/step-functions/latest/apireference/API_MockInput.html
 */
import type { ServiceModel, ServiceModels, Shape } from './service-models.ts';

export type { ServiceModels } from './service-models.ts';
export type FieldValidationMode = 'STRICT' | 'PRESENT' | 'NONE';

/** Optimised integrations whose result is an AWS API's output: `<integration service>` → the API's service. */
const OPTIMIZED_SERVICES: Record<string, string> = {
  lambda: 'lambda',
  states: 'sfn',
  events: 'eventbridge',
  dynamodb: 'dynamodb',
  sqs: 'sqs',
  sns: 'sns',
  s3: 's3',
  ecs: 'ecs',
  batch: 'batch',
  glue: 'glue',
  athena: 'athena',
  codebuild: 'codebuild',
  eks: 'eks',
  emr: 'emr',
  sagemaker: 'sagemaker',
  bedrock: 'bedrock-runtime',
};

const INTEGRATION = /^arn:aws[a-z-]*:states:[a-z0-9-]*:(?:\d{12})?:(aws-sdk:)?([a-z0-9-]+):([A-Za-z0-9]+)(\.sync:2|\.sync|\.waitForTaskToken)?$/;

/**
 * The API operation a Task resource's result comes from, or undefined when the
 * result has no API model: a Lambda function ARN (its payload), `.sync`
 * (the job's description) and `.waitForTaskToken` (SendTaskSuccess's output),
 * HTTP and API Gateway tasks.
 */
export function operationOf(resource: string): { service: string; operation: string } | undefined {
  const m = INTEGRATION.exec(resource);
  if (!m || m[4] !== undefined) return undefined;
  const service = m[1] !== undefined ? m[2]! : OPTIMIZED_SERVICES[m[2]!];
  if (service === undefined) return undefined;
  return { service, operation: m[3]!.charAt(0).toUpperCase() + m[3]!.slice(1) };
}

/** Step Functions' spelling of an API member: the first letter upper-cased. */
function sfnCased(member: string): string {
  return member.charAt(0).toUpperCase() + member.slice(1);
}

class Invalid extends Error {}

/** The problem with `value` as the mocked result of `resource`, or undefined (also when no model is known). */
export function validateMockResult(models: ServiceModels, resource: string, value: unknown, mode: FieldValidationMode): string | undefined {
  if (mode === 'NONE' || value === null) return undefined;
  const op = operationOf(resource);
  if (op === undefined) return undefined;
  const model = models.service(op.service);
  const output = model?.operations[op.operation]?.output?.shape;
  if (model === undefined || output === undefined) return undefined;
  // lambda:invoke hands the function's response on parsed (any JSON), not as the blob the Invoke API returns.
  const checked = !INTEGRATION.exec(resource)![1] && op.service === 'lambda' && typeof value === 'object' && !Array.isArray(value) ? withoutPayload(value as Record<string, unknown>) : value;
  try {
    check(model, output, checked, undefined, mode === 'STRICT');
    return undefined;
  } catch (e) {
    if (e instanceof Invalid) return e.message;
    throw e;
  }
}

function withoutPayload(value: Record<string, unknown>): Record<string, unknown> {
  const { Payload: _payload, ...rest } = value;
  return rest;
}

function fail(field: string | undefined, problem: string): never {
  throw new Invalid(field === undefined ? `The mocked result ${problem}` : `Field '${field}' ${problem}`);
}

function check(model: ServiceModel, shapeName: string, value: unknown, field: string | undefined, strict: boolean): void {
  const shape: Shape | undefined = model.shapes[shapeName];
  if (shape === undefined) return;
  switch (shape.type) {
    case 'structure': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(field, 'must be an object');
      const obj = value as Record<string, unknown>;
      const members = new Map(Object.entries(shape.members ?? {}).map(([k, m]) => [sfnCased(k), m.shape]));
      if (strict) {
        for (const r of shape.required ?? []) {
          if (!(sfnCased(r) in obj)) throw new Invalid(`Required field '${sfnCased(r)}' is missing`);
        }
      }
      for (const [k, v] of Object.entries(obj)) {
        const member = members.get(k);
        if (member !== undefined) check(model, member, v, k, strict);
      }
      return;
    }
    case 'list':
      if (!Array.isArray(value)) fail(field, 'must be an array');
      for (const item of value) check(model, shape.member!.shape, item, field, strict);
      return;
    case 'map':
      if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(field, 'must be an object');
      for (const v of Object.values(value)) check(model, shape.value!.shape, v, field, strict);
      return;
    case 'string':
    case 'timestamp':
    case 'blob':
      if (typeof value !== 'string') fail(field, 'must be a string');
      if (shape.enum !== undefined && !shape.enum.includes(value)) fail(field, 'is not an expected value');
      if (shape.type !== 'timestamp') {
        if (shape.min !== undefined && value.length < shape.min) fail(field, 'is smaller than the minimum length');
        if (shape.max !== undefined && value.length > shape.max) fail(field, 'is larger than the maximum length');
      }
      return;
    case 'integer':
    case 'long':
    case 'float':
    case 'double':
      if (typeof value !== 'number' || ((shape.type === 'integer' || shape.type === 'long') && !Number.isInteger(value))) fail(field, 'must be a number');
      if (shape.min !== undefined && value < shape.min) fail(field, 'is less than the minimum value');
      if (shape.max !== undefined && value > shape.max) fail(field, 'exceeds the maximum value');
      return;
    case 'boolean':
      if (typeof value !== 'boolean') fail(field, 'must be a boolean');
      return;
    default:
      // document, union-less types: any JSON value.
      return;
  }
}
