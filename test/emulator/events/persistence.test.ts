/**
 * --data-dir keeps buses, rules (pattern, schedule, state, tags) and targets
 * across a restart; snapshots put them back as they were.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateEventBusCommand, PutEventsCommand, DescribeRuleCommand, EventBridgeClient, ListEventBusesCommand, ListRulesCommand, ListTagsForResourceCommand, ListTargetsByRuleCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, describe, expect, it } from 'vitest';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { startEmulator } from '../../../harness/emulator/server.ts';

const dir = mkdtempSync(join(tmpdir(), 'rehearse-events-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const client = (endpoint: string) => new EventBridgeClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });

describe('EventBridge on --data-dir', () => {
  it('keeps buses, rules and targets across a restart', async () => {
    {
      await using emu = await startEmulator({ services: ['events'], dataDir: dir, log: false });
      const eb = client(emu.endpoint);
      await eb.send(new CreateEventBusCommand({ Name: 'orders', Tags: [{ Key: 't', Value: '1' }] }));
      await eb.send(new PutRuleCommand({ Name: 'r', EventBusName: 'orders', EventPattern: '{"source":["shop"]}', State: 'DISABLED' }));
      await eb.send(new PutTargetsCommand({ Rule: 'r', EventBusName: 'orders', Targets: [{ Id: 'q', Arn: 'arn:aws:sqs:us-east-1:000000000000:q', InputPath: '$.detail' }] }));
      await eb.send(new PutRuleCommand({ Name: 'nightly', ScheduleExpression: 'cron(0 3 * * ? *)' }));
    }
    await using emu = await startEmulator({ services: ['events'], dataDir: dir, log: false });
    const eb = client(emu.endpoint);
    expect((await eb.send(new ListEventBusesCommand({}))).EventBuses!.map((b) => b.Name)).toEqual(['default', 'orders']);
    expect(await eb.send(new DescribeRuleCommand({ Name: 'r', EventBusName: 'orders' }))).toMatchObject({ State: 'DISABLED', EventPattern: '{"source":["shop"]}' });
    expect((await eb.send(new ListTargetsByRuleCommand({ Rule: 'r', EventBusName: 'orders' }))).Targets).toEqual([{ Id: 'q', Arn: 'arn:aws:sqs:us-east-1:000000000000:q', InputPath: '$.detail' }]);
    expect((await eb.send(new ListRulesCommand({}))).Rules!.map((r) => [r.Name, r.ScheduleExpression])).toEqual([['nightly', 'cron(0 3 * * ? *)']]);
    expect((await eb.send(new ListTagsForResourceCommand({ ResourceARN: 'arn:aws:events:us-east-1:000000000000:event-bus/orders' }))).Tags).toEqual([{ Key: 't', Value: '1' }]);
  });

  it('routes after a restart: a rule and its SQS target put before it deliver a PutEvents sent after it', async () => {
    const routed = mkdtempSync(join(tmpdir(), 'rehearse-events-routed-'));
    try {
      let url: string;
      {
        await using emu = await startEmulator({ services: ['sqs', 'events'], dataDir: routed, log: false });
        const sqs = new SQSClient({ endpoint: emu.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
        url = (await sqs.send(new CreateQueueCommand({ QueueName: 'after-restart' }))).QueueUrl!.replace(emu.endpoint, '');
        const eb = client(emu.endpoint);
        await eb.send(new CreateEventBusCommand({ Name: 'shop' }));
        await eb.send(new PutRuleCommand({ Name: 'paid', EventBusName: 'shop', EventPattern: '{"detail-type":["Paid"],"detail":{"total":[{"numeric":[">",10]}]}}' }));
        await eb.send(new PutTargetsCommand({ Rule: 'paid', EventBusName: 'shop', Targets: [{ Id: 'q', Arn: 'arn:aws:sqs:us-east-1:000000000000:after-restart', InputPath: '$.detail' }] }));
        sqs.destroy();
      }
      await using emu = await startEmulator({ services: ['sqs', 'events'], dataDir: routed, log: false });
      const eb = client(emu.endpoint);
      const out = await eb.send(new PutEventsCommand({ Entries: [11, 5].map((total) => ({ Source: 'shop', DetailType: 'Paid', EventBusName: 'shop', Detail: JSON.stringify({ total }) })) }));
      expect(out.FailedEntryCount).toBe(0);
      const sqs = new SQSClient({ endpoint: emu.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
      const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: `${emu.endpoint}${url}`, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
      expect((got.Messages ?? []).map((m) => m.Body)).toEqual(['{"total":11}']);
      sqs.destroy();
    } finally {
      rmSync(routed, { recursive: true, force: true });
    }
  });

  it('restores a snapshot: rules put after it are gone', async () => {
    await using emu = await startEmulator({ services: ['events'], log: false });
    const eb = client(emu.endpoint);
    await eb.send(new PutRuleCommand({ Name: 'before', EventPattern: '{"source":["a"]}' }));
    const id = await emu.snapshot();
    await eb.send(new PutRuleCommand({ Name: 'after', EventPattern: '{"source":["b"]}' }));
    await emu.restore(id);
    expect((await eb.send(new ListRulesCommand({}))).Rules!.map((r) => r.Name)).toEqual(['before']);
  });
});
