/**
 * Runs one services.json case (executions recorded against real AWS that call
 * DynamoDB, SQS, SNS, S3 or Secrets Manager) on a real embedded endpoint, as
 * the corpus README says ("services.json — How a runner should compare"):
 * run the setup steps through the SDK, substitute each binding's real value
 * into the definition and input, run the execution through the Step
 * Functions API, normalise (binding values to their recorded tokens, dates,
 * region, partition) and compare status, error, cause, output, event types
 * and — the optional stricter check — the full history. Service-response HTTP
 * metadata (`SdkHttpMetadata`, `SdkResponseMetadata`) is compared loosely:
 * present where the recording has it, its contents not compared.
 */
import { JSONPath } from 'jsonpath-plus';
import { DynamoDBClient, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateStateMachineCommand, DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient, StartExecutionCommand, type HistoryEvent as SdkHistoryEvent } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { HistoryEvent } from '../../../harness/asl/index.ts';
import { VirtualClock } from '../../../harness/core/index.ts';
import { startEmulator, type Emulator } from '../../../harness/emulator/server.ts';
import { clientConfig } from '../../support/clients.ts';
import type { ServiceCase, SetupStep } from './services-cases.ts';
import { diff, normaliseText, sameSequence, wildcardMatch } from './compare.ts';
import { asRecorded, compareFullHistory } from './runner.ts';

export const SERVICES_REGION = 'us-east-1';
/** The account the recordings were made in: ARNs in definitions and inputs name it. */
export const SERVICES_ACCOUNT = '111111111111';
const ROLE_ARN = `arn:aws:iam::${SERVICES_ACCOUNT}:role/sfn-conformance`;
/** Wall-clock guard: an execution that never finishes (a bug) must not hang the run. */
const WALL_LIMIT_MS = 15_000;
/** Compared loosely (README): present where recorded, contents not compared. */
const LOOSE_KEYS = new Set(['SdkHttpMetadata', 'SdkResponseMetadata']);

export interface ServiceCaseResult {
  id: string;
  services: string[];
  passed: boolean;
  reasons: string[];
  /** The stricter optional check; null when exact, undefined when not recorded. */
  fullHistoryDiff?: string | null;
}

type Client = { send(command: unknown): Promise<Record<string, unknown>>; destroy(): void };
type Module = Record<string, unknown>;

/** The SDK clients a run uses, built once per endpoint. */
export class ServiceClients {
  readonly sfn: SFNClient;
  private readonly clients: Record<SetupStep['service'], Client>;
  private readonly modules: Promise<Record<SetupStep['service'], Module>>;

  constructor(endpoint: string) {
    // The fixtures ran boto3: no checksum or Content-Type beyond the parameters given (SDK v3 adds both by default).
    const config = { ...clientConfig(endpoint, SERVICES_REGION), requestChecksumCalculation: 'WHEN_REQUIRED' as const, responseChecksumValidation: 'WHEN_REQUIRED' as const };
    this.sfn = new SFNClient(config);
    this.clients = {
      dynamodb: new DynamoDBClient(config) as unknown as Client,
      sqs: new SQSClient(config) as unknown as Client,
      sns: new SNSClient(config) as unknown as Client,
      s3: withoutDefaultContentType(new S3Client({ ...config, forcePathStyle: true })) as unknown as Client,
      secretsmanager: new SecretsManagerClient(config) as unknown as Client,
    };
    this.modules = Promise.all([
      import('@aws-sdk/client-dynamodb'),
      import('@aws-sdk/client-sqs'),
      import('@aws-sdk/client-sns'),
      import('@aws-sdk/client-s3'),
      import('@aws-sdk/client-secrets-manager'),
    ]).then(([dynamodb, sqs, sns, s3, secretsmanager]) => ({ dynamodb, sqs, sns, s3, secretsmanager }) as Record<SetupStep['service'], Module>);
  }

  /** Runs one setup step (`CreateTable` → CreateTableCommand) and returns its output without `$metadata`. */
  async run(step: SetupStep): Promise<Record<string, unknown>> {
    const Command = (await this.modules)[step.service][`${step.op}Command`] as (new (input: unknown) => unknown) | undefined;
    if (!Command) throw new Error(`setup: ${step.service} has no operation ${step.op}`);
    const { $metadata: _m, ...out } = await this.clients[step.service].send(new Command(step.params));
    if (step.service === 'dynamodb' && step.op === 'CreateTable') {
      // The fixture waits for ACTIVE; the embedded endpoint is ACTIVE at once, and the waiter says so.
      await waitUntilTableExists({ client: this.clients.dynamodb as unknown as DynamoDBClient, maxWaitTime: 10, minDelay: 1 }, { TableName: step.params.TableName as string });
    }
    return out;
  }

