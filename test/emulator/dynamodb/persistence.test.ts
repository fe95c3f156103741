/**
 * DynamoDB under `--data-dir` (dynalite's LevelDB store): write, restart on
 * the same directory, read back every item, index, TTL setting and tag; and
 * `reset` forgets everything, on disk as in memory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BatchWriteItemCommand,
  CreateTableCommand,
  DescribeTimeToLiveCommand,
  ListTablesCommand,
  ListTagsOfResourceCommand,
  QueryCommand,
  ScanCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { startEmulator } from '../../../harness/emulator/server.ts';
import { dynamoDbClient } from '../../support/clients.ts';

const dataDir = mkdtempSync(join(tmpdir(), 'rehearse-ddb-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('DynamoDB persistence', () => {
  it('a restart on the same data dir loses nothing; reset clears the disk too', async () => {
    const items = Array.from({ length: 60 }, (_, i) => ({ pk: { S: `p${i % 3}` }, sk: { N: String(i) }, kind: { S: i % 2 ? 'odd' : 'even' }, body: { S: 'x'.repeat(i * 10) } }));
    {
      await using emu = await startEmulator({ services: ['dynamodb'], dataDir, log: false });
      const ddb = dynamoDbClient(emu.endpoint);
      await ddb.send(
        new CreateTableCommand({
          TableName: 'kept',
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'N' }, { AttributeName: 'kind', AttributeType: 'S' }],
          GlobalSecondaryIndexes: [{ IndexName: 'by-kind', KeySchema: [{ AttributeName: 'kind', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }], Projection: { ProjectionType: 'KEYS_ONLY' } }],
          BillingMode: 'PAY_PER_REQUEST',
          Tags: [{ Key: 'owner', Value: 'tests' }],
        }),
      );
      for (let i = 0; i < items.length; i += 25) await ddb.send(new BatchWriteItemCommand({ RequestItems: { kept: items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) } }));
      await ddb.send(new UpdateTimeToLiveCommand({ TableName: 'kept', TimeToLiveSpecification: { Enabled: true, AttributeName: 'expiresAt' } }));
      ddb.destroy();
    }
    {
      await using emu = await startEmulator({ services: ['dynamodb'], dataDir, log: false });
      const ddb = dynamoDbClient(emu.endpoint);
      const scanned = await ddb.send(new ScanCommand({ TableName: 'kept' }));
      const byKey = (a: Record<string, { S?: string; N?: string }>) => `${a.pk!.S}/${a.sk!.N!.padStart(3, '0')}`;
      expect((scanned.Items ?? []).map(byKey).sort()).toEqual(items.map(byKey).sort());
      expect(scanned.Items?.find((i) => i.sk?.N === '59')).toEqual(items[59]);
      const odd = await ddb.send(new QueryCommand({ TableName: 'kept', IndexName: 'by-kind', KeyConditionExpression: 'kind = :k', ExpressionAttributeValues: { ':k': { S: 'odd' } }, Select: 'COUNT' }));
      expect(odd.Count).toBe(30);
      expect((await ddb.send(new DescribeTimeToLiveCommand({ TableName: 'kept' }))).TimeToLiveDescription).toEqual({ TimeToLiveStatus: 'ENABLED', AttributeName: 'expiresAt' });
      const tags = await ddb.send(new ListTagsOfResourceCommand({ ResourceArn: 'arn:aws:dynamodb:us-east-1:000000000000:table/kept' }));
      expect(tags.Tags).toEqual([{ Key: 'owner', Value: 'tests' }]);
      await emu.reset();
      expect((await ddb.send(new ListTablesCommand({}))).TableNames).toEqual([]);
      ddb.destroy();
    }
    {
      await using emu = await startEmulator({ services: ['dynamodb'], dataDir, log: false });
      const ddb = dynamoDbClient(emu.endpoint);
      expect((await ddb.send(new ListTablesCommand({}))).TableNames).toEqual([]);
      ddb.destroy();
    }
  }, 60_000);
});
