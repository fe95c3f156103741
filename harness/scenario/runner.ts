/**
 * Runs one scenario from a clean backend (a fresh one, a reset one, or a
 * restored snapshot): given (deploy, secrets, topics, faults,
 * objects) → when (steps) → then (collect evidence over the AWS APIs and the
 * control API, evaluate the checks). Never an in-process shortcut: the same
 * code runs against `rehearse serve` in another process.
 */
import { readFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { GetObjectCommand, GetObjectTaggingCommand, ListObjectsV2Command, ListObjectVersionsCommand, NoSuchKey } from '@aws-sdk/client-s3';
import { DeleteSecretCommand } from '@aws-sdk/client-secrets-manager';
import { CreateStateMachineCommand } from '@aws-sdk/client-sfn';
import { CreateTopicCommand } from '@aws-sdk/client-sns';
import type { Backend } from '../backends/backend.ts';
import { skipReason } from '../backends/capabilities.ts';
import { createIdSource, REAL_CLOCK } from '../core/index.ts';
import { projectDeployOptions } from '../project/deploy-options.ts';
import { putGivenObjects, type GivenObject } from './given-objects.ts';
import { parameterValues, ProjectResolver, type Project } from '../project/resolve.ts';
import type { FaultPlan, FunctionFault, OperationFault, StateFault, TargetFault } from '../emulator/faults.ts';
import type { ObservationsSnapshot } from '../emulator/observations.ts';
import { createClients, type AwsClients } from './clients.ts';
import { createControlApi } from './control.ts';
import { deployKey } from './deploy-key.ts';
import type { DeployedStates } from './deployed-states.ts';
import { changesOf, executionTopic, listAllExecutions, poll, recordExecution, TERMINAL, describe } from './executions.ts';
import { inspectImage, thumbnail } from './images.ts';
import type { LoadedScenario } from './loader.ts';
import { evaluateThen, invocationsHold, type Evidence, type ObjectEvidence } from './matchers.ts';
import { scenarioNeeds, walkSteps } from './needs.ts';
import { templateDefines, templateDefinition, unansweredTasks } from './unanswered-tasks.ts';
import { stateMachineSources } from './state-machine-sources.ts';
import type { CheckResult, ExecutionRecord, FunctionLogs, ImageRecord, ScenarioResult, StateMachineSource } from './results.ts';
import type { FaultSpec, ScenarioSpec } from './schema.ts';
import { mockConfigRoute, readGivenMockConfig } from './given-mock-config.ts';
import type { MockAssignment } from './mock-plan.ts';
import { describeStep, reportingWaits, type WaitingListener } from './waiting.ts';
import { objectBody, putSecret, runStep, startsDeliveries, StepError, type RunContext } from './steps.ts';
import { checkEvents, eventsSettled } from './events.ts';
import { checkQueues, createGivenQueues, queuesSettled } from './queues.ts';
import { checkTables, collectTableEvidence, putGivenItems, tableContents } from './tables.ts';
import { parseMaybeJson } from './value-match.ts';

/** What a scenario deploys: a project's template and the inputs that shape what it creates (deploy-key.ts). */
export interface DeployInput {
  /** The template file (harness/project resolved it). */
  template: string;
  secrets?: Record<string, unknown>;
  parameters?: Record<string, string>;
  definitionOverrides?: Record<string, string>;
  /** The project the template belongs to (its imports, s3Files, stack name, Lambda environment). */
  project?: Project;
  /** Told each thing a run should know about but that does not stop it (an ignored variable, a resource not deployed). */
  warn?: (message: string) => void;
  /** Where file paths in warnings start (the run's cwd). */
  cwd?: string;
}

/** Deploys a project's template onto a backend; provided by harness/deploy. */
export type DeployFn = (backend: Backend, options: DeployInput) => Promise<void>;

export interface RunScenarioOptions {
  backend: Backend;
  seed: string;
  /** Where relative paths in reports start. */
  cwd: string;
  /**
   * Where the scenario's template and overrides come from (harness/project):
   * a resolver shared by a run (default: one resolving from the scenario's
   * folder, without command-line flags).
   */
  projects?: ProjectResolver;
  deploy?: DeployFn;
  /** Told each thing a run should know about but that does not stop it (default: nothing). */
  warn?: (message: string) => void;
  /** Make HTML thumbnails of input and output images. */
  thumbnails?: boolean;
  /**
   * Read the first items of every table at the end, into the result's `tables` (default true). Only the
   * HTML report shows them: the CLI asks for them with it alone, so a project without DynamoDB loads no client for it.
   */
  tableContents?: boolean;
  /** Wall-clock limit for each wait (default 60 s). */
  waitTimeoutMs?: number;
  signal?: AbortSignal;
  /** Reset the backend first (shared `endpoint=URL` backends). */
  reset?: boolean;
  /**
   * The worker's snapshots (embedded backend, harness/scenario/deployed-states.ts):
   * the scenario starts from a restore — of the empty endpoint, or of its
   * template deployed with the same inputs — instead of deploying onto a fresh one.
   */
  states?: DeployedStates;
  /**
   * On a backend whose function faults are a MockConfigFile (LocalStack): the
   * test case planned for this scenario (harness/scenario/mock-plan.ts), or why
   * it has none. The file is read when the backend boots, so it is planned
   * for the whole suite before the backend starts.
   */
  mock?: MockAssignment;
  /** Told what a `when` step, or the settling of executions, still running after 2 s of real time is waiting for. */
  onWaiting?: WaitingListener;
  /** Record the state machines it creates and where their definitions are written (for coverage). */
  coverage?: boolean;
}

export function toFaultPlan(faults: FaultSpec[]): FaultPlan {
  const functions: FunctionFault[] = [];
  const operations: OperationFault[] = [];
  const states: StateFault[] = [];
  const targets: TargetFault[] = [];
  for (const f of faults) {
    const sel = { ...(f.invocations !== undefined ? { invocations: f.invocations as FunctionFault['invocations'] } : {}), ...(f.every !== undefined ? { every: f.every } : {}) };
    if (f.rule !== undefined) {
      targets.push({ rule: f.rule, ...(f.target !== undefined ? { target: f.target } : {}), ...sel, ...(f.error ? { error: f.error } : {}), ...(f.latencyMs !== undefined ? { latencyMs: f.latencyMs } : {}) });
    } else if (f.state !== undefined) {
      const action = f.throw ? { throw: { error: f.throw.errorType, ...(f.throw.message !== undefined ? { cause: f.throw.message } : {}) } } : { return: f.return };
      states.push({ state: f.state, ...(f.workflow !== undefined ? { stateMachine: f.workflow } : {}), ...sel, ...action });
    } else if (f.function !== undefined) {
      const action = f.throw
        ? { throw: { errorType: f.throw.errorType, ...(f.throw.message !== undefined ? { message: f.throw.message } : {}) } }
        : f.timeout
          ? { timeout: true as const }
          : f.crash
            ? { crash: true as const }
            : f.return !== undefined
              ? { return: f.return }
              : { latencyMs: f.latencyMs ?? 0 };
      functions.push({ function: f.function, ...(f.input !== undefined ? { input: f.input } : {}), ...sel, ...action } as FunctionFault);
    } else {
      operations.push({
        service: f.table !== undefined ? 'dynamodb' : f.queue !== undefined ? 'sqs' : f.service!,
        ...(f.operation !== undefined ? { operation: f.operation } : {}),
        ...((f.table ?? f.queue) !== undefined ? { resource: (f.table ?? f.queue)! } : {}),
        ...sel,
        ...(f.error ? { error: f.error } : {}),
        ...(f.latencyMs !== undefined ? { latencyMs: f.latencyMs } : {}),
      });
    }
  }
  return { ...(functions.length ? { functions } : {}), ...(operations.length ? { operations } : {}), ...(targets.length ? { targets } : {}), ...(states.length ? { states } : {}) };
}

/**
 * Whether the scenario's `definition` takes the place of a template state
 * machine's: it names a `workflow` the repository's template defines, and the
 * template is not switched off (`deploy: false`). Then the template is
 * deployed with this definition in that state machine's place — its
 * DefinitionSubstitutions applied, uploads starting it — which is how an
 * edited definition is checked before merge, or a production failure
 * replayed against it. Any other definition is created as its own state machine.
 */
async function replacesTemplateWorkflow(spec: ScenarioSpec, template: string | undefined): Promise<boolean> {
  if (spec.definition === undefined || spec.workflow === undefined || spec.deploy === false || template === undefined) return false;
  return templateDefines(template, spec.workflow);
}

/** Templates already validated in this process: validation runs once, whatever deploys follow. */
const validatedTemplates = new Set<string>();

/** The deploy a run does unless told otherwise: harness/deploy with the project's options (validation once per template). */
export const defaultDeploy: DeployFn = async (backend, options) => {
  const { deploy, problemText } = await import('../deploy/index.ts');
  const { template } = options;
  const project = options.project ? await projectDeployOptions(options.project, options.parameters ?? {}, options.warn) : options.parameters ? { parameters: options.parameters } : {};
  const result = await deploy(template, backend, {
    ...project,
    ...(options.secrets ? { secrets: Object.fromEntries(Object.entries(options.secrets).filter(([, v]) => v !== null)) } : {}),
    ...(options.definitionOverrides ? { definitionOverrides: options.definitionOverrides } : {}),
    skipValidation: validatedTemplates.has(template),
  });
  validatedTemplates.add(template);
  // What the deploy left out or runs differently (a resource type not deployed, an interpreter version
  // other than Runtime's): said through warn, which a suite says once however many scenarios deploy.
  // Without the severity (the run's warn says "warning:"), its path relative to the run.
  for (const w of result.warnings) options.warn?.(problemText(w, options.cwd));
};

/** The state machine a scenario runs: its `workflow`, or a name made from the scenario's for an inline definition. */
export function scenarioStateMachineName(spec: ScenarioSpec): string {
  return spec.workflow ?? `scenario-${spec.name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60)}`;
}

/** The scenario's `definition` as JSON text (inline, or read from its file), undefined when it has none. */
export async function readScenarioDefinition(loaded: LoadedScenario): Promise<{ text?: string; error?: string }> {
  const spec = loaded.spec;
  if (typeof spec.definition === 'string') {
    const path = resolve(dirname(loaded.file), spec.definition);
    try {
      return { text: await readFile(path, 'utf8') };
    } catch {
      return { error: `definition file ${spec.definition} not found (resolved to ${path})` };
    }
  }
  return spec.definition ? { text: JSON.stringify(spec.definition) } : {};
}

/**
 * The REPORT Durations of the handlers that ran (a faulted call's handler did
 * not, or its duration is the timeout); undefined when none ran.
 */
function handlerMs(observations: ObservationsSnapshot): number | undefined {
  const ran = observations.invocations.filter((i) => i.fault === undefined && i.durationMs !== undefined);
  return ran.length === 0 ? undefined : Math.round(ran.reduce((sum, i) => sum + i.durationMs!, 0) * 100) / 100;
}

/** Steps that reach resources a template would create (a bus, a queue, a bucket, a function, a secret). */
const RESOURCE_STEPS = ['upload', 'invoke', 'send', 'putEvents', 'deliverS3Event', 'rotateSecret', 'presign'] as const;

/** Whether a step of the scenario (nested ones included) reaches such a resource. */
function usesDeployedResources(spec: ScenarioSpec): boolean {
  let found = false;
  walkSteps(spec.when, (s) => {
    if (RESOURCE_STEPS.some((k) => s[k] !== undefined)) found = true;
  });
  return found;
}

export function hasFunctionFaults(spec: ScenarioSpec): boolean {
  return (spec.given?.faults ?? []).some((f) => f.function !== undefined);
}

function scenarioStatus(steps: ScenarioResult['steps'], checks: CheckResult[]): ScenarioResult['status'] {
  if (steps.some((s) => s.status === 'failed') || checks.some((c) => c.status === 'failed')) return 'failed';
  if (checks.some((c) => c.status === 'skipped')) return 'skipped';
  return 'passed';
}

export async function runScenario(loaded: LoadedScenario, options: RunScenarioOptions): Promise<ScenarioResult> {
  const spec = loaded.spec;
  const started = REAL_CLOCK.now();
  const base: ScenarioResult = {
    file: loaded.file,
    name: spec.name,
    ...(spec.workflow ? { workflow: spec.workflow } : {}),
    status: 'passed',
    durationMs: 0,
    steps: [],
    checks: [],
    executions: [],
    images: [],
    logs: [],
    seed: options.seed,
  };
  let stateMachines: StateMachineSource[] | undefined;
  const finish = (r: Partial<ScenarioResult>): ScenarioResult => ({ ...base, ...r, ...(stateMachines ? { stateMachines } : {}), durationMs: REAL_CLOCK.now() - started });
  if (spec.skip) return finish({ status: 'skipped', reason: spec.skip });

  const read = await readScenarioDefinition(loaded);
  if (read.error !== undefined) return finish({ status: 'error', reason: read.error });
  const definitionText = read.text;

  const { backend } = options;
  let reason = skipReason(backend, scenarioNeeds(spec, definitionText !== undefined ? { definitionText } : {}));
  const mockRoute = mockConfigRoute(backend);
  const plannedMocks = (backend.capabilities.functionFaults === 'mock-config' && hasFunctionFaults(spec)) || (mockRoute === 'boot' && spec.given?.mockConfig !== undefined);
  const mocked: MockAssignment | undefined = plannedMocks
    ? (options.mock ?? {
        kind: 'skipped',
        reason: `skipped on ${backend.name}: its mocks need a test case in the MockConfigFile the backend booted with, and none was planned (run it with rehearse run / runSuite, which plans them)`,
      })
    : undefined;
  if (!reason && mocked?.kind === 'skipped') reason = mocked.reason;
  if (!reason && spec.given?.mockConfig && mockRoute === undefined) {
    reason = `skipped on ${backend.name}: given.mockConfig needs a backend that reads a MockConfigFile (embedded, rehearse serve, LocalStack, Step Functions Local); this endpoint has no /_rehearse control API`;
  }
  if (reason) return finish({ status: 'skipped', reason });

  const clients = createClients(backend);
  const control = backend.controlUrl ? createControlApi(backend.controlUrl) : undefined;
  const abort = new AbortController();
  const onAbort = () => abort.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const ctx: RunContext = {
    backend,
    clients,
    ...(control ? { control } : {}),
    ids: createIdSource(`${options.seed}/runner`),
    seed: options.seed,
    scenarioFile: loaded.file,
    ...(spec.workflow ? { workflow: spec.workflow } : {}),
    executions: [],
    claimed: new Set(),
    tokens: new Map(),
    secretValues: new Set(),
    inputs: [],
    links: new Map(),
    steps: [],
    signal: abort.signal,
    waitTimeoutMs: options.waitTimeoutMs ?? 60_000,
    ...(mocked?.kind === 'mocked' ? { mockTestCase: { stateMachineName: mocked.stateMachineName, testCaseName: mocked.testCaseName } } : {}),
  };
  const wallLimit = (spec.timeoutSeconds ?? 300) * 1000;
  const timer = REAL_CLOCK.setTimer(wallLimit, () => abort.abort(new StepError(`scenario exceeded its ${wallLimit / 1000}s wall-clock limit`)));
  try {
    // ---- given ----
    try {
      if (options.reset && control) await control.reset();
      const projects = options.projects ?? new ProjectResolver({}, options.cwd);
      const project = projects.at(dirname(loaded.file));
      const replaces = definitionText !== undefined && (await replacesTemplateWorkflow(spec, project.template?.value));
      const deployed = spec.deploy ?? (spec.workflow !== undefined && (spec.definition === undefined || replaces));
      // The scenario's own parameters come last: they are part of what it tests.
      const parameters = { ...parameterValues(project), ...Object.fromEntries(Object.entries(spec.given?.parameters ?? {}).map(([k, v]) => [k, String(v)])) };
      if (options.warn) {
        const stateMachine = definitionText !== undefined && !replaces ? scenarioStateMachineName(spec) : spec.workflow;
        const text = definitionText ?? (deployed && stateMachine && project.template ? await templateDefinition(project.template.value, stateMachine, parameters) : undefined);
        if (stateMachine) for (const m of unansweredTasks({ spec, stateMachine, definitionText: text, backend: backend.name })) options.warn(`${loaded.file}: '${spec.name}': ${m}`);
        if (!deployed && spec.deploy === undefined && spec.definition === undefined && project.template && usesDeployedResources(spec)) {
          options.warn(
            `${loaded.file}: '${spec.name}': deploys nothing (it names no workflow), so ${relative(options.cwd, project.template.value) || project.template.value}'s buses, queues, buckets and functions are not there for its steps; add \`deploy: true\` to deploy the template first`,
          );
        }
      }
      if (options.coverage) {
        stateMachines = await stateMachineSources({
          loaded,
          ...(deployed && project.template ? { template: project.template.value } : {}),
          parameters,
          ...(definitionText !== undefined ? { definitionText } : {}),
          replaces,
          ownName: scenarioStateMachineName(spec),
        });
      }
      const deployInput: DeployInput | undefined = deployed
        ? {
            template: projects.requireTemplate(dirname(loaded.file), `${spec.name} deploys a template`),
            project,
            ...(options.warn ? { warn: options.warn } : {}),
            cwd: options.cwd,
            ...(spec.given?.secrets ? { secrets: spec.given.secrets } : {}),
            ...(Object.keys(parameters).length > 0 ? { parameters } : {}),
            ...(replaces ? { definitionOverrides: { [spec.workflow!]: definitionText! } } : {}),
          }
        : undefined;
      // A first deploy can take long (pip installing a requirements.txt): the progress lines say what the scenario waits for.
      const deployNow = () =>
        reportingWaits(`the deploy of ${relative(options.cwd, deployInput!.template) || deployInput!.template}`, options.onWaiting, () => (options.deploy ?? defaultDeploy)(backend, deployInput!));
      if (options.states) await options.states.begin(options.seed, deployInput ? { key: deployKey(deployInput), run: deployNow } : undefined);
      else if (deployInput) await deployNow();
      if (definitionText !== undefined && !replaces) {
        const name = scenarioStateMachineName(spec);
        await clients.sfn.send(
          new CreateStateMachineCommand({ name, definition: definitionText, roleArn: `arn:aws:iam::123456789012:role/rehearse-scenario` }),
        );
        ctx.workflow = name;
      }
      if (spec.given?.mockConfig) {
        const given = (await readGivenMockConfig(loaded, ctx.workflow ?? scenarioStateMachineName(spec)))!;
        if (mockRoute === 'control-api') {
          await control!.putMockConfig(given.config, `the scenario's mock config (${relative(options.cwd, given.file) || given.file})`);
          ctx.mockTestCase = { stateMachineName: given.stateMachineName, testCaseName: given.testCaseName };
        }
      }
      for (const [name, value] of Object.entries(spec.given?.secrets ?? {})) {
        if (value === null) {
          await clients.secrets.send(new DeleteSecretCommand({ SecretId: name, ForceDeleteWithoutRecovery: true })).catch(() => undefined);
        } else await putSecret(ctx, name, value, deployed);
      }
      for (const topic of spec.given?.topics ?? []) await clients.sns.send(new CreateTopicCommand({ Name: topic }));
      if (spec.given?.queues) await createGivenQueues(clients.sqs, spec.given.queues);
      const plan = toFaultPlan(spec.given?.faults ?? []);
      if (control && (plan.functions || plan.operations || plan.targets || plan.states)) await control.putFaults(plan);
      if (spec.given?.items) await putGivenItems(clients.dynamodb, clients.documents, spec.given.items);
      const givenObjects: GivenObject[] = [];
      for (const o of spec.given?.objects ?? []) {
        const { body, contentType } = await objectBody(o, ctx, `${o.bucket}/${o.key}`);
        givenObjects.push({ bucket: o.bucket, key: o.key, body, ...(contentType ? { contentType } : {}) });
        ctx.inputs.push({ bucket: o.bucket, key: o.key, body });
      }
      if (givenObjects.length > 0) await putGivenObjects(clients.s3, givenObjects);
    } catch (e) {
      const msg = e instanceof Error ? e.message : String(e);
      return finish({ status: 'error', reason: `given: ${msg}` });
    }

    // ---- when ----
    let stepFailed = false;
    for (const [i, step] of spec.when.entries()) {
      try {
        await reportingWaits(describeStep(step, `when[${i}]`), options.onWaiting, () => runStep(ctx, step, `when[${i}]`));
      } catch {
        stepFailed = true;
        break;
      }
    }

    // ---- then ----
    if (!stepFailed) {
      await reportingWaits('then: executions and queues to settle', options.onWaiting, async () => {
        await settleExecutions(ctx, spec);
        await settleQueues(ctx, spec);
      });
    }
    const evidence = await collectEvidence(ctx, spec);
    const checks = stepFailed
      ? []
      : [
          ...evaluateThen(spec.then, evidence.evidence),
          ...(await tableChecks(clients, spec.then)),
          ...checkQueues(spec.then, evidence.observations, evidence.evidence.observationsUnavailable),
          ...checkEvents(spec.then, evidence.observations, evidence.evidence.observationsUnavailable),
        ];
    const status = scenarioStatus(ctx.steps, checks);
    const skippedChecks = checks.filter((c) => c.status === 'skipped');
    const images = await collectImages(ctx, spec, evidence, options.thumbnails ?? false);
    const logs = status === 'failed' ? await collectLogs(ctx, evidence.observations, checks) : [];
    const tables = options.tableContents === false ? [] : await tableContents(clients.dynamodb, clients.documents).catch(() => []);
    // How long the executions took on the endpoint's clock — only called virtual when that clock is.
    const virtualSeconds = evidence.records.length && backend.capabilities.virtualTime
      ? Math.max(...evidence.records.map((r) => ((r.stopDate ?? r.startDate) - r.startDate) / 1000))
      : undefined;
    const handlers = evidence.observations ? handlerMs(evidence.observations) : undefined;
    return finish({
      status,
      ...(status === 'skipped' ? { reason: `skipped on ${backend.name}: ${[...new Set(skippedChecks.map((c) => c.message))].join('; ')}` } : {}),
      steps: ctx.steps,
      checks,
      executions: evidence.records,
      images,
      logs,
      ...(tables.length ? { tables } : {}),
      ...(virtualSeconds !== undefined ? { virtualSeconds: Math.round(virtualSeconds * 1000) / 1000 } : {}),
      ...(handlers !== undefined ? { handlerMs: handlers } : {}),
    });
  } catch (e) {
    return finish({ status: 'error', reason: e instanceof Error ? e.message : String(e), steps: ctx.steps });
  } finally {
    timer.cancel();
    options.signal?.removeEventListener('abort', onAbort);
    if (control) await control.clearFaults().catch(() => undefined);
    clients.destroy();
  }
}

/** Before checking: wait (wall clock) for the executions `then` talks about to finish. */
async function settleExecutions(ctx: RunContext, spec: ScenarioSpec): Promise<void> {
  const t = spec.then;
  const wantsAll = t.executions !== undefined;
  const wantsOne = t.execution !== undefined || t.path || t.states || t.history || t.notVisited;
  const targets = wantsAll
    ? ctx.executions
    : wantsOne
      ? [t.execution?.of ? ctx.executions.find((e) => e.alias === t.execution?.of) : ctx.executions.filter((e) => ctx.claimed.has(e.executionArn)).pop()].filter(
          (e): e is NonNullable<typeof e> => e !== undefined,
        )
      : [];
  // A status expectation of RUNNING means "do not wait".
  const st = t.execution?.status;
  if (!wantsAll && (st === 'RUNNING' || (Array.isArray(st) && st.includes('RUNNING')))) return;
  for (const e of targets) {
    await poll(
      async () => (TERMINAL.has(String((await describe(ctx.clients.sfn, e.executionArn)).status)) ? true : undefined),
      ctx.waitTimeoutMs,
      () => new StepError('timeout'),
      ctx.signal,
      changesOf(ctx.control, [executionTopic(e.executionArn)]),
    ).catch(() => undefined);
  }
}

/**
 * then.items / then.tables against the tables as they are now; none for a
 * scenario that checks no table — its DynamoDB clients are then never made
 * (nor their package loaded).
 */
async function tableChecks(clients: AwsClients, then: ScenarioSpec['then']): Promise<CheckResult[]> {
  return then.items || then.tables ? checkTables(then, await collectTableEvidence(clients.dynamodb, clients.documents, then)) : [];
}

/**
 * Before checking then.messages / then.deadLetters / then.events: wait (wall
 * clock) until they hold — deliveries through event source mappings and rule
 * targets, retries after a visibility timeout or a failed delivery, and
 * redrives come after the steps — and with them then.invocations,
 * then.coldStarts and then.items / then.tables (what the functions those
 * deliveries invoke do: a rule's Lambda target is invoked asynchronously,
 * after the delivery), or the wait limit. The same wait, for those last
 * checks alone, when the steps started deliveries (steps.ts startsDeliveries):
 * a `send` followed by `invocations: {Worker: 1}` counts Worker's invocation
 * once the event source mapping has made it.
 */
async function settleQueues(ctx: RunContext, spec: ScenarioSpec): Promise<void> {
  const control = ctx.control;
  const then = spec.then;
  const deliveries = then.messages || then.deadLetters || then.events || ((then.invocations || then.coldStarts || then.items || then.tables) && startsDeliveries(spec.when));
  if (!control || !ctx.backend.capabilities.observations || !deliveries) return;
  const tablesHold = async () => (await tableChecks(ctx.clients, then)).every((c) => c.status === 'passed');
  const settled = async (obs: ObservationsSnapshot) => queuesSettled(then, obs) && eventsSettled(then, obs) && invocationsHold(then, obs) && (await tablesHold());
  // Woken by what is observed, and by executions (a task's DynamoDB write shows in its history).
  const topics = ['observations', 'executions', ...ctx.executions.map((e) => executionTopic(e.executionArn))];
  await poll(async () => ((await settled(await control.observations())) ? true : undefined), ctx.waitTimeoutMs, () => new StepError('timeout'), ctx.signal, changesOf(control, topics)).catch(
    () => undefined,
  );
}

interface Collected {
  evidence: Evidence;
  records: ExecutionRecord[];
  observations?: ObservationsSnapshot;
  bodies: Map<string, Buffer>;
}

async function collectEvidence(ctx: RunContext, spec: ScenarioSpec): Promise<Collected> {
  const { clients, control, backend } = ctx;
  // Executions nobody claimed (e.g. started by a function) count too.
  try {
    for (const e of await listAllExecutions(clients.sfn)) if (!ctx.executions.some((x) => x.executionArn === e.executionArn)) ctx.executions.push(e);
  } catch {
    /* Step Functions unreachable: the checks will say so */
  }
  const records: ExecutionRecord[] = [];
  for (const e of ctx.executions) records.push(await recordExecution(clients.sfn, e, true));
  // The claimed ones first-to-last decide "the latest"; unclaimed ones come before them.
  const claimedRecords = records.filter((r) => ctx.claimed.has(r.executionArn));
  const ordered = [...records.filter((r) => !ctx.claimed.has(r.executionArn)), ...claimedRecords];
  const aliases: Record<string, ExecutionRecord> = {};
  for (const r of records) if (r.alias) aliases[r.alias] = r;

  let observations: ObservationsSnapshot | undefined;
  let observationsUnavailable: string | undefined;
  if (control && backend.capabilities.observations) {
    try {
      observations = await control.observations();
    } catch (e) {
      observationsUnavailable = `observations unavailable: ${(e as Error).message}`;
    }
  } else observationsUnavailable = `${backend.name} does not report observations (no /_rehearse control API)`;

  const objects = new Map<string, ObjectEvidence>();
  const prefixes = new Map<string, string[]>();
  const bodies = new Map<string, Buffer>();
  const list = async (bucket: string, prefix: string) => {
    const k = `${bucket}/${prefix}`;
    if (prefixes.has(k)) return;
    const keys: string[] = [];
    let token: string | undefined;
    try {
      do {
        const page = await clients.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix || undefined, ContinuationToken: token }));
        for (const o of page.Contents ?? []) if (o.Key) keys.push(o.Key);
        token = page.NextContinuationToken;
      } while (token && keys.length < 10_000);
    } catch {
      /* no bucket: no keys */
    }
    prefixes.set(k, keys);
  };
  for (const o of spec.then.objects ?? []) {
    if (o.key === undefined) {
      await list(o.bucket, o.prefix ?? '');
      continue;
    }
    const k = `${o.bucket}/${o.key}`;
    if (objects.has(k)) continue;
    const history = o.versions !== undefined || o.deleteMarkers !== undefined ? await versionsOf(clients, o.bucket, o.key) : {};
    try {
      const out = await clients.s3.send(new GetObjectCommand({ Bucket: o.bucket, Key: o.key }));
      const body = Buffer.from(await out.Body!.transformToByteArray());
      bodies.set(k, body);
      const image = o.image ? await inspectImage(body) : undefined;
      objects.set(k, {
        bucket: o.bucket,
        key: o.key,
        exists: true,
        bytes: body.length,
        ...(out.ContentType ? { contentType: out.ContentType } : {}),
        ...(image ? { image } : {}),
        ...(o.json !== undefined ? { json: parseMaybeJson(body.toString('utf8')) } : {}),
        ...(o.tags !== undefined ? { tags: await tagsOf(clients, o.bucket, o.key) } : {}),
        ...history,
      });
    } catch (e) {
      if (!(e instanceof NoSuchKey) && (e as { name?: string }).name !== 'NoSuchKey' && (e as { name?: string }).name !== 'NoSuchBucket') throw e;
      objects.set(k, { bucket: o.bucket, key: o.key, exists: false, ...history });
      await list(o.bucket, '');
    }
  }

  const leakSources: Evidence['leakSources'] = [];
  if (ctx.secretValues.size > 0) {
    for (const r of records) {
      leakSources.push({ where: `execution ${r.name} output`, text: JSON.stringify(r.output ?? null) });
      leakSources.push({ where: `execution ${r.name} history`, text: JSON.stringify(r.history) });
    }
    for (const m of observations?.snsMessages ?? []) leakSources.push({ where: `SNS message on ${m.topicArn.split(':').pop()}`, text: `${m.subject ?? ''}\n${m.message}` });
    for (const inv of observations?.invocations ?? []) {
      if (inv.logs) leakSources.push({ where: `logs of ${inv.functionName} (${inv.requestId})`, text: inv.logs });
    }
  }

  const evidence: Evidence = {
    executions: ordered,
    aliases,
    ...(observations ? { observations } : {}),
    ...(observationsUnavailable ? { observationsUnavailable } : {}),
    objects,
    prefixes,
    secretValues: [...ctx.secretValues],
    leakSources,
    secretsGiven: Object.values(spec.given?.secrets ?? {}).some((v) => v !== null) || spec.when.some((s) => s.rotateSecret !== undefined),
    delayToleranceSeconds: backend.capabilities.virtualTime ? 0.05 : 0.75,
  };
  return { evidence, records: ordered, ...(observations ? { observations } : {}), bodies };
}

