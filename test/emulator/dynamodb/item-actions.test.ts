/**
 * The lean GetItem and PutItem (harness/emulator/dynamodb/item-actions.ts)
 * against dynalite's own actions: two stores, the same requests in the same
 * order, and for each the same result or the same error — then the same
 * stored bytes in both, item and index key spaces alike.
 */
import { createRequire } from 'node:module';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  createDynaliteStore,
  getTable,
  runAction,
  validate,
  validationOf,
  type DynaliteError,
  type DynaliteStore,
} from '../../../harness/emulator/dynamodb/dynalite.ts';
import { getItem, putItem } from '../../../harness/emulator/dynamodb/item-actions.ts';

const require = createRequire(import.meta.url);
type Data = Record<string, unknown>;
const createTable = require('dynalite/actions/createTable.js') as (store: DynaliteStore, data: Data, cb: (err: unknown) => void) => void;

const TABLES: Data[] = [
  { TableName: 'plain', BillingMode: 'PAY_PER_REQUEST', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }] },
  {
    TableName: 'indexed',
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'N' },
      { AttributeName: 'status', AttributeType: 'S' }, { AttributeName: 'size', AttributeType: 'N' },
    ],
    BillingMode: 'PAY_PER_REQUEST',
    GlobalSecondaryIndexes: [{ IndexName: 'byStatus', KeySchema: [{ AttributeName: 'status', KeyType: 'HASH' }], Projection: { ProjectionType: 'KEYS_ONLY' } }],
    LocalSecondaryIndexes: [{ IndexName: 'bySize', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'size', KeyType: 'RANGE' }], Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['note'] } }],
  },
];

/** Requests in order: writes that change what later requests see, conditions that hold and fail, every key and type error. */
const STEPS: Array<['PutItem' | 'GetItem', Data]> = [
  ['GetItem', { TableName: 'plain', Key: { pk: { S: 'a' } } }],
  ['PutItem', { TableName: 'plain', Item: { pk: { S: 'a' }, n: { N: '1.50' }, tags: { SS: ['x', 'y'] }, doc: { M: { l: { L: [{ NULL: true }] } } } }, ReturnConsumedCapacity: 'TOTAL' }],
  ['PutItem', { TableName: 'plain', Item: { pk: { S: 'a' }, n: { N: '2' } }, ReturnValues: 'ALL_OLD' }],
  ['PutItem', { TableName: 'plain', Item: { pk: { S: 'a' }, n: { N: '3' } }, ConditionExpression: 'attribute_not_exists(pk)' }],
  ['PutItem', { TableName: 'plain', Item: { pk: { S: 'a' }, n: { N: '3' } }, ConditionExpression: '#n = :two', ExpressionAttributeNames: { '#n': 'n' }, ExpressionAttributeValues: { ':two': { N: '2' } }, ReturnValues: 'ALL_OLD' }],
  ['PutItem', { TableName: 'plain', Item: { pk: { S: 'b' } }, Expected: { pk: { Exists: false } }, ReturnConsumedCapacity: 'INDEXES' }],
  ['PutItem', { TableName: 'plain', Item: { pk: { N: '1' } } }],
  ['PutItem', { TableName: 'plain', Item: { n: { N: '1' } } }],
  ['PutItem', { TableName: 'plain', Item: { pk: { S: '' } } }],
  ['PutItem', { TableName: 'plain', Item: { pk: { S: 'big' }, blob: { S: 'x'.repeat(400 * 1024) } } }],
  ['GetItem', { TableName: 'plain', Key: { pk: { S: 'a' } }, ReturnConsumedCapacity: 'TOTAL', ConsistentRead: true }],
  ['GetItem', { TableName: 'plain', Key: { pk: { S: 'a' } }, ProjectionExpression: '#n, missing', ExpressionAttributeNames: { '#n': 'n' } }],
  ['GetItem', { TableName: 'plain', Key: { pk: { S: 'a' } }, AttributesToGet: ['pk'] }],
  ['GetItem', { TableName: 'plain', Key: { pk: { S: 'a' } }, ProjectionExpression: 'pk.x' }],
  ['GetItem', { TableName: 'plain', Key: { pk: { N: '1' } } }],
  ['GetItem', { TableName: 'plain', Key: { pk: { S: 'a' }, extra: { S: 'b' } } }],
  ['GetItem', { TableName: 'plain', Key: {} }],
  ['PutItem', { TableName: 'indexed', Item: { pk: { S: 'p' }, sk: { N: '1' }, status: { S: 'new' }, size: { N: '10' }, note: { S: 'kept' }, other: { S: 'dropped' } } }],
  ['PutItem', { TableName: 'indexed', Item: { pk: { S: 'p' }, sk: { N: '1' }, status: { S: 'done' }, size: { N: '11' } }, ReturnValues: 'ALL_OLD', ReturnConsumedCapacity: 'INDEXES' }],
  ['PutItem', { TableName: 'indexed', Item: { pk: { S: 'p' }, sk: { N: '2' } }, ReturnConsumedCapacity: 'INDEXES' }],
  ['PutItem', { TableName: 'indexed', Item: { pk: { S: 'p' }, sk: { N: '3' }, status: { N: '1' } } }],
  ['PutItem', { TableName: 'indexed', Item: { pk: { S: 'p' }, sk: { N: '3' }, status: { S: '' } } }],
  ['PutItem', { TableName: 'indexed', Item: { pk: { S: 'p' } } }],
  ['GetItem', { TableName: 'indexed', Key: { pk: { S: 'p' }, sk: { N: '1.0' } }, ReturnConsumedCapacity: 'INDEXES' }],
  ['GetItem', { TableName: 'indexed', Key: { pk: { S: 'p' } } }],
];

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

