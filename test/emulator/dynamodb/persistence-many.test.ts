/**
 * DynamoDB under `--data-dir` with many items: 200 items in two tables (one
 * with a GSI), every attribute type, some updated and some deleted after
 * being written, through PutItem, BatchWriteItem, UpdateItem, DeleteItem and
 * TransactWriteItems. After a restart on the same directory every item reads
 * back exactly, the deleted ones are gone, and the GSI answers from the
 * items as they were last written. (persistence.test.ts covers the table
 * settings, tags, TTL and reset.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DeleteItemCommand,
  DescribeTableCommand,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { startEmulator } from '../../../harness/emulator/server.ts';
import { dynamoDbClient } from '../../support/clients.ts';

type Item = Record<string, AttributeValue>;
const dataDir = mkdtempSync(join(tmpdir(), 'rehearse-ddb-many-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const customerKey = (i: number) => `cust#${String(i).padStart(3, '0')}`;
function customer(i: number): Item {
  return {
    id: { S: customerKey(i) },
    name: { S: `Customer ${i} ${'é'.repeat(i % 5)}` },
    since: { N: String(1_700_000_000 + i * 86_400) },
    balance: { N: String(i * 1.25 - 40) },
    avatar: { B: Uint8Array.from({ length: 8 + (i % 9) }, (_, k) => (i * 31 + k * 7) % 256) },
    tags: { SS: [`t${i % 3}`, `t${(i % 3) + 3}`] },
    scores: { NS: [String(i), String(i * 2 + 1)] },
    address: { M: { city: { S: `City ${i % 7}` }, zip: { N: String(10_000 + i) }, lines: { L: [{ S: `${i} Main St` }, { NULL: true }] } } },
    active: { BOOL: i % 2 === 0 },
    ...(i % 4 === 0 ? { note: { S: '' } } : {}),
  };
}
function order(i: number): Item {
  return {
    customer: { S: customerKey(i % 20) },
    seq: { N: String(i) },
    status: { S: i % 3 === 0 ? 'shipped' : 'open' },
    lines: { L: Array.from({ length: 1 + (i % 4) }, (_, k) => ({ M: { sku: { S: `sku-${(i + k) % 11}` }, qty: { N: String(k + 1) } } })) },
    total: { N: String(i * 3 + 0.5) },
  };
}

/** Binary values as base64, so items compare as plain JSON. */
function plain(value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}

