/**
 * The fast constraint check (harness/emulator/dynamodb/constraints.ts)
 * against dynalite's own `checkValidations`, on requests of every operation,
 * valid and broken member by member: whenever the fast check passes a
 * request dynalite passes it too, and (but for the map-key rules the fast
 * check leaves to dynalite) whenever dynalite passes one the fast check does.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { satisfiesConstraints } from '../../../harness/emulator/dynamodb/constraints.ts';
import { REQUESTS } from '../../../harness/emulator/dynamodb/requests.ts';

const require = createRequire(import.meta.url);
const dynalite = require('dynalite/validations/index.js') as {
  checkTypes(data: Record<string, unknown>, types: Record<string, unknown>): Record<string, unknown>;
  checkValidations(data: Record<string, unknown>, types: Record<string, unknown>, custom: undefined, store: undefined): void;
};

type Request = Record<string, unknown>;
const KEY = { pk: { S: 'a' } };
const SCHEMA = { KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }] };

/** A valid request of each operation, then the same with one member broken (or bent to a limit) at a time. */
const BASES: Record<string, Request> = {
  GetItem: { TableName: 'tbl', Key: KEY, ProjectionExpression: 'a', ReturnConsumedCapacity: 'TOTAL' },
  PutItem: { TableName: 'tbl', Item: KEY, ReturnValues: 'ALL_OLD', ReturnValuesOnConditionCheckFailure: 'ALL_OLD' },
  UpdateItem: { TableName: 'tbl', Key: KEY, UpdateExpression: 'SET a = :a', ExpressionAttributeValues: { ':a': { N: '1' } }, ReturnValues: 'UPDATED_NEW' },
  DeleteItem: { TableName: 'tbl.name-1_x', Key: KEY, ReturnItemCollectionMetrics: 'SIZE' },
  Query: { TableName: 'tbl', IndexName: 'byX', KeyConditionExpression: 'pk = :k', Limit: 1, Select: 'COUNT', ExclusiveStartKey: KEY },
  Scan: { TableName: 'tbl', Segment: 0, TotalSegments: 4, Limit: 10, Select: 'ALL_ATTRIBUTES' },
  BatchGetItem: { RequestItems: { tbl: { Keys: [KEY], ConsistentRead: true } } },
  BatchWriteItem: { RequestItems: { tbl: [{ PutRequest: { Item: KEY } }, { DeleteRequest: { Key: KEY } }] } },
  CreateTable: {
    TableName: 'tbl', ...SCHEMA, BillingMode: 'PROVISIONED', ProvisionedThroughput: { ReadCapacityUnits: 1, WriteCapacityUnits: 1 },
    GlobalSecondaryIndexes: [{ IndexName: 'byX', KeySchema: SCHEMA.KeySchema, Projection: { ProjectionType: 'ALL' } }],
    Tags: [{ Key: 'team', Value: '' }], StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
  },
  UpdateTable: { TableName: 'tbl', BillingMode: 'PAY_PER_REQUEST', GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: 'byX' } }] },
  DeleteTable: { TableName: 'tbl' },
  DescribeTable: { TableName: 'tbl' },
  ListTables: { ExclusiveStartTableName: 'tbl', Limit: 100 },
  UpdateTimeToLive: { TableName: 'tbl', TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true } },
  TagResource: { ResourceArn: 'arn:aws:dynamodb:us-east-1:000000000000:table/tbl', Tags: [{ Key: 'k', Value: 'v' }] },
  UntagResource: { ResourceArn: 'arn:aws:dynamodb:us-east-1:000000000000:table/tbl', TagKeys: ['k'] },
  TransactWriteItems: { TransactItems: [{ Put: { TableName: 'tbl', Item: KEY } }, { ConditionCheck: { TableName: 'tbl', Key: KEY, ConditionExpression: 'attribute_exists(pk)' } }], ClientRequestToken: 't' },
  TransactGetItems: { TransactItems: [{ Get: { TableName: 'tbl', Key: KEY } }] },
};

