/**
 * Which Task integrations each backend can run (DESIGN.md principle 7: what a
 * backend cannot run is named before anything runs, never discovered as a
 * Catch path). One table, read by `rehearse validate` (a warning per Task
 * state), by the runner (a scenario that could reach such a state without a
 * fault for it is reported before it starts) and by the embedded engine (an
 * unserved integration fails with States.Runtime, which no Catch handles).
 *
 * The embedded endpoint's row is derived from what its Step Functions task
 * invoker really serves (harness/emulator/stepfunctions/task-invoker.ts):
 * a service there is runnable here, as an optimised integration and through
 * `aws-sdk:<service>:*`. Adding a service to the invoker adds it here.
 * https://docs.aws.amazon.com/step-functions/latest/dg/integrate-optimized.html
 * https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html
 */
import { AWS_OPTIMIZED_SERVICES } from '../asl/index.ts';
import { SERVED_SDK_SERVICES } from '../emulator/stepfunctions/task-invoker.ts';
import type { BackendName } from './backend.ts';

export type IntegrationPattern = 'requestResponse' | 'sync' | 'sync:2' | 'waitForTaskToken';

/** A Task `Resource` as Step Functions reads it. */
export type TaskIntegration =
  | { kind: 'lambda-function'; label: string }
  | { kind: 'activity'; label: string }
  | {
      kind: 'optimized' | 'aws-sdk';
      /** As written in the ARN: `lambda`, `sns`, `glue`, `sfn` (aws-sdk), `states` (optimised). */
      service: string;
      action: string;
      pattern: IntegrationPattern;
      /** `glue:startJobRun.sync`, `aws-sdk:athena:startQueryExecution`. */
      label: string;
    };

/** Display names for messages. */
const SERVICE_NAMES: Record<string, string> = {
  apigateway: 'API Gateway', athena: 'Athena', batch: 'AWS Batch', bedrock: 'Bedrock', codebuild: 'CodeBuild', dynamodb: 'DynamoDB', ecs: 'ECS', eks: 'EKS',
  elasticmapreduce: 'EMR', 'emr-containers': 'EMR on EKS', 'emr-serverless': 'EMR Serverless', events: 'EventBridge', glue: 'Glue', databrew: 'Glue DataBrew',
  lambda: 'Lambda', mediaconvert: 'MediaConvert', sagemaker: 'SageMaker', sns: 'SNS', sqs: 'SQS', states: 'Step Functions', sfn: 'Step Functions', http: 'HTTP endpoints',
  s3: 'S3', secretsmanager: 'Secrets Manager',
};

const LAMBDA_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9$_-]+)?$/;
const INTEGRATION = /^arn:aws[a-z-]*:states:[a-z0-9-]*:(\d{12})?:(aws-sdk:)?([a-z0-9-]+):([A-Za-z0-9]+)(\.sync:2|\.sync|\.waitForTaskToken)?$/;

/** Reads a Task Resource; undefined when it is none of the forms (the validator reports that). */
export function taskIntegration(resource: string): TaskIntegration | undefined {
  if (LAMBDA_ARN.test(resource)) return { kind: 'lambda-function', label: 'a Lambda function ARN' };
  if (/^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:activity:/.test(resource)) return { kind: 'activity', label: 'an activity' };
  const m = INTEGRATION.exec(resource);
  if (!m || (m[2] === undefined && !AWS_OPTIMIZED_SERVICES.has(m[3]!))) return undefined;
  const suffix = m[5] ?? '';
  const pattern: IntegrationPattern = suffix === '.sync' ? 'sync' : suffix === '.sync:2' ? 'sync:2' : suffix === '.waitForTaskToken' ? 'waitForTaskToken' : 'requestResponse';
  const sdk = m[2] !== undefined;
  return { kind: sdk ? 'aws-sdk' : 'optimized', service: m[3]!, action: m[4]!, pattern, label: `${sdk ? 'aws-sdk:' : ''}${m[3]}:${m[4]}${suffix}` };
}

/** `sfn` in aws-sdk ARNs, `states` in optimised ones: one service. */
function canonical(service: string): string {
  return service === 'sfn' ? 'states' : service;
}

/** What the embedded endpoint runs: the task invoker's SDK services plus nested executions (states:startExecution). */
function embeddedServes(i: Extract<TaskIntegration, { service: string }>): boolean {
  const served = new Set(SERVED_SDK_SERVICES.map(canonical));
  const service = canonical(i.service);
  if (i.kind === 'optimized' && service === 'states') return i.action === 'startExecution';
  // `.sync` on the optimised states:startExecution only (handled above); aws-sdk calls have no `.sync`.
  if (i.pattern === 'sync' || i.pattern === 'sync:2') return false;
  return served.has(service);
}