async function newStore(): Promise<DynaliteStore> {
  const store = createDynaliteStore(undefined);
  for (const table of TABLES) {
    const data = validate(validationOf('createTable'), clone(table), store);
    await new Promise<void>((resolve, reject) => createTable(store, data, (err) => (err ? reject(err) : resolve())));
  }
  // dynalite marks its tables ACTIVE on a timer (createTableMs: 0).
  for (const table of TABLES) {
    while ((await getTable(store, table.TableName as string, false)).TableStatus !== 'ACTIVE') await new Promise((r) => setTimeout(r, 1));
  }
  return store;
}

type Outcome = { result: Data } | { error: { statusCode?: number; body?: unknown } };

async function outcome(run: () => Promise<Data>): Promise<Outcome> {
  try {
    return { result: await run() };
  } catch (e) {
    const err = e as DynaliteError;
    return { error: { statusCode: err.statusCode, body: err.body } };
  }
}

/** Every stored row but the table records (which carry each store's own TableId). */
async function dump(store: DynaliteStore): Promise<Array<[string, unknown]>> {
  const rows: Array<[string, unknown]> = [];
  for await (const row of store.db.iterator()) if (!row[0].startsWith('table~')) rows.push(row);
  return rows;
}

describe('lean GetItem/PutItem against dynalite actions', () => {
  let ours: DynaliteStore;
  let theirs: DynaliteStore;
  beforeEach(async () => {
    [ours, theirs] = await Promise.all([newStore(), newStore()]);
  });

  it('answers every request as dynalite does and stores the same bytes', async () => {
    let failures = 0;
    for (const [operation, input] of STEPS) {
      const action = operation === 'PutItem' ? 'putItem' : 'getItem';
      const mine = await outcome(async () => {
        const data = validate(validationOf(action), clone(input), ours);
        const table = await getTable(ours, data.TableName as string, true);
        return action === 'putItem' ? putItem(ours, table, data) : getItem(ours, table, data);
      });
      const reference = await outcome(() => runAction(action, theirs, validate(validationOf(action), clone(input), theirs)));
      expect(mine, `${operation} ${JSON.stringify(input).slice(0, 160)}`).toEqual(reference);
      if ('error' in reference) failures++;
    }
    // The corpus exercises both sides: requests that fail (key and type errors, failed conditions) and that succeed.
    expect(failures).toBeGreaterThanOrEqual(10);
    expect(failures).toBeLessThan(STEPS.length - 8);
    const stored = await dump(ours);
    expect(stored).toEqual(await dump(theirs));
    expect(stored.some(([key]) => key.includes('bySize'))).toBe(true);
    expect(stored.some(([key]) => key.includes('byStatus'))).toBe(true);
  });
});
