/**
 * DynamoDB driven by the AWS SDK for JavaScript v3 over real HTTP: the client
 * with default settings and the Document client (@aws-sdk/lib-dynamodb). One
 * endpoint on a VirtualClock for the whole file (TTL runs on it).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  ConditionalCheckFailedException,
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  ListTagsOfResourceCommand,
  PutItemCommand,
  QueryCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  ScanCommand,
  TagResourceCommand,
  TransactionCanceledException,
  TransactGetItemsCommand,
  TransactWriteItemsCommand,
  UntagResourceCommand,
  UpdateItemCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
  type CreateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand as DocQueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { VirtualClock } from '../../../harness/core/index.ts';
import { startEmulator, type Emulator } from '../../../harness/emulator/server.ts';
import { documentClient, dynamoDbClient } from '../../support/clients.ts';

let emu: Emulator;
let ddb: DynamoDBClient;
let doc: DynamoDBDocumentClient;
const clock = new VirtualClock({ start: Date.UTC(2026, 0, 1), autoAdvance: 'off' });

const ORDERS: CreateTableCommandInput = {
  TableName: 'orders',
  KeySchema: [
    { AttributeName: 'pk', KeyType: 'HASH' },
    { AttributeName: 'sk', KeyType: 'RANGE' },
  ],
  AttributeDefinitions: [
    { AttributeName: 'pk', AttributeType: 'S' },
    { AttributeName: 'sk', AttributeType: 'N' },
    { AttributeName: 'status', AttributeType: 'S' },
    { AttributeName: 'total', AttributeType: 'N' },
  ],
  BillingMode: 'PAY_PER_REQUEST',
  GlobalSecondaryIndexes: [{ IndexName: 'by-status', KeySchema: [{ AttributeName: 'status', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }], Projection: { ProjectionType: 'ALL' } }],
  LocalSecondaryIndexes: [{ IndexName: 'by-total', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'total', KeyType: 'RANGE' }], Projection: { ProjectionType: 'KEYS_ONLY' } }],
};

beforeAll(async () => {
  emu = await startEmulator({ services: ['dynamodb'], clock, log: false, seed: 'ddb-sdk' });
  ddb = dynamoDbClient(emu.endpoint);
  doc = documentClient(emu.endpoint);
  await ddb.send(new CreateTableCommand(ORDERS));
  await ddb.send(new CreateTableCommand({ TableName: 'simple', KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' }));
});

afterAll(async () => {
  ddb?.destroy();
  await emu?.dispose();
});

async function rejection(p: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await p;
  } catch (e) {
    return e as Error & Record<string, unknown>;
  }
  throw new Error('expected the call to fail');
}

describe('tables', () => {
  it('CreateTable answers CREATING, the table is ACTIVE at once; DescribeTable shapes; ResourceInUse on a second create', async () => {
    const created = await ddb.send(new CreateTableCommand({ ...ORDERS, TableName: 'orders-2', StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' }, Tags: [{ Key: 'team', Value: 'img' }] }));
    expect(created.TableDescription).toMatchObject({ TableName: 'orders-2', TableStatus: 'CREATING', TableArn: `arn:aws:dynamodb:us-east-1:000000000000:table/orders-2`, ItemCount: 0 });
    expect(created.TableDescription?.GlobalSecondaryIndexes?.[0]?.IndexStatus).toBe('CREATING');
    // The SDK's own waiter sees ACTIVE on its first poll: no real delay on any clock.
    const waited = await waitUntilTableExists({ client: ddb, maxWaitTime: 5, minDelay: 1 }, { TableName: 'orders-2' });
    expect(waited.state).toBe('SUCCESS');
    const { Table } = await ddb.send(new DescribeTableCommand({ TableName: 'orders-2' }));
    expect(Table).toMatchObject({
      TableStatus: 'ACTIVE',
      BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' },
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
      LatestStreamLabel: '2026-01-01T00:00:00.000',
      LatestStreamArn: 'arn:aws:dynamodb:us-east-1:000000000000:table/orders-2/stream/2026-01-01T00:00:00.000',
      GlobalSecondaryIndexes: [{ IndexName: 'by-status', IndexStatus: 'ACTIVE', IndexArn: 'arn:aws:dynamodb:us-east-1:000000000000:table/orders-2/index/by-status' }],
      LocalSecondaryIndexes: [{ IndexName: 'by-total' }],
      DeletionProtectionEnabled: false,
    });
    expect(Table?.CreationDateTime?.getTime()).toBe(Date.UTC(2026, 0, 1));
    const again = await rejection(ddb.send(new CreateTableCommand(ORDERS)));
    expect(again).toBeInstanceOf(ResourceInUseException);
    expect(again.message).toBe('Table already exists: orders');
    const tags = await ddb.send(new ListTagsOfResourceCommand({ ResourceArn: Table!.TableArn }));
    expect(tags.Tags).toEqual([{ Key: 'team', Value: 'img' }]);
    await ddb.send(new TagResourceCommand({ ResourceArn: Table!.TableArn, Tags: [{ Key: 'env', Value: 'ci' }] }));
    await ddb.send(new UntagResourceCommand({ ResourceArn: Table!.TableArn, TagKeys: ['team'] }));
    expect((await ddb.send(new ListTagsOfResourceCommand({ ResourceArn: Table!.TableArn }))).Tags).toEqual([{ Key: 'env', Value: 'ci' }]);
    const deleted = await ddb.send(new DeleteTableCommand({ TableName: 'orders-2' }));
    expect(deleted.TableDescription?.TableStatus).toBe('DELETING');
    expect(await rejection(ddb.send(new DescribeTableCommand({ TableName: 'orders-2' })))).toBeInstanceOf(ResourceNotFoundException);
  });

  it('ListTables pages with Limit and ExclusiveStartTableName', async () => {
    for (const n of ['page-a', 'page-b', 'page-c']) {
      await ddb.send(new CreateTableCommand({ TableName: n, KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' }));
    }
    const first = await ddb.send(new ListTablesCommand({ Limit: 2, ExclusiveStartTableName: 'orders' }));
    expect(first).toMatchObject({ TableNames: ['page-a', 'page-b'], LastEvaluatedTableName: 'page-b' });
    const second = await ddb.send(new ListTablesCommand({ Limit: 2, ExclusiveStartTableName: first.LastEvaluatedTableName }));
    expect(second.TableNames).toEqual(['page-c', 'simple']);
    expect(second.LastEvaluatedTableName).toBeUndefined();
    for (const n of ['page-a', 'page-b', 'page-c']) await ddb.send(new DeleteTableCommand({ TableName: n }));
  });

  it('UpdateTable adds a GSI backfilled from the items, then removes it', async () => {
    await ddb.send(new CreateTableCommand({ TableName: 'gsi-later', KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' }));
    for (const [id, color] of [['1', 'red'], ['2', 'blue'], ['3', 'red']] as const) await ddb.send(new PutItemCommand({ TableName: 'gsi-later', Item: { id: { S: id }, color: { S: color } } }));
    const updated = await ddb.send(
      new UpdateTableCommand({
        TableName: 'gsi-later',
        AttributeDefinitions: [{ AttributeName: 'color', AttributeType: 'S' }],
        GlobalSecondaryIndexUpdates: [{ Create: { IndexName: 'by-color', KeySchema: [{ AttributeName: 'color', KeyType: 'HASH' }], Projection: { ProjectionType: 'ALL' } } }],
      }),
    );
    expect(updated.TableDescription).toMatchObject({ TableStatus: 'UPDATING', GlobalSecondaryIndexes: [{ IndexName: 'by-color', IndexStatus: 'CREATING' }] });
    const reds = await ddb.send(new QueryCommand({ TableName: 'gsi-later', IndexName: 'by-color', KeyConditionExpression: 'color = :c', ExpressionAttributeValues: { ':c': { S: 'red' } } }));
    expect(reds.Items?.map((i) => i.id?.S).sort()).toEqual(['1', '3']);
    await ddb.send(new UpdateTableCommand({ TableName: 'gsi-later', GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: 'by-color' } }] }));
    const gone = await rejection(ddb.send(new QueryCommand({ TableName: 'gsi-later', IndexName: 'by-color', KeyConditionExpression: 'color = :c', ExpressionAttributeValues: { ':c': { S: 'red' } } })));
    expect(gone.name).toBe('ValidationException');
    expect(gone.message).toBe('The table does not have the specified index: by-color');
    await ddb.send(new DeleteTableCommand({ TableName: 'gsi-later' }));
  });
});

describe('items', () => {
  it('PutItem/GetItem keep every type; UpdateItem SET/REMOVE/ADD/DELETE, if_not_exists, list_append, ReturnValues', async () => {
    const item = {
      pk: { S: 'types' },
      sk: { N: '1' },
      s: { S: '' },
      n: { N: '12345678901234567890123456789012345678' },
      b: { B: Buffer.from([0, 1, 2]) },
      ss: { SS: ['a', 'b'] },
      ns: { NS: ['1', '2.5'] },
      l: { L: [{ S: 'x' }, { N: '1' }] },
      m: { M: { k1: { BOOL: true }, nothing: { NULL: true } } },
    };
    await ddb.send(new PutItemCommand({ TableName: 'orders', Item: item }));
    const got = await ddb.send(new GetItemCommand({ TableName: 'orders', Key: { pk: { S: 'types' }, sk: { N: '1' } } }));
    expect(got.Item).toEqual({ ...item, b: { B: new Uint8Array([0, 1, 2]) } });

    const updated = await ddb.send(
      new UpdateItemCommand({
        TableName: 'orders',
        Key: { pk: { S: 'types' }, sk: { N: '1' } },
        UpdateExpression: 'SET #c = if_not_exists(#c, :zero) + :one, l = list_append(l, :more), m.k1 = :f REMOVE s ADD ss :c DELETE ns :two',
        ExpressionAttributeNames: { '#c': 'count' },
        ExpressionAttributeValues: { ':zero': { N: '0' }, ':one': { N: '1' }, ':more': { L: [{ S: 'y' }] }, ':f': { BOOL: false }, ':c': { SS: ['c'] }, ':two': { NS: ['2.5'] } },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    expect(updated.Attributes).toEqual({ count: { N: '1' }, l: { L: [{ S: 'x' }, { N: '1' }, { S: 'y' }] }, m: { M: { k1: { BOOL: false } } }, ss: { SS: ['a', 'b', 'c'] }, ns: { NS: ['1'] } });
    const projected = await ddb.send(new GetItemCommand({ TableName: 'orders', Key: { pk: { S: 'types' }, sk: { N: '1' } }, ProjectionExpression: '#c, m.k1, l[2]', ExpressionAttributeNames: { '#c': 'count' } }));
    expect(projected.Item).toEqual({ count: { N: '1' }, m: { M: { k1: { BOOL: false } } }, l: { L: [{ S: 'y' }] } });
  });

  it('a failed condition is ConditionalCheckFailedException, with the old item when ReturnValuesOnConditionCheckFailure is ALL_OLD', async () => {
    await ddb.send(new PutItemCommand({ TableName: 'simple', Item: { id: { S: 'guard' }, v: { N: '1' } }, ConditionExpression: 'attribute_not_exists(id)' }));
    const plain = await rejection(ddb.send(new PutItemCommand({ TableName: 'simple', Item: { id: { S: 'guard' } }, ConditionExpression: 'attribute_not_exists(id)' })));
    expect(plain).toBeInstanceOf(ConditionalCheckFailedException);
    expect(plain.message).toBe('The conditional request failed');
    expect(plain.Item).toBeUndefined();
    const withOld = await rejection(
      ddb.send(new UpdateItemCommand({ TableName: 'simple', Key: { id: { S: 'guard' } }, UpdateExpression: 'SET v = :n', ConditionExpression: 'v > :n', ExpressionAttributeValues: { ':n': { N: '5' } }, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' })),
    );
    expect(withOld).toBeInstanceOf(ConditionalCheckFailedException);
    expect(withOld.Item).toEqual({ id: { S: 'guard' }, v: { N: '1' } });
    const deleted = await doc.send(new DeleteCommand({ TableName: 'simple', Key: { id: 'guard' }, ConditionExpression: 'v = :one', ExpressionAttributeValues: { ':one': 1 }, ReturnValues: 'ALL_OLD' }));
    expect(deleted.Attributes).toEqual({ id: 'guard', v: 1 });
  });

  it('Query: key conditions, ScanIndexForward, Limit paging with LastEvaluatedKey, FilterExpression, Select COUNT, both indexes; Scan segments', async () => {
    const writes = Array.from({ length: 10 }, (_, i) => ({ PutRequest: { Item: { pk: { S: 'cust#1' }, sk: { N: String(i + 1) }, status: { S: i % 2 ? 'PAID' : 'NEW' }, total: { N: String(100 - i) } } } }));
    const batch = await ddb.send(new BatchWriteItemCommand({ RequestItems: { orders: writes } }));
    expect(batch.UnprocessedItems).toEqual({});
    const q = (extra: object) => ddb.send(new QueryCommand({ TableName: 'orders', KeyConditionExpression: 'pk = :p AND sk BETWEEN :a AND :b', ExpressionAttributeValues: { ':p': { S: 'cust#1' }, ':a': { N: '2' }, ':b': { N: '9' } }, ...extra }));
    const desc = await q({ ScanIndexForward: false, Limit: 3 });
    expect(desc.Items?.map((i) => i.sk?.N)).toEqual(['9', '8', '7']);
    expect(desc.LastEvaluatedKey).toEqual({ pk: { S: 'cust#1' }, sk: { N: '7' } });
    const next = await q({ ScanIndexForward: false, Limit: 3, ExclusiveStartKey: desc.LastEvaluatedKey });
    expect(next.Items?.map((i) => i.sk?.N)).toEqual(['6', '5', '4']);
    const filtered = await ddb.send(
      new QueryCommand({ TableName: 'orders', KeyConditionExpression: 'pk = :p', FilterExpression: '#s = :paid', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':p': { S: 'cust#1' }, ':paid': { S: 'PAID' } } }),
    );
    expect(filtered).toMatchObject({ Count: 5, ScannedCount: 10 });
    const counted = await q({ Select: 'COUNT' });
    expect(counted.Count).toBe(8);
    expect(counted.Items).toBeUndefined();
    const byStatus = await ddb.send(new QueryCommand({ TableName: 'orders', IndexName: 'by-status', KeyConditionExpression: '#s = :n', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':n': { S: 'NEW' } } }));
    expect(byStatus.Items?.map((i) => i.sk?.N)).toEqual(['1', '3', '5', '7', '9']);
    const cheapest = await ddb.send(new QueryCommand({ TableName: 'orders', IndexName: 'by-total', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'cust#1' } }, Limit: 1 }));
    expect(cheapest.Items).toEqual([{ pk: { S: 'cust#1' }, sk: { N: '10' }, total: { N: '91' } }]);

    const segments = await Promise.all([0, 1, 2].map((Segment) => ddb.send(new ScanCommand({ TableName: 'orders', Segment, TotalSegments: 3 }))));
    const all = segments.flatMap((s) => s.Items ?? []).map((i) => `${i.pk?.S}/${i.sk?.N}`);
    expect(new Set(all).size).toBe(all.length);
    expect(all.filter((k) => k.startsWith('cust#1/')).length).toBe(10);
  });

  it('BatchGetItem answers every key in request order with UnprocessedKeys {}', async () => {
    const keys = ['3', '1', '2'].map((sk) => ({ pk: { S: 'cust#1' }, sk: { N: sk } }));
    const out = await ddb.send(new BatchGetItemCommand({ RequestItems: { orders: { Keys: [...keys, { pk: { S: 'nobody' }, sk: { N: '1' } }], ProjectionExpression: 'sk' } } }));
    expect(out.Responses?.orders).toEqual([{ sk: { N: '3' } }, { sk: { N: '1' } }, { sk: { N: '2' } }]);
    expect(out.UnprocessedKeys).toEqual({});
  });
});

describe('transactions', () => {
  it('TransactWriteItems is all or nothing: a failed check cancels every action with one reason each', async () => {
    await ddb.send(new PutItemCommand({ TableName: 'simple', Item: { id: { S: 'acct-a' }, balance: { N: '10' } } }));
    await ddb.send(new PutItemCommand({ TableName: 'simple', Item: { id: { S: 'acct-b' }, balance: { N: '0' } } }));
    const transfer = (amount: number) =>
      ddb.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            { Update: { TableName: 'simple', Key: { id: { S: 'acct-a' } }, UpdateExpression: 'SET balance = balance - :x', ConditionExpression: 'balance >= :x', ExpressionAttributeValues: { ':x': { N: String(amount) } }, ReturnValuesOnConditionCheckFailure: 'ALL_OLD' } },
            { Update: { TableName: 'simple', Key: { id: { S: 'acct-b' } }, UpdateExpression: 'SET balance = balance + :x', ExpressionAttributeValues: { ':x': { N: String(amount) } } } },
            { Put: { TableName: 'orders', Item: { pk: { S: 'ledger' }, sk: { N: String(amount) } } } },
          ],
        }),
      );
    await transfer(4);
    const refused = await rejection(transfer(50));
    expect(refused).toBeInstanceOf(TransactionCanceledException);
    expect(refused.message).toBe('Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed, None, None]');
    expect(refused.CancellationReasons).toEqual([
      { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed', Item: { id: { S: 'acct-a' }, balance: { N: '6' } } },
      { Code: 'None' },
      { Code: 'None' },
    ]);
    const balances = await ddb.send(new TransactGetItemsCommand({ TransactItems: ['acct-a', 'acct-b', 'nobody'].map((id) => ({ Get: { TableName: 'simple', Key: { id: { S: id } } } })) }));
    expect(balances.Responses).toEqual([{ Item: { id: { S: 'acct-a' }, balance: { N: '6' } } }, { Item: { id: { S: 'acct-b' }, balance: { N: '4' } } }, {}]);
    expect((await ddb.send(new GetItemCommand({ TableName: 'orders', Key: { pk: { S: 'ledger' }, sk: { N: '50' } } }))).Item).toBeUndefined();
  });

  it('an action failing while applied rolls back the ones applied before it', async () => {
    await ddb.send(new PutItemCommand({ TableName: 'simple', Item: { id: { S: 'rb-1' }, v: { N: '1' } } }));
    await ddb.send(new PutItemCommand({ TableName: 'simple', Item: { id: { S: 'rb-2' }, v: { S: 'text' } } }));
    const failed = await rejection(
      ddb.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            { Update: { TableName: 'simple', Key: { id: { S: 'rb-1' } }, UpdateExpression: 'SET v = :n', ExpressionAttributeValues: { ':n': { N: '2' } } } },
            { Update: { TableName: 'simple', Key: { id: { S: 'rb-2' } }, UpdateExpression: 'ADD v :n', ExpressionAttributeValues: { ':n': { N: '2' } } } },
          ],
        }),
      ),
    );
    expect(failed.CancellationReasons).toEqual([{ Code: 'None' }, { Code: 'ValidationError', Message: 'An operand in the update expression has an incorrect data type' }]);
    expect((await ddb.send(new GetItemCommand({ TableName: 'simple', Key: { id: { S: 'rb-1' } } }))).Item?.v).toEqual({ N: '1' });
  });

  it('two actions on one item, a ClientRequestToken replayed and reused with other parameters', async () => {
    const dup = await rejection(
      ddb.send(new TransactWriteItemsCommand({ TransactItems: [{ Put: { TableName: 'simple', Item: { id: { S: 'd' } } } }, { Delete: { TableName: 'simple', Key: { id: { S: 'd' } } } }] })),
    );
    expect(dup.name).toBe('ValidationException');
    expect(dup.message).toBe('Transaction request cannot include multiple operations on one item');
    const bump = (by: string) =>
      new TransactWriteItemsCommand({ ClientRequestToken: 'token-1', TransactItems: [{ Update: { TableName: 'simple', Key: { id: { S: 'idem' } }, UpdateExpression: 'ADD v :one', ExpressionAttributeValues: { ':one': { N: by } } } }] });
    await ddb.send(bump('1'));
    await ddb.send(bump('1'));
    expect((await ddb.send(new GetItemCommand({ TableName: 'simple', Key: { id: { S: 'idem' } } }))).Item?.v).toEqual({ N: '1' });
    expect((await rejection(ddb.send(bump('2')))).name).toBe('IdempotentParameterMismatchException');
    // After 10 minutes the token counts no more.
    await clock.advance(10 * 60_000 + 1);
    await ddb.send(bump('2'));
    expect((await ddb.send(new GetItemCommand({ TableName: 'simple', Key: { id: { S: 'idem' } } }))).Item?.v).toEqual({ N: '3' });
  });
});

describe('time to live on the Clock', () => {
  it('expired items vanish at the first request once the Clock passes their expiry; other types and 5-year-old values stay', async () => {
    await ddb.send(new CreateTableCommand({ TableName: 'sessions', KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' }));
    const now = Math.floor(clock.now() / 1000);
    await doc.send(new PutCommand({ TableName: 'sessions', Item: { id: 'before-ttl', expires: now + 60 } }));
    const enabled = await ddb.send(new UpdateTimeToLiveCommand({ TableName: 'sessions', TimeToLiveSpecification: { Enabled: true, AttributeName: 'expires' } }));
    expect(enabled.TimeToLiveSpecification).toEqual({ Enabled: true, AttributeName: 'expires' });
    expect((await ddb.send(new DescribeTimeToLiveCommand({ TableName: 'sessions' }))).TimeToLiveDescription).toEqual({ TimeToLiveStatus: 'ENABLED', AttributeName: 'expires' });
    expect((await rejection(ddb.send(new UpdateTimeToLiveCommand({ TableName: 'sessions', TimeToLiveSpecification: { Enabled: true, AttributeName: 'expires' } })))).message).toBe('TimeToLive is already enabled');
    await doc.send(new PutCommand({ TableName: 'sessions', Item: { id: 'soon', expires: now + 120 } }));
    await doc.send(new PutCommand({ TableName: 'sessions', Item: { id: 'later', expires: now + 3600 } }));
    await doc.send(new PutCommand({ TableName: 'sessions', Item: { id: 'text', expires: String(now) } }));
    await doc.send(new PutCommand({ TableName: 'sessions', Item: { id: 'ancient', expires: now - 6 * 365 * 86_400 } }));
    await doc.send(new UpdateCommand({ TableName: 'sessions', Key: { id: 'extended' }, UpdateExpression: 'SET expires = :t', ExpressionAttributeValues: { ':t': now + 30 } }));
    await doc.send(new UpdateCommand({ TableName: 'sessions', Key: { id: 'extended' }, UpdateExpression: 'SET expires = :t', ExpressionAttributeValues: { ':t': now + 7200 } }));
    const ids = async () => ((await ddb.send(new ScanCommand({ TableName: 'sessions' }))).Items ?? []).map((i) => i.id?.S).sort();
    expect(await ids()).toEqual(['ancient', 'before-ttl', 'extended', 'later', 'soon', 'text']);
    await clock.advance(121_000);
    expect(await ids()).toEqual(['ancient', 'extended', 'later', 'text']);
    await clock.advance(7200_000);
    expect(await ids()).toEqual(['ancient', 'text']);
  });
});

describe('the Document client', () => {
  it('plain JSON in and out: put, conditional update, query, delete, transactions', async () => {
    await doc.send(new PutCommand({ TableName: 'orders', Item: { pk: 'doc', sk: 1, tags: new Set(['a', 'b']), nested: { list: [1, 'two', null], flag: true } } }));
    const got = await doc.send(new GetCommand({ TableName: 'orders', Key: { pk: 'doc', sk: 1 } }));
    expect(got.Item).toEqual({ pk: 'doc', sk: 1, tags: new Set(['a', 'b']), nested: { list: [1, 'two', null], flag: true } });
    const up = await doc.send(new UpdateCommand({ TableName: 'orders', Key: { pk: 'doc', sk: 1 }, UpdateExpression: 'SET nested.flag = :f', ConditionExpression: 'nested.flag = :t', ExpressionAttributeValues: { ':f': false, ':t': true }, ReturnValues: 'ALL_NEW' }));
    expect(up.Attributes?.nested).toEqual({ list: [1, 'two', null], flag: false });
    await doc.send(new TransactWriteCommand({ TransactItems: [{ Put: { TableName: 'orders', Item: { pk: 'doc', sk: 2 } } }, { ConditionCheck: { TableName: 'orders', Key: { pk: 'doc', sk: 1 }, ConditionExpression: 'attribute_exists(pk)' } }] }));
    const q = await doc.send(new DocQueryCommand({ TableName: 'orders', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': 'doc' } }));
    expect(q.Items?.map((i) => i.sk)).toEqual([1, 2]);
    const old = await doc.send(new DeleteCommand({ TableName: 'orders', Key: { pk: 'doc', sk: 2 }, ReturnValues: 'ALL_OLD' }));
    expect(old.Attributes).toEqual({ pk: 'doc', sk: 2 });
  });
});

describe('bad input: DynamoDB\'s error for each, and the endpoint keeps serving', () => {
  const cases: Array<[string, () => Promise<unknown>, string, string | RegExp]> = [
    ['unknown table', () => ddb.send(new GetItemCommand({ TableName: 'no-such-table', Key: { id: { S: 'x' } } })), 'ResourceNotFoundException', 'Requested resource not found'],
    ['key of the wrong type', () => ddb.send(new GetItemCommand({ TableName: 'simple', Key: { id: { N: '1' } } })), 'ValidationException', 'The provided key element does not match the schema'],
    ['item without its key', () => ddb.send(new PutItemCommand({ TableName: 'simple', Item: { other: { S: 'x' } } })), 'ValidationException', 'One or more parameter values were invalid: Missing the key id in the item'],
    ['empty string key', () => ddb.send(new PutItemCommand({ TableName: 'simple', Item: { id: { S: '' } } })), 'ValidationException', 'One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty string value. Key: id'],
    ['item over 400 KB', () => ddb.send(new PutItemCommand({ TableName: 'simple', Item: { id: { S: 'big' }, blob: { S: 'x'.repeat(400 * 1024) } } })), 'ValidationException', 'Item size has exceeded the maximum allowed size'],
    ['malformed condition expression', () => ddb.send(new PutItemCommand({ TableName: 'simple', Item: { id: { S: 'x' } }, ConditionExpression: 'attribute_not_exists(' })), 'ValidationException', /^Invalid ConditionExpression: Syntax error; /],
    ['undefined expression value', () => ddb.send(new UpdateItemCommand({ TableName: 'simple', Key: { id: { S: 'x' } }, UpdateExpression: 'SET a = :missing' })), 'ValidationException', 'Invalid UpdateExpression: An expression attribute value used in expression is not defined; attribute value: :missing'],
    ['reserved word as a name', () => ddb.send(new UpdateItemCommand({ TableName: 'simple', Key: { id: { S: 'x' } }, UpdateExpression: 'SET status = :s', ExpressionAttributeValues: { ':s': { S: 'a' } } })), 'ValidationException', 'Invalid UpdateExpression: Attribute name is a reserved keyword; reserved keyword: status'],
    ['number beyond 38 digits', () => ddb.send(new PutItemCommand({ TableName: 'simple', Item: { id: { S: 'x' }, n: { N: '1'.repeat(39) } } })), 'ValidationException', 'Attempting to store more than 38 significant digits in a Number'],
    ['duplicate in a string set', () => ddb.send(new PutItemCommand({ TableName: 'simple', Item: { id: { S: 'x' }, s: { SS: ['a', 'a'] } } })), 'ValidationException', 'One or more parameter values were invalid: Input collection [a, a] contains duplicates.'],
    ['empty set', () => ddb.send(new PutItemCommand({ TableName: 'simple', Item: { id: { S: 'x' }, s: { SS: [] } } })), 'ValidationException', 'One or more parameter values were invalid: An string set  may not be empty'],
    ['table name too short', () => ddb.send(new DescribeTableCommand({ TableName: 'ab' })), 'ValidationException', 'TableName must be at least 3 characters long and at most 255 characters long'],
    ['transaction of 101 actions', () => ddb.send(new TransactWriteItemsCommand({ TransactItems: Array.from({ length: 101 }, (_, i) => ({ Put: { TableName: 'simple', Item: { id: { S: `t${i}` } } } })) })), 'ValidationException', /Member must have length less than or equal to 100/],
    ['transaction on an unknown table', () => ddb.send(new TransactWriteItemsCommand({ TransactItems: [{ Put: { TableName: 'no-such-table', Item: { id: { S: 'x' } } } }] })), 'ResourceNotFoundException', 'Requested resource not found'],
    ['TTL disabled twice', () => ddb.send(new UpdateTimeToLiveCommand({ TableName: 'simple', TimeToLiveSpecification: { Enabled: false, AttributeName: 'x' } })), 'ValidationException', 'TimeToLive is already disabled'],
  ];
  for (const [what, call, code, message] of cases) {
    it(what, async () => {
      const e = await rejection(call());
      expect(e.name).toBe(code);
      if (typeof message === 'string') expect(e.message).toBe(message);
      else expect(e.message).toMatch(message);
    });
  }

  it('a body that is not JSON is a SerializationException; stored data is intact afterwards', async () => {
    const res = await fetch(emu.endpoint, { method: 'POST', headers: { 'x-amz-target': 'DynamoDB_20120810.PutItem', 'content-type': 'application/x-amz-json-1.0' }, body: '{"TableName":' });
    expect(res.status).toBe(400);
    expect(res.headers.get('x-amz-crc32')).toMatch(/^\d+$/);
    expect(((await res.json()) as { __type: string }).__type).toBe('SerializationException');
    const still = await ddb.send(new GetItemCommand({ TableName: 'simple', Key: { id: { S: 'acct-a' } } }));
    expect(still.Item?.balance).toEqual({ N: '6' });
  });
});