const BAD_NAMES = ['ab', 'a'.repeat(255), 'a'.repeat(256), 'bad name!', 'tbl\n', '', null];
const BENT: Record<string, unknown[]> = {
  Limit: [0, -1, 1, 1e9], Segment: [-1, 0, 999999, 1000000], TotalSegments: [0, 1, 1000000, 1000001],
  Select: ['BAD', 'SPECIFIC_ATTRIBUTES'], ReturnValues: ['BAD', 'NONE'], ReturnConsumedCapacity: ['bad'], BillingMode: ['FREE'],
  IndexName: ['ab', 'x'.repeat(256), 'bad!'], ProjectionExpression: [''], ClientRequestToken: ['', 'x'.repeat(37)],
  RequestItems: [{}, { ab: { Keys: [KEY] } }, { tbl: [] }, { tbl: Array.from({ length: 26 }, () => ({ DeleteRequest: { Key: KEY } })) }, { tbl: { Keys: [] } }],
  KeySchema: [[], [...SCHEMA.KeySchema, ...SCHEMA.KeySchema, ...SCHEMA.KeySchema], [{ AttributeName: '', KeyType: 'HASH' }], [{ AttributeName: 'pk', KeyType: 'SIDEWAYS' }], [{ KeyType: 'HASH' }]],
  AttributeDefinitions: [[{ AttributeName: 'pk', AttributeType: 'X' }], [{ AttributeName: 'pk' }]],
  ProvisionedThroughput: [{ ReadCapacityUnits: 0, WriteCapacityUnits: 1 }, { ReadCapacityUnits: 1 }],
  GlobalSecondaryIndexes: [[], [{ IndexName: 'ab', KeySchema: SCHEMA.KeySchema, Projection: { ProjectionType: 'ALL' } }], [{ IndexName: 'byX', KeySchema: SCHEMA.KeySchema, Projection: { ProjectionType: 'SOME' } }]],
  Tags: [[{ Key: '', Value: 'v' }], [{ Key: 'k'.repeat(129), Value: 'v' }], [{ Key: 'k', Value: 'v'.repeat(257) }], [{ Key: 'k' }]],
  TagKeys: [[], ['']],
  StreamSpecification: [{ StreamViewType: 'NEW_IMAGE' }, { StreamEnabled: true, StreamViewType: 'ALL' }],
  TimeToLiveSpecification: [{ AttributeName: '', Enabled: true }, { Enabled: true }, { AttributeName: 'a'.repeat(256), Enabled: true }],
  ResourceArn: ['', 'x'.repeat(1400)],
  TransactItems: [[], Array.from({ length: 101 }, () => ({ Get: { TableName: 'tbl', Key: KEY } })), [{ Put: { Item: KEY } }], [{ Get: { TableName: 'ab', Key: KEY } }], [{ Update: { TableName: 'tbl', Key: KEY } }]],
  GlobalSecondaryIndexUpdates: [[{ Delete: {} }], [{ Create: { IndexName: 'byX', KeySchema: [], Projection: {} } }]],
};

function variants(base: Request): Request[] {
  const out: Request[] = [base, {}];
  for (const member of Object.keys(base)) {
    out.push(Object.fromEntries(Object.entries(base).filter(([m]) => m !== member)));
    for (const value of member === 'TableName' || member === 'ExclusiveStartTableName' ? BAD_NAMES : (BENT[member] ?? [null])) out.push({ ...base, [member]: value });
  }
  for (const [member, values] of Object.entries(BENT)) if (!(member in base)) for (const value of values) out.push({ ...base, [member]: value });
  return out;
}

function dynalitePasses(data: Request, types: Record<string, unknown>): boolean {
  try {
    dynalite.checkValidations(structuredClone(data), types, undefined, undefined);
    return true;
  } catch (e) {
    expect((e as { body?: { __type?: string } }).body?.__type).toMatch(/ValidationException$/);
    return false;
  }
}

describe('fast constraint check', () => {
  for (const [operation, base] of Object.entries(BASES)) {
    it(`${operation}: passes exactly the requests dynalite passes`, () => {
      const types = REQUESTS[operation as keyof typeof REQUESTS].types;
      // Map-key rules (`keys`, `values`) are left to dynalite: there the fast check may only refuse more.
      const delegates = Object.values(types).some((rules) => typeof rules === 'object' && rules !== null && ('keys' in rules || 'values' in rules));
      let passed = 0;
      let failed = 0;
      for (const input of variants(base)) {
        let data: Request;
        try {
          data = dynalite.checkTypes(structuredClone(input), types);
        } catch {
          continue; // a SerializationException comes first; no constraint is checked
        }
        const want = dynalitePasses(data, types);
        const got = satisfiesConstraints(data, types);
        if (got || !delegates) expect(got, `${operation} ${JSON.stringify(input).slice(0, 300)}`).toBe(want);
        if (want) passed++;
        else failed++;
      }
      // The corpus must hold both kinds for the comparison to mean anything (Tag/UntagResource have no constraints: custom checks only).
      expect(passed).toBeGreaterThan(0);
      if (!['TagResource', 'UntagResource'].includes(operation)) expect(failed).toBeGreaterThan(0);
    });
  }
});
