/**
 * The DynamoDB integrations as Step Functions makes them, against the
 * endpoint's own DynamoDB: the optimised `dynamodb:putItem|getItem|updateItem|deleteItem`
 * (raw DynamoDB JSON plus HTTP metadata, errors named after the Java SDK v1
 * classes) and `aws-sdk:dynamodb:*` (the SDK's response, PascalCase members;
 * errors `DynamoDb.<modelled class>` or `DynamoDb.DynamoDbException`), binary
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
  const ddb = dynamoDbClient(emu.endpoint);
  await ddb.send(
    new CreateTableCommand({ TableName: 'uploads', KeySchema: [{ AttributeName: 'key', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'key', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' }),
  );
  await ddb.send(
    new CreateTableCommand({
      TableName: 'orders',
      KeySchema: [{ AttributeName: 'customer', KeyType: 'HASH' }, { AttributeName: 'seq', KeyType: 'RANGE' }],
      AttributeDefinitions: [{ AttributeName: 'customer', AttributeType: 'S' }, { AttributeName: 'seq', AttributeType: 'N' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  ddb.destroy();
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

describe('aws-sdk:dynamodb query, scan, batchWriteItem and transactWriteItems', () => {
  const order = (customer: string, seq: number, amount: number) => ({ customer: { S: customer }, seq: { N: String(seq) }, amount: { N: String(amount) } });
  const sdk = (action: string, Parameters: Record<string, unknown>, ResultPath: string, Next?: string) => ({
    Type: 'Task',
    Resource: `arn:aws:states:::aws-sdk:dynamodb:${action}`,
    Parameters,
    ResultPath,
    ...(Next ? { Next } : { End: true }),
  });

  it('answer the SDK response as AWS records it: Items/Count/ScannedCount/LastEvaluatedKey, UnprocessedItems, {}', async () => {
    const d = await run('orders-flow', {
      StartAt: 'Write',
      States: {
        Write: sdk('batchWriteItem', { RequestItems: { orders: [order('c1', 1, 10), order('c1', 2, 20), order('c1', 3, 30), order('c2', 1, 5)].map((Item) => ({ PutRequest: { Item } })) } }, '$.write', 'Page1'),
        // Newest first, two per page: the first page says where the next one starts.
        Page1: sdk('query', { TableName: 'orders', KeyConditionExpression: 'customer = :c', ExpressionAttributeValues: { ':c': { S: 'c1' } }, ScanIndexForward: false, Limit: 2 }, '$.page1', 'Page2'),
        Page2: sdk(
          'query',
          { TableName: 'orders', KeyConditionExpression: 'customer = :c', ExpressionAttributeValues: { ':c': { S: 'c1' } }, ScanIndexForward: false, Limit: 2, 'ExclusiveStartKey.$': '$.page1.LastEvaluatedKey' },
          '$.page2',
          'Big',
        ),
        Big: sdk('scan', { TableName: 'orders', FilterExpression: 'amount >= :min', ExpressionAttributeValues: { ':min': { N: '20' } } }, '$.big', 'Pay'),
        Pay: sdk(
          'transactWriteItems',
          {
            TransactItems: [
              { Update: { TableName: 'orders', Key: { customer: { S: 'c1' }, seq: { N: '1' } }, UpdateExpression: 'SET paid = :t', ExpressionAttributeValues: { ':t': { BOOL: true } } } },
              { Delete: { TableName: 'orders', Key: { customer: { S: 'c2' }, seq: { N: '1' } } } },
            ],
          },
          '$.pay',
          'Remove',
        ),
        Remove: sdk('batchWriteItem', { RequestItems: { orders: [{ DeleteRequest: { Key: { customer: { S: 'c1' }, seq: { N: '3' } } } }] } }, '$.remove', 'Left'),
        Left: sdk('scan', { TableName: 'orders', Select: 'COUNT' }, '$.left', 'Paid'),
        Paid: sdk('query', { TableName: 'orders', KeyConditionExpression: 'customer = :c AND seq = :s', ExpressionAttributeValues: { ':c': { S: 'c1' }, ':s': { N: '1' } }, ProjectionExpression: 'paid, amount' }, '$.paid'),
      },
    });
    expect(d.status, d.cause).toBe('SUCCEEDED');
    const out = JSON.parse(d.output!);
    expect(out.write).toEqual({ UnprocessedItems: {} });
    // Recorded against AWS (services.json, DYNAMODB_PUT_QUERY): {"Count", "Items", "ScannedCount"} and no metadata.
    expect(out.page1).toEqual({ Count: 2, Items: [order('c1', 3, 30), order('c1', 2, 20)], ScannedCount: 2, LastEvaluatedKey: { customer: { S: 'c1' }, seq: { N: '2' } } });
    expect(Object.keys(out.page1)).toEqual(['Count', 'Items', 'LastEvaluatedKey', 'ScannedCount']);
    expect(out.page2).toEqual({ Count: 1, Items: [order('c1', 1, 10)], ScannedCount: 1 });
    // A filter counts what it read (ScannedCount) apart from what it kept (Count).
    expect(out.big.ScannedCount).toBe(4);
    expect(out.big.Count).toBe(2);
    expect(Object.keys(out.big)).toEqual(['Count', 'Items', 'ScannedCount']);
    expect((out.big.Items as Array<{ seq: { N: string } }>).map((i) => i.seq.N).sort()).toEqual(['2', '3']);
    expect(out.pay).toEqual({});
    expect(out.remove).toEqual({ UnprocessedItems: {} });
    expect(out.left).toEqual({ Count: 2, ScannedCount: 2 });
    expect(out.paid).toEqual({ Count: 1, Items: [{ paid: { BOOL: true }, amount: { N: '10' } }], ScannedCount: 1 });
  });

  it('a missing table is DynamoDb.ResourceNotFoundException (aws-sdk) and DynamoDB.ResourceNotFoundException (optimised); an unmodelled code is DynamoDb.DynamoDbException', async () => {
    const catching = (state: Record<string, unknown>, error: string, as: string, next: string) => {
      const { End: _end, ...rest } = state;
      return { ...rest, Catch: [{ ErrorEquals: [error], ResultPath: `$.errors.${as}`, Next: next }], End: true };
    };
    const d = await run('missing-table', {
      StartAt: 'Query',
      States: {
        Query: catching(sdk('query', { TableName: 'nope', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'x' } } }, '$.q'), 'DynamoDb.ResourceNotFoundException', 'query', 'Write'),
        Write: catching(sdk('batchWriteItem', { RequestItems: { nope: [{ PutRequest: { Item: { pk: { S: 'x' } } } }] } }, '$.w'), 'DynamoDb.ResourceNotFoundException', 'write', 'Get'),
        Get: catching({ Type: 'Task', Resource: 'arn:aws:states:::dynamodb:getItem', Parameters: { TableName: 'nope', Key: { pk: { S: 'x' } } } }, 'DynamoDB.ResourceNotFoundException', 'get', 'Invalid'),
        // A Scan's Limit must be at least 1: a ValidationException, which the Java SDK v2 does not model.
        Invalid: catching(sdk('scan', { TableName: 'orders', Limit: 0 }, '$.s'), 'DynamoDb.DynamoDbException', 'invalid', 'Done'),
        Done: { Type: 'Succeed' },
      },
    });
    expect(d.status, d.cause).toBe('SUCCEEDED');
    const { errors } = JSON.parse(d.output!);
    const sdkCause = (message: string) => new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(Service: DynamoDb, Status Code: 400, Request ID: [0-9a-f-]{36}\\)$`);
    expect(errors.query.Error).toBe('DynamoDb.ResourceNotFoundException');
    expect(errors.query.Cause).toMatch(sdkCause('Requested resource not found'));
    expect(errors.write.Error).toBe('DynamoDb.ResourceNotFoundException');
    expect(errors.get.Error).toBe('DynamoDB.ResourceNotFoundException');
    expect(errors.get.Cause).toMatch(/^Requested resource not found \(Service: AmazonDynamoDBv2; Status Code: 400; Error Code: ResourceNotFoundException; Request ID: [0-9a-f-]{36}; Proxy: null\)$/);
    expect(errors.invalid.Error).toBe('DynamoDb.DynamoDbException');
    expect(errors.invalid.Cause).toMatch(sdkCause("1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"));
  });
});