  destroy(): void {
    this.sfn.destroy();
    for (const c of Object.values(this.clients)) c.destroy();
  }
}

/** SDK v3 sends `Content-Type: application/octet-stream` for a PutObject without ContentType; boto3 sends none (S3 then stores binary/octet-stream). */
function withoutDefaultContentType(s3: S3Client): S3Client {
  s3.middlewareStack.add(
    (next, context) => async (args) => {
      const input = args.input as { ContentType?: string };
      const request = args.request as { headers?: Record<string, string> };
      if (context.commandName === 'PutObjectCommand' && input.ContentType === undefined && request.headers) delete request.headers['content-type'];
      return next(args);
    },
    { step: 'finalizeRequest', name: 'fixtureContentType' },
  );
  return s3;
}

function replaceAll(text: string, pairs: Array<[string, string]>): string {
  let out = text;
  for (const [from, to] of pairs) if (from !== to && from.length > 0) out = out.split(from).join(to);
  return out;
}

/** A recordedAs that is a literal token (`<test-table>`, `table-name`), not a description of a transformer. */
function isLiteralToken(recordedAs: string): boolean {
  return !/\s/.test(recordedAs);
}

/** Replaces SdkHttpMetadata/SdkResponseMetadata values by a marker: their presence is compared, not their contents. */
function loosen(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(loosen);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, LOOSE_KEYS.has(k) ? '<present>' : loosen(v)]));
  }
  return value;
}

function toEngineShape(e: SdkHistoryEvent): HistoryEvent {
  const out: HistoryEvent = { timestamp: 0, type: e.type ?? '', id: e.id ?? 0, previousEventId: e.previousEventId ?? 0 };
  for (const [k, v] of Object.entries(e)) if (k.endsWith('EventDetails') && v !== undefined) out[k] = v;
  return out;
}

async function waitForEnd(sfn: SFNClient, executionArn: string): Promise<Record<string, unknown> | undefined> {
  const deadline = performance.now() + WALL_LIMIT_MS;
  for (;;) {
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (d.status !== 'RUNNING') return d as unknown as Record<string, unknown>;
    if (performance.now() > deadline) return undefined;
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function historyOf(sfn: SFNClient, executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, ...(nextToken ? { nextToken } : {}) }));
    events.push(...(page.events ?? []).map(toEngineShape));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

