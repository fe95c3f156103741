/**
 * start-processing: one execution per object version, however often S3
 * delivers the event; names follow StartExecution's rules.
 */
import { CreateStateMachineCommand, DescribeExecutionCommand, ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { executionNameFor, isValidExecutionName } from '../../lambdas/start-processing/execution-name.ts';
import { handler as startProcessing, inputsFromEvent } from '../../lambdas/start-processing/index.ts';
import { sfnClient } from '../support/clients.ts';
import { startHandlerEnv, type HandlerEnv } from './harness-env.ts';

function s3Event(key: string, etag: string, eventName = 'ObjectCreated:Put') {
  return {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: 'us-east-1',
        eventName,
        s3: { s3SchemaVersion: '1.0', bucket: { name: 'images', arn: 'arn:aws:s3:::images' }, object: { key, size: 1234, eTag: etag, sequencer: '0A1B2C3D4E5F678901' } },
      },
    ],
  };
}

describe('execution names', () => {
  it('are valid StartExecution names for awkward keys and stable per key + ETag', () => {
    const keys = ['raw/cat.jpg', 'raw/My Holiday (1).JPG', 'raw/фото/кот.png', `raw/${'a/'.repeat(100)}x.jpg`, 'raw/${x}#%&;:`~|^.jpg', 'raw/'];
    for (const k of keys) {
      const name = executionNameFor(k, '"9b2cf535f27731c974343645a3985328"');
      expect(isValidExecutionName(name), `${k} → ${name}`).toBe(true);
      expect(name).toMatch(/^[0-9A-Za-z_-]{1,80}$/);
      expect(executionNameFor(k, '9b2cf535f27731c974343645a3985328')).toBe(name);
    }
    expect(executionNameFor('raw/cat.jpg', 'abc')).toMatch(/^raw-cat-jpg-[0-9a-f]{24}$/);
    expect(executionNameFor('raw/cat.jpg', 'abc')).not.toBe(executionNameFor('raw/cat.jpg', 'abd'));
    // Keys that slug the same and are cut to the same text still differ by their hash.
    const long = 'x'.repeat(200);
    expect(executionNameFor(`raw/${long}1.jpg`, 'e')).not.toBe(executionNameFor(`raw/${long}2.jpg`, 'e'));
  });

  it('decodes S3 event keys (form-encoded, + for space) and ignores removals', () => {
    const { inputs } = inputsFromEvent(s3Event('raw/My+Holiday+%281%29.jpg', '"e1"'));
    expect(inputs).toEqual([{ bucket: 'images', key: 'raw/My Holiday (1).jpg', etag: '"e1"', size: 1234 }]);
    const { inputs: none, ignored } = inputsFromEvent(s3Event('raw/a.jpg', 'e', 'ObjectRemoved:Delete'));
    expect(none).toEqual([]);
    expect(ignored).toEqual([{ key: 'raw/a.jpg', eventName: 'ObjectRemoved:Delete' }]);
  });
});

describe('start-processing on the embedded Step Functions', () => {
  let env: HandlerEnv;
  let arn = '';
  beforeAll(async () => {
    env = await startHandlerEnv(['states']);
    const sfn = sfnClient(env.em.endpoint);
    const out = await sfn.send(
      new CreateStateMachineCommand({
        name: 'image-processor',
        roleArn: 'arn:aws:iam::000000000000:role/sfn',
        definition: JSON.stringify({ StartAt: 'Wait', States: { Wait: { Type: 'Wait', Seconds: 3600, End: true } } }),
      }),
    );
    arn = out.stateMachineArn!;
    process.env.STATE_MACHINE_ARN = arn;
  });
  afterAll(async () => {
    await env?.dispose();
  });

  it('starts one execution for a duplicated event, with the object as input', async () => {
    const event = s3Event('raw/Cat+Photo.jpg', '"d41d8cd98f00b204e9800998ecf8427e"');
    const first = await startProcessing(event);
    expect(first.started).toHaveLength(1);
    // The execution is still running (a 1-hour Wait): StartExecution with the same name and input is idempotent.
    const second = await startProcessing(event);
    expect(second.started.map((s) => s.executionArn)).toEqual(first.started.map((s) => s.executionArn));
    const sfn = sfnClient(env.em.endpoint);
    const list = await sfn.send(new ListExecutionsCommand({ stateMachineArn: arn }));
    expect(list.executions).toHaveLength(1);
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn: first.started[0]!.executionArn }));
    expect(JSON.parse(d.input!)).toEqual({ bucket: 'images', key: 'raw/Cat Photo.jpg', etag: '"d41d8cd98f00b204e9800998ecf8427e"', size: 1234 });
    expect(d.name).toBe(executionNameFor('raw/Cat Photo.jpg', '"d41d8cd98f00b204e9800998ecf8427e"'));
  });

  it('treats ExecutionAlreadyExists (same name, different input) as already started', async () => {
    const event = s3Event('raw/dog.jpg', '"e2"');
    const first = await startProcessing(event);
    expect(first.started).toHaveLength(1);
    const changed = s3Event('raw/dog.jpg', '"e2"');
    changed.Records[0]!.s3.object.size = 99;
    const again = await startProcessing(changed);
    expect(again).toMatchObject({ started: [], duplicates: [{ key: 'raw/dog.jpg', name: first.started[0]!.name }] });
    const list = await sfnClient(env.em.endpoint).send(new ListExecutionsCommand({ stateMachineArn: arn }));
    expect(list.executions).toHaveLength(2);
  });
});
