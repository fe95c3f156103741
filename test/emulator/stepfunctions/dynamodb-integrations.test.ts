/**
 * The DynamoDB integrations as Step Functions makes them, against the
 * endpoint's own DynamoDB: the optimised `dynamodb:putItem|getItem|updateItem|deleteItem`
 * (raw DynamoDB JSON plus HTTP metadata, errors named after the Java SDK v1
 * classes) and `aws-sdk:dynamodb:*` (errors `DynamoDb.<Code>`), binary
 * attributes as base64. The recorded-against-AWS shapes are checked by the
 * services conformance corpus (test/asl/services-conformance.test.ts).
 */
import { CreateTableCommand, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateStateMachineCommand, DescribeExecutionCommand, StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../harness/emulator/server.ts';
import { dynamoDbClient, sfnClient } from '../../support/clients.ts';

const ROLE = 'arn:aws:iam::000000000000:role/StepFunctionsRole';
let emu: Emulator;
let sfn: SFNClient;

beforeAll(async () => {
  emu = await startEmulator({ services: ['dynamodb', 'states'], clock: 'virtual', log: false, seed: 'sfn-ddb' });
  sfn = sfnClient(emu.endpoint);
  await dynamoDbClient(emu.endpoint).send(
    new CreateTableCommand({ TableName: 'uploads', KeySchema: [{ AttributeName: 'key', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'key', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' }),
  );
});
afterAll(async () => {
  await emu?.dispose();
});

async function run(name: string, definition: unknown, input: unknown = {}) {
  const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name, definition: JSON.stringify(definition), roleArn: ROLE }));
  const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input) }));
  for (let i = 0; i < 500; i++) {
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (d.status !== 'RUNNING') return d;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error(`${name} still RUNNING`);
}

const guardedPut = {
  Type: 'Task',
  Resource: 'arn:aws:states:::dynamodb:putItem',
  Parameters: { TableName: 'uploads', Item: { key: { 'S.$': '$.key' }, status: { S: 'RECEIVED' } }, ConditionExpression: 'attribute_not_exists(#k)', ExpressionAttributeNames: { '#k': 'key' } },
  ResultPath: '$.put',
};

describe('optimised DynamoDB integrations', () => {
  it('putItem, updateItem (ReturnValues), getItem and deleteItem answer DynamoDB JSON with the HTTP metadata', async () => {
    const d = await run('notebook', {
      StartAt: 'Put',
      States: {
        Put: { ...guardedPut, Next: 'Update' },
        Update: {
          Type: 'Task',
          Resource: 'arn:aws:states:::dynamodb:updateItem',
          Parameters: { TableName: 'uploads', Key: { key: { 'S.$': '$.key' } }, UpdateExpression: 'SET #s = :s, bytes = :b', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':s': { S: 'DONE' }, ':b': { N: '2048' } }, ReturnValues: 'UPDATED_NEW' },
          ResultSelector: { 'attributes.$': '$.Attributes' },
          ResultPath: '$.update',
          Next: 'Get',
        },
        Get: { Type: 'Task', Resource: 'arn:aws:states:::dynamodb:getItem', Parameters: { TableName: 'uploads', Key: { key: { 'S.$': '$.key' } } }, ResultPath: '$.get', Next: 'Delete' },
        Delete: { Type: 'Task', Resource: 'arn:aws:states:::dynamodb:deleteItem', Parameters: { TableName: 'uploads', Key: { key: { 'S.$': '$.key' } }, ReturnValues: 'ALL_OLD' }, ResultSelector: { 'old.$': '$.Attributes.status.S' }, ResultPath: '$.delete', End: true },
      },
    }, { key: 'raw/a.jpg' });
    expect(d.status, d.cause).toBe('SUCCEEDED');
    const out = JSON.parse(d.output!);
    expect(out.update.attributes).toEqual({ status: { S: 'DONE' }, bytes: { N: '2048' } });
    expect(out.get.Item).toEqual({ key: { S: 'raw/a.jpg' }, status: { S: 'DONE' }, bytes: { N: '2048' } });
    const meta = out.get.SdkHttpMetadata;
    expect(meta.HttpStatusCode).toBe(200);
    expect(meta.HttpHeaders).toMatchObject({ 'Content-Type': 'application/x-amz-json-1.0', Server: 'Server', Connection: 'keep-alive' });
    // The real response: its length and CRC32.
    expect(Number(meta.HttpHeaders['Content-Length'])).toBe(Buffer.byteLength(JSON.stringify({ Item: out.get.Item })));
    expect(meta.HttpHeaders['x-amz-crc32']).toMatch(/^\d+$/);
    expect(out.get.SdkResponseMetadata.RequestId).toBe(meta.HttpHeaders['x-amzn-RequestId']);
    expect(out.delete).toEqual({ old: 'DONE' });
  });

  it('a failed condition is DynamoDB.ConditionalCheckFailedException (Catch matches it); a validation error is DynamoDB.AmazonDynamoDBException', async () => {
    const definition = {
      StartAt: 'Put',
      States: {
        Put: { ...guardedPut, Catch: [{ ErrorEquals: ['DynamoDB.ConditionalCheckFailedException'], ResultPath: '$.error', Next: 'Duplicate' }], Next: 'Bad' },
        Duplicate: { Type: 'Pass', Result: 'duplicate', ResultPath: '$.outcome', End: true },
        Bad: {
          Type: 'Task',
          Resource: 'arn:aws:states:::dynamodb:updateItem',
          Parameters: { TableName: 'uploads', Key: { key: { 'S.$': '$.key' } }, UpdateExpression: 'SET tries = tries + :one', ExpressionAttributeValues: { ':one': { N: '1' } } },
          End: true,
        },
      },
    };
    const first = await run('guard-1', definition, { key: 'raw/dup.jpg' });
    expect(first.status).toBe('FAILED');
    expect(first.error).toBe('DynamoDB.AmazonDynamoDBException');
    expect(first.cause).toMatch(
      /^The provided expression refers to an attribute that does not exist in the item \(Service: AmazonDynamoDBv2; Status Code: 400; Error Code: ValidationException; Request ID: [0-9a-f-]{36}; Proxy: null\)$/,
    );
    const second = await run('guard-2', definition, { key: 'raw/dup.jpg' });
    expect(second.status, second.cause).toBe('SUCCEEDED');
    const out = JSON.parse(second.output!);
    expect(out.outcome).toBe('duplicate');
    expect(out.error.Error).toBe('DynamoDB.ConditionalCheckFailedException');
    expect(out.error.Cause).toMatch(/^The conditional request failed \(Service: AmazonDynamoDBv2; Status Code: 400; Error Code: ConditionalCheckFailedException; /);
  });
});

