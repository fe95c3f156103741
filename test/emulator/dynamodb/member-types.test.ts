/**
 * The fast member type check (harness/emulator/dynamodb/member-types.ts)
 * against dynalite's own `checkTypes`, on the request shapes that reach it:
 * for every input both give the same result, or throw the same error.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { fastCheckTypes, type CheckTypes } from '../../../harness/emulator/dynamodb/member-types.ts';
import { REQUESTS } from '../../../harness/emulator/dynamodb/requests.ts';

const require = createRequire(import.meta.url);
const dynalite = (require('dynalite/validations/index.js') as { checkTypes: CheckTypes }).checkTypes;
const fast = fastCheckTypes(dynalite);

const B64 = Buffer.from('bytes!').toString('base64');
/** Attribute values, well formed or not: each must come out as dynalite makes it. */
const VALUES: unknown[] = [
  { S: 'x' }, { S: '' }, { N: '1.50' }, { B: B64 }, { BOOL: true }, { BOOL: false }, { NULL: true },
  { SS: ['a', 'b'] }, { NS: ['1', '2'] }, { BS: [B64] }, { SS: [] },
  { L: [{ S: 'a' }, { M: { n: { N: '1' } } }, { L: [] }] }, { M: { a: { S: 'a' }, b: { L: [{ BOOL: true }] } } }, { M: {} },
  // dynalite converts, drops or refuses these: the fast path must hand them over.
  { BOOL: 'true' }, { BOOL: 'no' }, { NULL: 1 }, { S: 1 }, { S: 1.5 }, { N: 5 }, { S: true }, { S: ['a'] }, { S: { a: 1 } },
  { B: 'abc' }, { B: 'ab==x' }, { B: 'YW=' }, { B: 3 }, { BS: ['abc'] }, { SS: 'a' }, { SS: [1] }, { SS: [null] }, { NS: [true] },
  { L: {} }, { L: [null] }, { L: [{ S: 1 }] }, { M: [] }, { M: { a: null } }, { M: { a: { S: 2 } } }, { M: 'x' },
  {}, { S: 'a', N: '1' }, { N: '1', S: 'a' }, { S: null }, { S: 'a', X: 1 }, { X: 'y' }, { S: 'a', N: null },
  null, 'S', 1, true, [], [{ S: 'a' }],
];

const clone = <T>(v: T): T => (v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T));

function outcome(check: CheckTypes, input: unknown, types: Record<string, unknown>) {
  try {
    return { ok: check(clone(input) as Record<string, unknown>, types) };
  } catch (e) {
    const err = e as { message?: string; statusCode?: number; body?: unknown };
    return { error: { message: err.message, statusCode: err.statusCode, body: err.body } };
  }
}

function same(input: unknown, types: Record<string, unknown>) {
  const want = outcome(dynalite, input, types);
  const got = outcome(fast, input, types);
  expect(got, JSON.stringify(input)).toEqual(want);
  // Member order too: the output object is what validation and the store see next.
  if ('ok' in want && 'ok' in got) expect(JSON.stringify(got.ok)).toBe(JSON.stringify(want.ok));
}

describe('fast member type check', () => {
  it('PutItem: every attribute value alone and all of them in one item, as dynalite checks them', () => {
    const types = REQUESTS.PutItem.types;
    for (const v of VALUES) same({ TableName: 'tbl', Item: { pk: { S: 'k' }, v } }, types);
    const good = VALUES.slice(0, 14);
    same({ TableName: 'tbl', Item: Object.fromEntries(good.map((v, i) => [`a${i}`, v])), ExpressionAttributeValues: { ':v': { S: 'x' } }, ConditionExpression: 'attribute_not_exists(pk)' }, types);
    same(JSON.parse('{"TableName":"tbl","Item":{"__proto__":{"S":"p"},"pk":{"S":"k"}}}'), types);
  });

  it('the member order of dynalite, and the first error of the first bad member', () => {
    // Two bad members: dynalite reports the one its types list first, whatever the request's order.
    same({ ExpressionAttributeValues: { ':v': { S: 1 } }, Item: { pk: { S: 2 } }, TableName: 'tbl' }, REQUESTS.PutItem.types);
    same({ Item: { pk: { S: 'k' } }, TableName: 5 }, REQUESTS.PutItem.types);
    same({ TableName: 'tbl', Item: null, Unknown: 1, ReturnValues: 'ALL_OLD' }, REQUESTS.PutItem.types);
    same({ TableName: 'tbl', Item: [], Expected: { a: { Value: { S: 'x' } } } }, REQUESTS.PutItem.types);
    same({ TableName: 'tbl', Item: 'x' }, REQUESTS.PutItem.types);
  });

  it('GetItem, UpdateItem, DeleteItem, Query and Scan keys, values and start keys', () => {
    for (const v of VALUES) {
      same({ TableName: 'tbl', Key: { pk: v }, ProjectionExpression: 'a' }, REQUESTS.GetItem.types);
      same({ TableName: 'tbl', Key: { pk: { S: 'k' } }, UpdateExpression: 'SET a = :v', ExpressionAttributeValues: { ':v': v } }, REQUESTS.UpdateItem.types);
      same({ TableName: 'tbl', Key: { pk: v }, ReturnValues: 'ALL_OLD' }, REQUESTS.DeleteItem.types);
      same({ TableName: 'tbl', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': v }, ExclusiveStartKey: { pk: v }, Limit: 2 }, REQUESTS.Query.types);
      same({ TableName: 'tbl', ExclusiveStartKey: { pk: v }, Segment: 0, TotalSegments: 1 }, REQUESTS.Scan.types);
    }
  });

  it('members without a fast path (BatchWriteItem, TransactWriteItems) are dynalite\'s', () => {
    for (const v of VALUES.slice(0, 20)) {
      same({ RequestItems: { tbl: [{ PutRequest: { Item: { pk: v } } }] } }, REQUESTS.BatchWriteItem.types);
      same({ TransactItems: [{ Put: { TableName: 'tbl', Item: { pk: v } } }] }, REQUESTS.TransactWriteItems.types);
    }
  });

  it('a well-formed item is checked without dynalite; one bad value hands the whole member to dynalite', () => {
    const handed: string[] = [];
    const counting = fastCheckTypes((data, types) => {
      handed.push(...Object.keys(data));
      return dynalite(data, types);
    });
    const item = Object.fromEntries(VALUES.slice(0, 14).map((v, i) => [`a${i}`, clone(v)]));
    counting({ TableName: 'tbl', Item: item, ExpressionAttributeValues: { ':v': { N: '1' } }, ConditionExpression: 'a0 = :v' }, REQUESTS.PutItem.types);
    expect(handed.sort()).toEqual(['ConditionExpression', 'TableName']);
    handed.length = 0;
    counting({ TableName: 'tbl', Item: { ...item, bad: { BOOL: 'yes' } } }, REQUESTS.PutItem.types);
    expect(handed.sort()).toEqual(['Item', 'TableName']);
  });
});