async function scanAll(ddb: DynamoDBClient, TableName: string): Promise<Item[]> {
  const items: Item[] = [];
  let ExclusiveStartKey: Item | undefined;
  do {
    // A small Limit: paging over the LevelDB store is part of what must survive the restart.
    const page = await ddb.send(new ScanCommand({ TableName, Limit: 37, ExclusiveStartKey }));
    items.push(...(page.Items ?? []));
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return items;
}

const byKey = (key: (i: Item) => string) => (items: Item[]) => new Map(items.map((i) => [key(i), plain(i)]));
const customersByKey = byKey((i) => i.id!.S!);
const ordersByKey = byKey((i) => `${i.customer!.S}/${i.seq!.N}`);

describe('DynamoDB persistence, many items', () => {
  it('200 items across two tables with a GSI, some updated and some deleted, read back exactly after a restart', async () => {
    const customers = new Map<string, Item>();
    const orders = new Map<string, Item>();
    const okey = (o: Item) => `${o.customer!.S}/${o.seq!.N}`;
    {
      await using emu = await startEmulator({ services: ['dynamodb'], dataDir, log: false });
      const ddb = dynamoDbClient(emu.endpoint);
      await ddb.send(
        new CreateTableCommand({
          TableName: 'customers',
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      await ddb.send(
        new CreateTableCommand({
          TableName: 'orders',
          KeySchema: [{ AttributeName: 'customer', KeyType: 'HASH' }, { AttributeName: 'seq', KeyType: 'RANGE' }],
          AttributeDefinitions: [{ AttributeName: 'customer', AttributeType: 'S' }, { AttributeName: 'seq', AttributeType: 'N' }, { AttributeName: 'status', AttributeType: 'S' }],
          GlobalSecondaryIndexes: [{ IndexName: 'by-status', KeySchema: [{ AttributeName: 'status', KeyType: 'HASH' }, { AttributeName: 'seq', KeyType: 'RANGE' }], Projection: { ProjectionType: 'ALL' } }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      // 80 customers one PutItem each, 120 orders in batches of 25.
      for (let i = 0; i < 80; i++) {
        const c = customer(i);
        await ddb.send(new PutItemCommand({ TableName: 'customers', Item: c }));
        customers.set(c.id!.S!, c);
      }
      const all = Array.from({ length: 120 }, (_, i) => order(i));
      for (let i = 0; i < all.length; i += 25) {
        const out = await ddb.send(new BatchWriteItemCommand({ RequestItems: { orders: all.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
        expect(out.UnprocessedItems).toEqual({});
      }
      for (const o of all) orders.set(okey(o), o);

      // Updates: every 5th order ships (moving between GSI partitions) and gains an attribute; some customers change.
      for (let i = 0; i < 120; i += 5) {
        const o = order(i);
        const out = await ddb.send(
          new UpdateItemCommand({
            TableName: 'orders',
            Key: { customer: o.customer!, seq: o.seq! },
            UpdateExpression: 'SET #s = :s, carrier = :c REMOVE #l',
            ExpressionAttributeNames: { '#s': 'status', '#l': 'lines' },
            ExpressionAttributeValues: { ':s': { S: 'shipped' }, ':c': { S: `carrier-${i % 3}` } },
            ReturnValues: 'ALL_NEW',
          }),
        );
        const { lines: _lines, ...rest } = o;
        const updated = { ...rest, status: { S: 'shipped' }, carrier: { S: `carrier-${i % 3}` } };
        expect(plain(out.Attributes)).toEqual(plain(updated));
        orders.set(okey(o), updated);
      }
      for (let i = 1; i < 80; i += 6) {
        const key = customerKey(i);
        await ddb.send(
          new UpdateItemCommand({
            TableName: 'customers',
            Key: { id: { S: key } },
            UpdateExpression: 'ADD tags :t SET balance = balance + :b, address.city = :city',
            ExpressionAttributeValues: { ':t': { SS: ['vip'] }, ':b': { N: '100' }, ':city': { S: 'Moved' } },
          }),
        );
        const c = customers.get(key)!;
        customers.set(key, {
          ...c,
          tags: { SS: [...c.tags!.SS!, 'vip'] },
          balance: { N: String(Number(c.balance!.N) + 100) },
          address: { M: { ...c.address!.M!, city: { S: 'Moved' } } },
        });
      }
      // Deletes: every 7th customer one by one, every 9th order in one batch, and a transaction doing both.
      for (let i = 0; i < 80; i += 7) {
        await ddb.send(new DeleteItemCommand({ TableName: 'customers', Key: { id: { S: customerKey(i) } } }));
        customers.delete(customerKey(i));
      }
      const doomed = all.filter((_, i) => i % 9 === 4);
      await ddb.send(new BatchWriteItemCommand({ RequestItems: { orders: doomed.map((o) => ({ DeleteRequest: { Key: { customer: o.customer!, seq: o.seq! } } })) } }));
      for (const o of doomed) orders.delete(okey(o));
      const last = order(119);
      await ddb.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            { Delete: { TableName: 'orders', Key: { customer: last.customer!, seq: last.seq! } } },
            { Put: { TableName: 'customers', Item: { ...customer(200), id: { S: 'cust#new' } } } },
          ],
        }),
      );
      orders.delete(okey(last));
      customers.set('cust#new', { ...customer(200), id: { S: 'cust#new' } });
      expect(customers.size + orders.size).toBeGreaterThan(150);
      ddb.destroy();
    }
    {
      await using emu = await startEmulator({ services: ['dynamodb'], dataDir, log: false });
      const ddb = dynamoDbClient(emu.endpoint);
      // Every item exactly (sets come back as written: DynamoDB keeps no set order, nor does the comparison need one here).
      const expectSame = (got: Map<string, unknown>, want: Map<string, Item>) => {
        expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
        for (const [key, item] of want) expect(normaliseSets(got.get(key)), key).toEqual(normaliseSets(plain(item)));
      };
      expectSame(customersByKey(await scanAll(ddb, 'customers')), customers);
      expectSame(ordersByKey(await scanAll(ddb, 'orders')), orders);
      // The deleted ones are gone, read one by one.
      for (let i = 0; i < 80; i += 7) expect((await ddb.send(new GetItemCommand({ TableName: 'customers', Key: { id: { S: customerKey(i) } } }))).Item).toBeUndefined();
      for (let i = 4; i < 120; i += 9) {
        const o = order(i);
        expect((await ddb.send(new GetItemCommand({ TableName: 'orders', Key: { customer: o.customer!, seq: o.seq! } }))).Item).toBeUndefined();
      }
      const one = await ddb.send(new GetItemCommand({ TableName: 'customers', Key: { id: { S: customerKey(13) } }, ConsistentRead: true }));
      expect(normaliseSets(plain(one.Item))).toEqual(normaliseSets(plain(customers.get(customerKey(13)))));
      // The GSI: every shipped order in seq order, none of the deleted, the updated ones included.
      const shipped: Item[] = [];
      let ExclusiveStartKey: Item | undefined;
      do {
        const page = await ddb.send(new QueryCommand({ TableName: 'orders', IndexName: 'by-status', KeyConditionExpression: '#s = :s', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':s': { S: 'shipped' } }, Limit: 15, ExclusiveStartKey }));
        shipped.push(...(page.Items ?? []));
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey);
      const wantShipped = [...orders.values()].filter((o) => o.status!.S === 'shipped').sort((a, b) => Number(a.seq!.N) - Number(b.seq!.N));
      expect(shipped.map((o) => Number(o.seq!.N))).toEqual(wantShipped.map((o) => Number(o.seq!.N)));
      expect(shipped.map(plain)).toEqual(wantShipped.map(plain));
      const open = await ddb.send(new QueryCommand({ TableName: 'orders', IndexName: 'by-status', KeyConditionExpression: '#s = :s', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':s': { S: 'open' } }, Select: 'COUNT' }));
      expect(open.Count).toBe([...orders.values()].filter((o) => o.status!.S === 'open').length);
      expect((await ddb.send(new DescribeTableCommand({ TableName: 'orders' }))).Table?.ItemCount).toBe(orders.size);
      expect((await ddb.send(new DescribeTableCommand({ TableName: 'customers' }))).Table?.ItemCount).toBe(customers.size);
      ddb.destroy();
    }
  }, 120_000);
});

/** String and number sets sorted: DynamoDB promises no order within a set. */
function normaliseSets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(normaliseSets);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, (k === 'SS' || k === 'NS' || k === 'BS') && Array.isArray(v) ? [...(v as string[])].sort() : normaliseSets(v)]),
    );
  }
  return value;
}
