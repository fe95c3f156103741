/**
 * AWS::DynamoDB::Table and AWS::Serverless::SimpleTable deployed from a SAM
 * template onto the embedded endpoint: indexes, stream, TTL and tags as
 * written; Ref / GetAtt Arn / GetAtt StreamArn in a function's environment
 * (with a DynamoDBCrudPolicy); functions reaching the tables through
 * AWS_ENDPOINT_URL with unmodified clients — boto3's resource API in Python,
 * the Document client and the plain client in Node; and redeploys: unchanged,
 * an index added and one removed with the items kept, a key change replacing
 * the table.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DescribeTableCommand, DescribeTimeToLiveCommand, DynamoDBClient, ListTagsOfResourceCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbedded, type EmbeddedBackend } from '../../harness/backends/embedded.ts';
import { VirtualClock } from '../../harness/core/index.ts';
import { deploy, type DeployResult } from '../../harness/deploy/index.ts';
import { clientConfig } from '../support/clients.ts';

const template = (indexes: string, notebookKey = 'uploadKey') => `
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage: { Type: String, Default: dev }
Resources:
  Notebook:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: !Sub "notebook-\${Stage}"
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - { AttributeName: ${notebookKey}, AttributeType: S }
        - { AttributeName: status, AttributeType: S }
        - { AttributeName: bytes, AttributeType: N }
      KeySchema: [{ AttributeName: ${notebookKey}, KeyType: HASH }]
      GlobalSecondaryIndexes:
${indexes}
      StreamSpecification: { StreamViewType: NEW_AND_OLD_IMAGES }
      TimeToLiveSpecification: { AttributeName: expiresAt, Enabled: true }
      Tags: [{ Key: app, Value: image-processor }]
  Sessions:
    Type: AWS::Serverless::SimpleTable
    Properties:
      PrimaryKey: { Name: sessionId, Type: String }
      Tags: { team: imaging }
  PyWriter:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: py-writer
      Runtime: python3.11
      Handler: index.handler
      Policies:
        - DynamoDBCrudPolicy: { TableName: !Ref Notebook }
      Environment:
        Variables:
          TABLE: !Ref Notebook
          TABLE_ARN: !GetAtt Notebook.Arn
          STREAM_ARN: !GetAtt Notebook.StreamArn
          SESSIONS: !Ref Sessions
      InlineCode: |
        import os, boto3
        from decimal import Decimal
        from boto3.dynamodb.conditions import Key
        table = boto3.resource('dynamodb').Table(os.environ['TABLE'])
        def handler(event, context):
            with table.batch_writer() as batch:
                for i, k in enumerate(event['keys']):
                    batch.put_item(Item={'${notebookKey}': k, 'status': 'DONE', 'bytes': Decimal(100 * (i + 1))})
            got = table.query(KeyConditionExpression=Key('${notebookKey}').eq(event['keys'][0]))['Items']
            boto3.resource('dynamodb').Table(os.environ['SESSIONS']).put_item(Item={'sessionId': 's1'})
            return {'env': {k: os.environ[k] for k in ['TABLE', 'TABLE_ARN', 'STREAM_ARN', 'SESSIONS']}, 'bytes': int(got[0]['bytes'])}
  NodeReader:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: node-reader
      Runtime: nodejs20.x
      Handler: index.handler
      Environment: { Variables: { TABLE: !Ref Notebook } }
      InlineCode: |
        exports.handler = async (event) => {
          const { DynamoDBClient, DescribeTableCommand } = await import('@aws-sdk/client-dynamodb');
          const { DynamoDBDocumentClient, GetCommand, UpdateCommand } = await import('@aws-sdk/lib-dynamodb');
          const client = new DynamoDBClient({});
          const doc = DynamoDBDocumentClient.from(client);
          await doc.send(new UpdateCommand({ TableName: process.env.TABLE, Key: { ${notebookKey}: event.key }, UpdateExpression: 'SET viewCount = if_not_exists(viewCount, :z) + :one', ExpressionAttributeValues: { ':z': 0, ':one': 1 } }));
          const { Item } = await doc.send(new GetCommand({ TableName: process.env.TABLE, Key: { ${notebookKey}: event.key } }));
          const { Table } = await client.send(new DescribeTableCommand({ TableName: process.env.TABLE }));
          return { item: Item, count: Table.ItemCount };
        };
`;

const BY_STATUS = `        - { IndexName: by-status, KeySchema: [{ AttributeName: status, KeyType: HASH }], Projection: { ProjectionType: KEYS_ONLY } }`;
const BY_BYTES = `        - { IndexName: by-bytes, KeySchema: [{ AttributeName: bytes, KeyType: HASH }], Projection: { ProjectionType: ALL } }`;

let dir: string;
let file: string;
let be: EmbeddedBackend;
let deployed: DeployResult;
let ddb: DynamoDBClient;
let lambda: LambdaClient;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'rehearse-ddb-deploy-'));
  file = path.join(dir, 'template.yaml');
  writeFileSync(file, template(BY_STATUS));
  be = await startEmbedded({ clock: new VirtualClock(), log: { info() {}, warn() {}, error: (m) => console.error(m) } });
  deployed = await deploy(file, be);
  ddb = new DynamoDBClient(clientConfig(be.endpoint));
  lambda = new LambdaClient(clientConfig(be.endpoint));
}, 60_000);

afterAll(async () => {
  ddb?.destroy();
  lambda?.destroy();
  await be?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

async function invoke(name: string, event: unknown): Promise<Record<string, unknown>> {
  const out = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: JSON.stringify(event) }));
  const payload = JSON.parse(Buffer.from(out.Payload!).toString()) as Record<string, unknown>;
  if (out.FunctionError) throw new Error(`${name} failed: ${JSON.stringify(payload)}`);
  return payload;
}

describe('DynamoDB tables from a template', () => {
  it('creates both tables as written', async () => {
    expect(deployed.changes.filter((c) => c.type.includes('Table')).map((c) => [c.logicalId, c.physicalId, c.action])).toEqual([
      ['Notebook', 'notebook-dev', 'created'],
      ['Sessions', 'Sessions', 'created'],
    ]);
    expect(deployed.tables).toEqual({ Notebook: 'notebook-dev', Sessions: 'Sessions' });
    const { Table } = await ddb.send(new DescribeTableCommand({ TableName: 'notebook-dev' }));
    expect(Table).toMatchObject({
      BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' },
      GlobalSecondaryIndexes: [{ IndexName: 'by-status', Projection: { ProjectionType: 'KEYS_ONLY' } }],
      StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' },
    });
    expect((await ddb.send(new DescribeTimeToLiveCommand({ TableName: 'notebook-dev' }))).TimeToLiveDescription).toEqual({ TimeToLiveStatus: 'ENABLED', AttributeName: 'expiresAt' });
    expect((await ddb.send(new ListTagsOfResourceCommand({ ResourceArn: Table!.TableArn }))).Tags).toEqual([{ Key: 'app', Value: 'image-processor' }]);
    const sessions = (await ddb.send(new DescribeTableCommand({ TableName: 'Sessions' }))).Table;
    expect(sessions).toMatchObject({ KeySchema: [{ AttributeName: 'sessionId', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'sessionId', AttributeType: 'S' }], BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' } });
    expect((await ddb.send(new ListTagsOfResourceCommand({ ResourceArn: sessions!.TableArn }))).Tags).toEqual([{ Key: 'team', Value: 'imaging' }]);
  });

  it('functions reach them through AWS_ENDPOINT_URL: boto3 resource API (batch_writer, Key conditions), Document client, plain client', async () => {
    const py = await invoke('py-writer', { keys: ['raw/a.jpg', 'raw/b.jpg'] });
    const { Table } = await ddb.send(new DescribeTableCommand({ TableName: 'notebook-dev' }));
    expect(py).toEqual({ env: { TABLE: 'notebook-dev', TABLE_ARN: Table!.TableArn, STREAM_ARN: Table!.LatestStreamArn, SESSIONS: 'Sessions' }, bytes: 100 });
    const node = await invoke('node-reader', { key: 'raw/b.jpg' });
    expect(node).toEqual({ item: { uploadKey: 'raw/b.jpg', status: 'DONE', bytes: 200, viewCount: 1 }, count: 2 });
    expect((await ddb.send(new ScanCommand({ TableName: 'Sessions' }))).Items).toEqual([{ sessionId: { S: 's1' } }]);
  });

  it('redeploys: unchanged; then an index added and one removed, items kept; then a key change replaces the table', async () => {
    const same = await deploy(file, be);
    expect(same.changes.filter((c) => c.type.includes('Table')).map((c) => c.action)).toEqual(['unchanged', 'unchanged']);

    writeFileSync(file, template(BY_BYTES));
    const indexed = await deploy(file, be);
    expect(indexed.changes.find((c) => c.logicalId === 'Notebook')).toMatchObject({ action: 'updated', detail: 'index by-status removed; index by-bytes added' });
    const { Table } = await ddb.send(new DescribeTableCommand({ TableName: 'notebook-dev' }));
    expect(Table?.GlobalSecondaryIndexes?.map((g) => g.IndexName)).toEqual(['by-bytes']);
    expect(Table?.ItemCount).toBe(2);

    writeFileSync(file, template(BY_BYTES, 'objectKey'));
    const replaced = await deploy(file, be);
    expect(replaced.changes.find((c) => c.logicalId === 'Notebook')).toMatchObject({ action: 'updated', detail: expect.stringMatching(/^replaced: its key schema/) });
    const after = (await ddb.send(new DescribeTableCommand({ TableName: 'notebook-dev' }))).Table;
    expect(after?.KeySchema).toEqual([{ AttributeName: 'objectKey', KeyType: 'HASH' }]);
    expect(after?.ItemCount).toBe(0);
  });
});
