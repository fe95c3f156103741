/**
 * The DynamoDB service loads dynalite on the first request that needs it
 * (engine.ts) — an unqualified ListTables before then is answered empty, as
 * it would be — and snapshots say the same either way: one taken before that
 * request restores an endpoint with no table, whatever was created after it;
 * one taken after restores what was there. The compiled package, in a
 * process of its own, shows what is loaded when. Real HTTP, SDK v3.
 */
import { execa } from 'execa';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CreateTableCommand, GetItemCommand, ListTablesCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startEmulator, type Emulator } from '../../../harness/emulator/server.ts';
import { build, DIST, isStale } from '../../../scripts/build.ts';
import { dynamoDbClient } from '../../support/clients.ts';

let emu: Emulator;
let ddb: DynamoDBClient;
beforeAll(async () => {
  emu = await startEmulator({ log: false });
  ddb = dynamoDbClient(emu.endpoint);
});
afterAll(async () => {
  ddb.destroy();
  await emu.dispose();
});

it('a snapshot taken before DynamoDB was first used restores no table; one taken after restores the tables and items', async () => {
  const before = await emu.snapshot();
  await ddb.send(new CreateTableCommand({ TableName: 'notes', KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' }));
  await ddb.send(new PutItemCommand({ TableName: 'notes', Item: { id: { S: 'kept' } } }));
  const after = await emu.snapshot();
  await ddb.send(new PutItemCommand({ TableName: 'notes', Item: { id: { S: 'later' } } }));

  await emu.restore(before);
  expect((await ddb.send(new ListTablesCommand({}))).TableNames).toEqual([]);
  await emu.restore(after);
  expect((await ddb.send(new ListTablesCommand({}))).TableNames).toEqual(['notes']);
  expect((await ddb.send(new GetItemCommand({ TableName: 'notes', Key: { id: { S: 'kept' } } }))).Item).toEqual({ id: { S: 'kept' } });
  expect((await ddb.send(new GetItemCommand({ TableName: 'notes', Key: { id: { S: 'later' } } }))).Item).toBeUndefined();
  await emu.restore(before);
  expect((await ddb.send(new ListTablesCommand({}))).TableNames).toEqual([]);
});

it('the compiled endpoint loads dynalite on the first DynamoDB request that needs it, not when it starts', { timeout: 120_000 }, async () => {
  if (isStale()) build();
  const script = `const { startEmulator } = require(${JSON.stringify(`${DIST}/emulator/index.js`)});
const loaded = () => Object.keys(require.cache).some((f) => f.includes('/node_modules/dynalite/'));
(async () => {
  const emu = await startEmulator({ log: false });
  const atStart = loaded();
  await emu.snapshot();
  const afterSnapshot = loaded();
  const call = async (target, body) => { const res = await fetch(emu.endpoint, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.' + target }, body }); return [res.status, await res.json()]; };
  const list = await call('ListTables', '{}');
  const afterList = loaded();
  const badList = await call('ListTables', '{"Limit":0}');
  const afterBadList = loaded();
  const listAgain = await call('ListTables', '{}');
  console.log(JSON.stringify({ atStart, afterSnapshot, list, afterList, badList: [badList[0], badList[1].__type], afterBadList, listAgain }));
  await emu.dispose();
})();`;
  const out = JSON.parse((await execa(process.execPath, ['-e', script])).stdout) as Record<string, unknown>;
  expect(out).toEqual({
    atStart: false,
    afterSnapshot: false,
    // What a report asks of every scenario: no table can exist yet, and the answer is the engine's.
    list: [200, { TableNames: [] }],
    afterList: false,
    // Anything else is the engine's to answer (its validation message included).
    badList: [400, 'ValidationException'],
    afterBadList: true,
    listAgain: [200, { TableNames: [] }],
  });
});
