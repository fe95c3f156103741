/**
 * The DynamoDB service's working parts — the store (dynalite's database),
 * TTL and the operations — made when the endpoint first needs them
 * (index.ts): dynalite and its store are ≈ 25 ms to load, which an endpoint
 * whose scenarios never touch DynamoDB does not pay.
 */
import type { ServiceDeps } from '../service-deps.ts';
import { DynamoDbStore, type DynamoDbContents } from './models.ts';
import { DynamoDbOperations } from './operations.ts';
import { TimeToLive } from './ttl.ts';
import type { DYNAMODB_OPERATIONS } from './index.ts';

export interface DynamoDbEngine {
  run(operation: (typeof DYNAMODB_OPERATIONS)[number], input: Record<string, unknown>): unknown;
  reset(): Promise<void>;
  copy(): Promise<DynamoDbContents>;
  replaceAll(contents: DynamoDbContents): Promise<void>;
  close(): Promise<void>;
}

export function createEngine(deps: ServiceDeps): DynamoDbEngine {
  const store = new DynamoDbStore(deps.dataDir);
  const ttl = new TimeToLive(deps.clock, store);
  const ops = new DynamoDbOperations(deps, store, ttl);
  return {
    run(operation, input) {
      const housekeeping = ops.beforeEach();
      return housekeeping ? housekeeping.then(() => ops[operation](input)) : ops[operation](input);
    },
    async reset() {
      ttl.clear();
      await store.clear();
    },
    copy: () => store.copy(),
    async replaceAll(contents) {
      ttl.clear();
      await store.replaceAll(contents);
    },
    close: () => store.close(),
  };
}
