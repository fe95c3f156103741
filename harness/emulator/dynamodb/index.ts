/**
 * DynamoDB on the embedded endpoint: awsJson 1.0, `X-Amz-Target:
 * DynamoDB_20120810.<Operation>`, every response with the `x-amz-crc32`
 * header the SDKs verify. Wiring only; see operations.ts (dynalite mounted
 * in-process, plus transactions, TTL and the control plane it lacks), made
 * on the first request that needs it (engine.ts).
 */
import type { JsonOperation, JsonProtocolService } from '../../protocol/service.ts';
import { ownSnapshot, type EmulatedService, type ServiceDeps, type ServiceSnapshot } from '../service-deps.ts';
import type { DynamoDbEngine } from './engine.ts';
import type { DynamoDbContents } from './models.ts';
import { tablesOf } from './request-tables.ts';
import { outputJson } from './wire.ts';

export const DYNAMODB_OPERATIONS = [
  'CreateTable',
  'DescribeTable',
  'ListTables',
  'UpdateTable',
  'DeleteTable',
  'DescribeTimeToLive',
  'UpdateTimeToLive',
  'TagResource',
  'UntagResource',
  'ListTagsOfResource',
  'GetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'Query',
  'Scan',
  'BatchGetItem',
  'BatchWriteItem',
  'TransactWriteItems',
  'TransactGetItems',
  'DescribeEndpoints',
  'DescribeLimits',
] as const;

interface DynamoDbSnapshot extends ServiceSnapshot {
  /** Undefined: taken before anything used DynamoDB (no table, no item). */
  contents?: DynamoDbContents;
}

export function createDynamoDbService(deps: ServiceDeps): EmulatedService {
  let engine: Promise<DynamoDbEngine> | undefined;
  // Once made, requests go to it directly (no promise per request: DynamoDB calls are the hottest path here).
  let ready: DynamoDbEngine | undefined;
  const load = () => (engine ??= import('./engine.ts').then((m) => (ready = m.createEngine(deps))));
  // A data directory may hold tables already: a snapshot taken before the first request must copy them.
  // (A store that cannot open fails each request, as the engine's promise does.)
  if (deps.dataDir !== undefined) load().catch(() => undefined);

  // Before the engine is made no table can exist (no data directory): the first page of an unqualified
  // ListTables — what an HTML report asks of every scenario — is then the empty list the engine would give.
  const unused = (name: string, input: Record<string, unknown>) => (engine === undefined && name === 'ListTables' && Object.keys(input).length === 0 ? { TableNames: [] } : undefined);

  const operations: Record<string, JsonOperation> = {};
  for (const name of DYNAMODB_OPERATIONS) operations[name] = (input) => (ready ? ready.run(name, input) : unused(name, input) ?? load().then((e) => e.run(name, input)));

  const protocol: JsonProtocolService = {
    kind: 'json',
    signingName: 'dynamodb',
    targetPrefix: 'DynamoDB_20120810',
    jsonVersion: '1.0',
    operations,
    responseCrc32: true,
    // Timestamps are epoch seconds already (tables.ts).
    plainJsonOutput: true,
    outputJson: (_operation, output) => outputJson(output),
    resourcesOf: (_operation, input) => tablesOf(input),
  };

  return {
    name: 'dynamodb',
    protocols: [protocol],
    async reset() {
      if (engine) await (await engine).reset();
    },
    // Nothing runs in the background (TTL deletes on the next request): a copy of the database is the whole state.
    snapshot: async (): Promise<DynamoDbSnapshot> => (engine ? { service: 'dynamodb', contents: await (await engine).copy() } : { service: 'dynamodb' }),
    async restore(snapshot) {
      const { contents } = ownSnapshot<DynamoDbSnapshot>('dynamodb', snapshot);
      if (contents) await (await load()).replaceAll(contents);
      else if (engine) await (await engine).reset();
    },
    async dispose() {
      if (engine) await (await engine).close();
    },
  };
}