export async function runServiceCase(emulator: Emulator, clients: ServiceClients, c: ServiceCase, index: number): Promise<ServiceCaseResult> {
  const result = (passed: boolean, reasons: string[], fullHistoryDiff?: string | null): ServiceCaseResult => ({ id: c.id, services: c.features.services, passed, reasons, fullHistoryDiff });
  await emulator.reset();

  // 1. Setup, in order.
  const steps: Array<{ params: Record<string, unknown>; result: Record<string, unknown> }> = [];
  for (const step of c.setup) {
    try {
      steps.push({ params: step.params, result: await clients.run(step) });
    } catch (e) {
      return result(false, [`setup ${step.service}:${step.op} failed: ${(e as Error).name}: ${(e as Error).message}`]);
    }
  }

  // 2. Substitute each binding's real value (longest first: a queue URL contains its name).
  const bindings = c.bindings
    .map((b) => {
      const real = JSONPath({ path: b.from, json: steps[b.step] ?? {}, wrap: false }) as unknown;
      return { ...b, real: typeof real === 'string' ? real : b.value };
    })
    .sort((a, b) => b.value.length - a.value.length);
  const substitute = bindings.map((b) => [b.value, b.real] as [string, string]);
  const definition = replaceAll(c.definitionText, substitute);
  const input = replaceAll(c.inputText, substitute);

  // 3. Normalise as the recording did: real values to their tokens, then dates, region and partition.
  const tokens = bindings.filter((b) => isLiteralToken(b.recordedAs)).sort((a, b) => b.real.length - a.real.length).map((b) => [b.real, b.recordedAs] as [string, string]);
  const normaliseString = (text: string) => normaliseText(replaceAll(text, tokens));
  const normaliseValue = (value: unknown): unknown => (value === undefined ? undefined : loosen(JSON.parse(normaliseString(JSON.stringify(value)))));

  let executionArn: string;
  try {
    const sm = await clients.sfn.send(
      new CreateStateMachineCommand({ name: `conformance-${index}`, definition, roleArn: ROLE_ARN, type: c.stateMachineType }),
    );
    executionArn = (await clients.sfn.send(new StartExecutionCommand({ stateMachineArn: sm.stateMachineArn, name: 'exec', input }))).executionArn!;
  } catch (e) {
    return result(false, [`start failed: ${(e as Error).name}: ${(e as Error).message}`]);
  }
  const described = await waitForEnd(clients.sfn, executionArn);
  if (!described) return result(false, [`did not finish within ${WALL_LIMIT_MS} ms wall time`]);
  const history = await historyOf(clients.sfn, executionArn);

  // 4. Compare.
  const reasons: string[] = [];
  const exp = c.expected;
  const status = described.status as string;
  const failure = history.find((e) => e.type === 'ExecutionFailed' || e.type === 'ExecutionTimedOut')?.[status === 'FAILED' ? 'executionFailedEventDetails' : 'executionTimedOutEventDetails'] as
    | { error?: string; cause?: string }
    | undefined;
  if (status !== exp.status) reasons.push(`status ${status} ≠ ${exp.status}${failure ? ` (${failure.error}: ${failure.cause})` : ''}`);
  const wildcardPaths = new Set(exp.placeholders.map((p) => p.path));
  if (exp.status === 'SUCCEEDED' && status === 'SUCCEEDED') {
    const actual = normaliseValue(JSON.parse((described.output as string | undefined) ?? 'null'));
    const d = diff(actual, loosen(exp.output), '$.output', wildcardPaths);
    if (d) reasons.push(`output differs at ${d}: ${JSON.stringify(actual).slice(0, 400)} ≠ ${JSON.stringify(exp.output).slice(0, 400)}`);
  }
  if (exp.status !== 'SUCCEEDED') {
    if ((failure?.error ?? null) !== exp.error) reasons.push(`error ${failure?.error} ≠ ${exp.error}`);
    const cause = failure?.cause === undefined ? null : normaliseString(failure.cause);
    if (exp.causeIsParsedJson) {
      let parsed: unknown = cause;
      try {
        parsed = cause === null ? null : JSON.parse(cause);
      } catch {
        // compared as text below
      }
      const d = diff(parsed, exp.cause, '$.cause', wildcardPaths);
      if (d) reasons.push(`cause differs at ${d}: ${cause}`);
    } else if (exp.cause === null ? cause !== null : cause === null || !wildcardMatch(cause, String(exp.cause))) {
      reasons.push(`cause ${JSON.stringify(cause)} ≠ ${JSON.stringify(exp.cause)}`);
    }
  }
  const eventTypes = history.map((e) => e.type);
  if (exp.historyEventTypes !== null && !sameSequence(eventTypes, exp.historyEventTypes, c.features.concurrentBranches === true)) {
    reasons.push(`events ${eventTypes.join(',')} ≠ ${exp.historyEventTypes.join(',')}`);
  }
  const fullHistoryDiff = exp.history === null || c.features.concurrentBranches ? undefined : compareFullHistory(history, exp.history, normaliseValue, (d) => loosen(asRecorded(d)));
  return result(reasons.length === 0, reasons, fullHistoryDiff);
}

/**
 * Every case on one embedded endpoint (reset between cases), on virtual time.
 * No case answers a task token (the recordings' tests never did): time jumps
 * over pending callbacks, so a callback task's TimeoutSeconds runs out as it
 * did on AWS, in no real time.
 */
export async function runServiceCases(cases: ServiceCase[]): Promise<ServiceCaseResult[]> {
  const emulator = await startEmulator({ clock: new VirtualClock({ autoAdvance: 'idle-ignoring-callbacks' }), region: SERVICES_REGION, accountId: SERVICES_ACCOUNT, log: false, seed: 'services-conformance' });
  const clients = new ServiceClients(emulator.endpoint);
  try {
    const results: ServiceCaseResult[] = [];
    for (const [i, c] of cases.entries()) results.push(await runServiceCase(emulator, clients, c, i));
    return results;
  } finally {
    clients.destroy();
    await emulator.dispose();
  }
}

/** Passed/failed per service (a case calling two services counts for both). */
export function byService(results: ServiceCaseResult[]): Map<string, { passed: number; failed: number }> {
  const out = new Map<string, { passed: number; failed: number }>();
  for (const r of results) {
    for (const s of r.services) {
      const e = out.get(s) ?? { passed: 0, failed: 0 };
      if (r.passed) e.passed++;
      else e.failed++;
      out.set(s, e);
    }
  }
  return out;
}