/** LocalStack (community) serves these; its Step Functions runs their integrations against itself. */
const LOCALSTACK_SERVICES = new Set(['lambda', 's3', 'sns', 'sqs', 'dynamodb', 'events', 'states', 'secretsmanager', 'ssm', 'kinesis', 'firehose', 'apigateway', 'kms', 'logs', 'cloudwatch', 'iam', 'sts', 'ses', 'scheduler']);
/** Step Functions Local calls the rehearse container for Lambda, SNS and DynamoDB (docker-compose.yml); it has no aws-sdk integrations. */
const SFN_LOCAL_SERVICES = new Set(['lambda', 'sns', 'dynamodb']);

export type IntegrationSupport = { runs: true } | { runs: false; reason: string };

const BACKEND_LABEL: Record<BackendName, string> = { embedded: 'the embedded endpoint', localstack: 'LocalStack', 'stepfunctions-local': 'Step Functions Local', endpoint: 'this endpoint' };

/** Whether `backend` can run the integration, and why not. */
export function integrationSupport(backend: BackendName, i: TaskIntegration): IntegrationSupport {
  const who = BACKEND_LABEL[backend];
  if (i.kind === 'lambda-function') return { runs: true };
  if (i.kind === 'activity') return backend === 'localstack' ? { runs: true } : { runs: false, reason: `${who} has no activity workers (GetActivityTask is not served)` };
  const name = SERVICE_NAMES[i.service] ?? i.service;
  switch (backend) {
    case 'embedded':
      return embeddedServes(i) ? { runs: true } : { runs: false, reason: `${who} does not serve ${name}${i.pattern === 'sync' || i.pattern === 'sync:2' ? ` (.${i.pattern} job runs)` : ''}` };
    case 'localstack':
      return LOCALSTACK_SERVICES.has(canonical(i.service)) ? { runs: true } : { runs: false, reason: `${who} (community) does not serve ${name}` };
    case 'stepfunctions-local':
      if (i.kind === 'aws-sdk') return { runs: false, reason: `${who} does not support arn:aws:states:::aws-sdk:* integrations` };
      if (canonical(i.service) === 'states') return { runs: true };
      return SFN_LOCAL_SERVICES.has(i.service) ? { runs: true } : { runs: false, reason: `${who} reaches only Lambda, SNS and DynamoDB here (the rehearse container)` };
    case 'endpoint':
      // An arbitrary endpoint cannot be asked what it serves: assume it does.
      return { runs: true };
  }
}

/** The backends that can run it, for the "options" part of a message. */
export function backendsRunning(i: TaskIntegration): BackendName[] {
  return (['embedded', 'localstack', 'stepfunctions-local'] as const).filter((b) => integrationSupport(b, i).runs);
}

/** The message validate and the runner give for a Task the backend cannot run, naming the state, the integration and the options. */
export function cannotRunMessage(backend: BackendName, state: string, i: TaskIntegration, reason: string): string {
  const others = backendsRunning(i).filter((b) => b !== backend);
  const backendOption = others.length ? `or run on a backend that has it (--backend ${others.join(' / --backend ')})` : 'no backend rehearse starts has it';
  return `Task ${state} calls ${i.label}, which ${BACKEND_LABEL[backend]} cannot run: ${reason}. Give the scenario a fault that answers it (given.faults: - { state: ${state}, return: … } or - { state: ${state}, throw: { errorType: … } }), ${backendOption}`;
}

/** Every embedded-runnable service, for docs. */
export function embeddedServices(): string[] {
  return [...new Set(SERVED_SDK_SERVICES.map(canonical))].sort();
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);

export interface TaskState {
  /** The state's name (innermost, for states in Parallel branches and Map processors). */
  state: string;
  resource: string;
  integration: TaskIntegration;
}

/** Every Task state of a definition with a literal Resource it can read, nested ones included. */
export function taskStates(definition: unknown): TaskState[] {
  const out: TaskState[] = [];
  const visit = (states: unknown): void => {
    if (!isObj(states)) return;
    for (const [name, st] of Object.entries(states)) {
      if (!isObj(st)) continue;
      if (st.Type === 'Task' && typeof st.Resource === 'string') {
        const integration = taskIntegration(st.Resource);
        if (integration) out.push({ state: name, resource: st.Resource, integration });
      }
      if (Array.isArray(st.Branches)) for (const b of st.Branches) if (isObj(b)) visit(b.States);
      const processor = isObj(st.ItemProcessor) ? st.ItemProcessor : isObj(st.Iterator) ? st.Iterator : undefined;
      if (processor) visit(processor.States);
    }
  };
  if (isObj(definition)) visit(definition.States);
  return out;
}

/** The Task states of a definition that `backend` cannot run, each with its message. */
export function unrunnableTasks(definition: unknown, backend: BackendName): Array<TaskState & { message: string }> {
  const out: Array<TaskState & { message: string }> = [];
  for (const t of taskStates(definition)) {
    const support = integrationSupport(backend, t.integration);
    if (!support.runs) out.push({ ...t, message: cannotRunMessage(backend, t.state, t.integration, support.reason) });
  }
  return out;
}