async function collectImages(ctx: RunContext, spec: ScenarioSpec, c: Collected, thumbs: boolean): Promise<ImageRecord[]> {
  const out: ImageRecord[] = [];
  const add = async (bucket: string, key: string, body: Buffer, role: ImageRecord['role']) => {
    const info = await inspectImage(body);
    if (!info && role === 'output') return;
    const thumb = thumbs && info ? await thumbnail(body) : undefined;
    out.push({ bucket, key, role, bytes: body.length, ...(info ?? {}), ...(thumb ? { thumbnail: thumb } : {}) });
  };
  for (const i of ctx.inputs.slice(0, 12)) await add(i.bucket, i.key, i.body, 'input');
  for (const o of (spec.then.objects ?? []).filter((x) => x.image && x.key).slice(0, 12)) {
    const body = c.bodies.get(`${o.bucket}/${o.key}`);
    if (body) await add(o.bucket, o.key!, body, 'output');
  }
  return out;
}

async function collectLogs(ctx: RunContext, obs: ObservationsSnapshot | undefined, checks: CheckResult[]): Promise<FunctionLogs[]> {
  if (!obs) return [];
  const failing = new Set<string>();
  for (const inv of obs.invocations) if (inv.error) failing.add(inv.functionName);
  for (const c of checks) if (c.status === 'failed' && c.where?.function) failing.add(c.where.function);
  const out: FunctionLogs[] = [];
  for (const fn of [...failing].slice(0, 5)) {
    const invs = obs.invocations.filter((i) => i.functionName === fn);
    let logs = invs.map((i) => ({ requestId: i.requestId, logs: i.logs ?? '', ...(i.error ? { error: `${i.error.errorType}: ${i.error.errorMessage}` } : {}) }));
    if (logs.every((l) => !l.logs) && ctx.control) {
      try {
        const fetched = await ctx.control.logs(fn);
        logs = fetched.map((f) => ({ ...f, ...(invs.find((i) => i.requestId === f.requestId)?.error ? { error: invs.find((i) => i.requestId === f.requestId)!.error!.errorType } : {}) }));
      } catch {
        /* keep what we have */
      }
    }
    out.push({ functionName: fn, invocations: logs.slice(-5) });
  }
  return out;
}


/** How many versions and delete markers `key` has (ListObjectVersions pages, only that key). */
async function versionsOf(clients: AwsClients, bucket: string, key: string): Promise<{ versions: number; deleteMarkers: number }> {
  let versions = 0;
  let deleteMarkers = 0;
  let KeyMarker: string | undefined;
  let VersionIdMarker: string | undefined;
  for (;;) {
    const r = await clients.s3.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: key, KeyMarker, VersionIdMarker }));
    versions += (r.Versions ?? []).filter((v) => v.Key === key).length;
    deleteMarkers += (r.DeleteMarkers ?? []).filter((m) => m.Key === key).length;
    if (!r.IsTruncated) return { versions, deleteMarkers };
    KeyMarker = r.NextKeyMarker;
    VersionIdMarker = r.NextVersionIdMarker;
  }
}

async function tagsOf(clients: AwsClients, bucket: string, key: string): Promise<Record<string, string>> {
  const r = await clients.s3.send(new GetObjectTaggingCommand({ Bucket: bucket, Key: key }));
  return Object.fromEntries((r.TagSet ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
}
