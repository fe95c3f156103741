/**
 * DynamoDB driven by two clients nobody here wrote: the AWS CLI v2 from Debian
 * (/usr/bin/aws) and boto3 from Debian (/usr/bin/python3) — its client API and
 * its resource API (`Table`, `Key(...)` conditions, `batch_writer`). botocore
 * checks the `x-amz-crc32` header of every response, so a wrong one fails here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../harness/emulator/server.ts';
import { hasAwsCli, hasBoto3, runAwsCli, runBoto3 } from '../../support/clients.ts';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ services: ['dynamodb'], log: false });
});
afterAll(async () => {
  await emu?.dispose();
});

async function cli(...args: string[]): Promise<Record<string, unknown>> {
  const r = await runAwsCli(emu.endpoint, ['dynamodb', ...args, '--output', 'json']);
  if (r.exitCode !== 0) throw new Error(`aws dynamodb ${args[0]} failed (${r.exitCode}): ${r.stderr}`);
  return r.stdout.trim() === '' ? {} : (JSON.parse(r.stdout) as Record<string, unknown>);
}

describe.skipIf(!hasAwsCli)('AWS CLI v2', () => {
  it('create-table, put/get/update/query/scan, batch-write-item, transact-write-items; errors exit non-zero with the AWS code', async () => {
    const created = await cli(
      'create-table',
      '--table-name', 'cli-orders',
      '--attribute-definitions', 'AttributeName=pk,AttributeType=S', 'AttributeName=sk,AttributeType=N',
      '--key-schema', 'AttributeName=pk,KeyType=HASH', 'AttributeName=sk,KeyType=RANGE',
      '--billing-mode', 'PAY_PER_REQUEST',
    );
    expect(created.TableDescription).toMatchObject({ TableName: 'cli-orders', TableStatus: 'CREATING' });
    // The CLI's own waiter polls DescribeTable until ACTIVE.
    await cli('wait', 'table-exists', '--table-name', 'cli-orders');

    await cli('put-item', '--table-name', 'cli-orders', '--item', JSON.stringify({ pk: { S: 'c1' }, sk: { N: '1' }, tags: { SS: ['a'] } }));
    const got = await cli('get-item', '--table-name', 'cli-orders', '--key', JSON.stringify({ pk: { S: 'c1' }, sk: { N: '1' } }));
    expect(got.Item).toEqual({ pk: { S: 'c1' }, sk: { N: '1' }, tags: { SS: ['a'] } });
    const updated = await cli(
      'update-item', '--table-name', 'cli-orders', '--key', JSON.stringify({ pk: { S: 'c1' }, sk: { N: '1' } }),
      '--update-expression', 'ADD hits :one', '--expression-attribute-values', JSON.stringify({ ':one': { N: '1' } }), '--return-values', 'ALL_NEW',
    );
    expect(updated.Attributes).toMatchObject({ hits: { N: '1' } });

    const batch = await cli('batch-write-item', '--request-items', JSON.stringify({ 'cli-orders': [2, 3, 4].map((n) => ({ PutRequest: { Item: { pk: { S: 'c1' }, sk: { N: String(n) } } } })) }));
    expect(batch.UnprocessedItems).toEqual({});
    await cli(
      'transact-write-items', '--transact-items',
      JSON.stringify([
        { Put: { TableName: 'cli-orders', Item: { pk: { S: 'c2' }, sk: { N: '1' } }, ConditionExpression: 'attribute_not_exists(pk)' } },
        { Delete: { TableName: 'cli-orders', Key: { pk: { S: 'c1' }, sk: { N: '4' } } } },
      ]),
    );
    const q = await cli('query', '--table-name', 'cli-orders', '--key-condition-expression', 'pk = :p AND sk > :s', '--expression-attribute-values', JSON.stringify({ ':p': { S: 'c1' }, ':s': { N: '1' } }));
    expect((q.Items as Array<{ sk: { N: string } }>).map((i) => i.sk.N)).toEqual(['2', '3']);
    // The CLI pages a scan by itself: --page-size 1 makes it follow LastEvaluatedKey four times.
    const scan = await cli('scan', '--table-name', 'cli-orders', '--page-size', '1');
    expect(scan.Count).toBe(4);

    const refused = await runAwsCli(emu.endpoint, [
      'dynamodb', 'transact-write-items', '--transact-items',
      JSON.stringify([{ ConditionCheck: { TableName: 'cli-orders', Key: { pk: { S: 'c2' }, sk: { N: '1' } }, ConditionExpression: 'attribute_not_exists(pk)' } }]),
    ]);
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toContain('TransactionCanceledException');
    expect(refused.stderr).toContain('[ConditionalCheckFailed]');
    const missing = await runAwsCli(emu.endpoint, ['dynamodb', 'describe-table', '--table-name', 'no-such-table']);
    expect(missing.exitCode).not.toBe(0);
    expect(missing.stderr).toContain('ResourceNotFoundException');
  }, 120_000);
});

describe.skipIf(!hasBoto3)('boto3', () => {
  it('client and resource APIs: Key(...) conditions, batch_writer, conditional writes with modelled exceptions, Decimal numbers', async () => {
    const r = await runBoto3(
      emu.endpoint,
      `
from decimal import Decimal
from boto3.dynamodb.conditions import Key, Attr
ddb = boto3.resource('dynamodb', endpoint_url=ENDPOINT, region_name='us-east-1')
raw = client('dynamodb')
table = ddb.create_table(TableName='py-events', KeySchema=[{'AttributeName': 'pk', 'KeyType': 'HASH'}, {'AttributeName': 'ts', 'KeyType': 'RANGE'}],
    AttributeDefinitions=[{'AttributeName': 'pk', 'AttributeType': 'S'}, {'AttributeName': 'ts', 'AttributeType': 'N'}], BillingMode='PAY_PER_REQUEST')
table.wait_until_exists()
with table.batch_writer() as batch:
    for i in range(40):
        batch.put_item(Item={'pk': 'dev-%d' % (i % 2), 'ts': i, 'celsius': Decimal(i) / 4, 'labels': {'a', 'b'} if i == 0 else {'x'}})
page = table.query(KeyConditionExpression=Key('pk').eq('dev-0') & Key('ts').between(10, 20), FilterExpression=Attr('celsius').gte(Decimal('3')))
total = table.scan(Select='COUNT')['Count']
table.put_item(Item={'pk': 'once', 'ts': 0}, ConditionExpression=Attr('pk').not_exists())
try:
    table.put_item(Item={'pk': 'once', 'ts': 0}, ConditionExpression=Attr('pk').not_exists())
    dup = 'accepted'
except raw.exceptions.ConditionalCheckFailedException as e:
    dup = e.response['Error']['Code']
up = table.update_item(Key={'pk': 'dev-0', 'ts': 0}, UpdateExpression='SET celsius = celsius + :d', ExpressionAttributeValues={':d': Decimal('0.5')}, ReturnValues='UPDATED_NEW')
first = table.get_item(Key={'pk': 'dev-0', 'ts': 0})['Item']
try:
    raw.transact_write_items(TransactItems=[{'Put': {'TableName': 'py-events', 'Item': {'pk': {'S': 'tx'}, 'ts': {'N': '1'}}}},
        {'ConditionCheck': {'TableName': 'py-events', 'Key': {'pk': {'S': 'nobody'}, 'ts': {'N': '1'}}, 'ConditionExpression': 'attribute_exists(pk)'}}])
    tx = 'committed'
except raw.exceptions.TransactionCanceledException as e:
    tx = [r['Code'] for r in e.response['CancellationReasons']]
after_tx = 'Item' in table.get_item(Key={'pk': 'tx', 'ts': 1})
print(json.dumps({'ts': [int(i['ts']) for i in page['Items']], 'count': page['Count'], 'scanned': page['ScannedCount'], 'total': total, 'dup': dup,
    'up': str(up['Attributes']['celsius']), 'labels': sorted(first['labels']), 'tx': tx, 'afterTx': after_tx}))
`,
    );
    expect(r.exitCode, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      ts: [12, 14, 16, 18, 20],
      count: 5,
      scanned: 6,
      total: 40,
      dup: 'ConditionalCheckFailedException',
      up: '0.5',
      labels: ['a', 'b'],
      tx: ['None', 'ConditionalCheckFailed'],
      afterTx: false,
    });
  }, 120_000);
});
