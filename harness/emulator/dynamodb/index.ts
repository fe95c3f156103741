/**
 * DynamoDB on the embedded endpoint: awsJson 1.0, `X-Amz-Target:
 * DynamoDB_20120810.<Operation>`, every response with the `x-amz-crc32`
 * header the SDKs verify. Wiring only; see operations.ts (dynalite mounted
 * in-process, plus transactions, TTL and the control plane it lacks).
 */
import type { JsonOperation, JsonProtocolService } from '../../protocol/service.ts';
import { ownSnapshot, type EmulatedService, type ServiceDeps, type ServiceSnapshot } from '../service-deps.ts';
import { DynamoDbStore, type DynamoDbContents } from './models.ts';
import { DynamoDbOperations } from './operations.ts';
import { tablesOf } from './requests.ts';
import { TimeToLive } from './ttl.ts';
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
  contents: DynamoDbContents;
}

export function createDynamoDbService(deps: ServiceDeps): EmulatedService {
  const store = new DynamoDbStore(deps.dataDir);
  const ttl = new TimeToLive(deps.clock, store);
  const ops = new DynamoDbOperations(deps, store, ttl);

  const operations: Record<string, JsonOperation> = {};
  for (const name of DYNAMODB_OPERATIONS) {
    operations[name] = (input) => {
      const housekeeping = ops.beforeEach();
      return housekeeping ? housekeeping.then(() => ops[name](input)) : ops[name](input);
    };
  }

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
      ttl.clear();
      await store.clear();
    },
    // Nothing runs in the background (TTL deletes on the next request): a copy of the database is the whole state.
    snapshot: async (): Promise<DynamoDbSnapshot> => ({ service: 'dynamodb', contents: await store.copy() }),
    async restore(snapshot) {
      ttl.clear();
      await store.replaceAll(ownSnapshot<DynamoDbSnapshot>('dynamodb', snapshot).contents);
    },
    async dispose() {
      await store.close();
    },
  };
}