describe('aws-sdk:dynamodb:*', () => {
  it('any operation; errors DynamoDb.<Code>; binary attributes travel as base64', async () => {
    const bytes = Buffer.from([0, 255, 16, 32]).toString('base64');
    const d = await run('sdk', {
      StartAt: 'Write',
      States: {
        Write: {
          Type: 'Task',
          Resource: 'arn:aws:states:::aws-sdk:dynamodb:transactWriteItems',
          Parameters: { TransactItems: [{ Put: { TableName: 'uploads', Item: { key: { S: 'bin' }, thumb: { B: bytes }, parts: { BS: [bytes] } } } }] },
          ResultPath: null,
          Next: 'Read',
        },
        Read: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:dynamodb:batchGetItem', Parameters: { RequestItems: { uploads: { Keys: [{ key: { S: 'bin' } }] } } }, ResultPath: '$.read', Next: 'Again' },
        Again: {
          Type: 'Task',
          Resource: 'arn:aws:states:::aws-sdk:dynamodb:transactWriteItems',
          Parameters: { TransactItems: [{ ConditionCheck: { TableName: 'uploads', Key: { key: { S: 'bin' } }, ConditionExpression: 'attribute_not_exists(#k)', ExpressionAttributeNames: { '#k': 'key' } } }] },
          Catch: [{ ErrorEquals: ['DynamoDb.TransactionCanceledException'], ResultPath: '$.error', Next: 'Done' }],
          Next: 'Done',
        },
        Done: { Type: 'Succeed' },
      },
    });
    expect(d.status, d.cause).toBe('SUCCEEDED');
    const out = JSON.parse(d.output!);
    expect(out.read.Responses.uploads).toEqual([{ key: { S: 'bin' }, thumb: { B: bytes }, parts: { BS: [bytes] } }]);
    expect(out.error.Error).toBe('DynamoDb.TransactionCanceledException');
    expect(out.error.Cause).toMatch(/^Transaction cancelled, please refer cancellation reasons for specific reasons \[ConditionalCheckFailed\] \(Service: DynamoDb, Status Code: 400, Request ID: /);
    const stored = await dynamoDbClient(emu.endpoint).send(new GetItemCommand({ TableName: 'uploads', Key: { key: { S: 'bin' } } }));
    expect(Buffer.from(stored.Item!.thumb!.B!).toString('base64')).toBe(bytes);
  });
});
