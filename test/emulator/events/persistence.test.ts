/**
 * --data-dir keeps buses, rules (pattern, schedule, state, tags) and targets
 * across a restart; snapshots put them back as they were.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateEventBusCommand, DescribeRuleCommand, EventBridgeClient, ListEventBusesCommand, ListRulesCommand, ListTagsForResourceCommand, ListTargetsByRuleCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, describe, expect, it } from 'vitest';
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
