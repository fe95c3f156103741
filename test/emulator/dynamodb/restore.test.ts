/**
 * A restored snapshot brings back the tables as they were, record and
 * items: the endpoint's remembered table records (models.ts) never answer
 * for a table the restore replaced, and are remembered again from the
 * restored database. Real HTTP, SDK v3.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CreateTableCommand, DeleteTableCommand, DescribeTableCommand, GetItemCommand, ListTagsOfResourceCommand, PutItemCommand, TagResourceCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startEmulator, type Emulator } from '../../../harness/emulator/server.ts';
import { dynamoDbClient } from '../../support/clients.ts';

let emu: Emulator;
let ddb: DynamoDBClient;
beforeAll(async () => {
  emu = await startEmulator({ services: ['dynamodb'], log: false });
  ddb = dynamoDbClient(emu.endpoint);
});
afterAll(async () => {
  ddb.destroy();
  await emu.dispose();
});

const create = (type: 'S' | 'N') =>
  ddb.send(new CreateTableCommand({ TableName: 'notes', KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'id', AttributeType: type }], BillingMode: 'PAY_PER_REQUEST' }));

it('answers with the restored table after the table was replaced, each time', async () => {
  const { TableDescription } = await create('S');
  await ddb.send(new PutItemCommand({ TableName: 'notes', Item: { id: { S: 'kept' } } }));
  const snapshot = await emu.snapshot();

  // Replaced by a table of another key type, with a tag, and used (its record is remembered).
  await ddb.send(new DeleteTableCommand({ TableName: 'notes' }));
  await create('N');
  await ddb.send(new TagResourceCommand({ ResourceArn: TableDescription!.TableArn!, Tags: [{ Key: 'k', Value: 'v' }] }));
  await ddb.send(new PutItemCommand({ TableName: 'notes', Item: { id: { N: '1' } } }));

  await emu.restore(snapshot);
  for (let i = 0; i < 2; i++) {
    await expect(ddb.send(new PutItemCommand({ TableName: 'notes', Item: { id: { N: '1' } } }))).rejects.toThrow(/Type mismatch for key/);
    expect((await ddb.send(new GetItemCommand({ TableName: 'notes', Key: { id: { S: 'kept' } } }))).Item).toEqual({ id: { S: 'kept' } });
    expect((await ddb.send(new DescribeTableCommand({ TableName: 'notes' }))).Table!.AttributeDefinitions).toEqual([{ AttributeName: 'id', AttributeType: 'S' }]);
    expect((await ddb.send(new ListTagsOfResourceCommand({ ResourceArn: TableDescription!.TableArn! }))).Tags ?? []).toEqual([]);
  }
});
