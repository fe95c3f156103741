/**
 * SQS driven by Debian's AWS CLI v2 (2.9) and boto3 (botocore 1.29): both speak
 * the query protocol to SQS, so this proves the flattened parameters
 * (`Attribute.N.Name`, `MessageAttribute.N.Value.StringValue`,
 * `SendMessageBatchRequestEntry.N.*`), the XML replies, and the query error
 * codes (`AWS.SimpleQueueService.NonExistentQueue`, `QueueAlreadyExists`).
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../harness/emulator/server.ts';
import { md5OfAttributes } from '../../../harness/emulator/sqs/md5.ts';
import { hasAwsCli, hasBoto3, runAwsCli, runBoto3 } from '../../support/clients.ts';

let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ services: ['sqs'], clock: 'virtual', log: false });
});
afterAll(async () => {
  await emu?.dispose();
});
beforeEach(async () => {
  await emu.reset();
});

async function cli(...args: string[]): Promise<{ exitCode: number; json: unknown; stderr: string }> {
  const r = await runAwsCli(emu.endpoint, ['sqs', ...args, '--output', 'json']);
  return { exitCode: r.exitCode, stderr: r.stderr, json: r.stdout.trim() ? JSON.parse(r.stdout) : undefined };
}

describe('SQS through the query protocol', () => {
  it.skipIf(!hasAwsCli)('AWS CLI v2: create with attributes and tags, send with attributes, receive, batch failures, error codes', async () => {
    const created = await cli('create-queue', '--queue-name', 'cli-q', '--attributes', 'VisibilityTimeout=45,DelaySeconds=0', '--tags', 'team=img');
    expect(created.exitCode, created.stderr).toBe(0);
    const url = (created.json as { QueueUrl: string }).QueueUrl;
    expect(url).toBe(`${emu.endpoint}/000000000000/cli-q`);

    const messageAttributes = { kind: { DataType: 'String', StringValue: 'resized & <ready>' }, width: { DataType: 'Number', StringValue: '800' } };
    const sent = await cli('send-message', '--queue-url', url, '--message-body', 'line one\nline two', '--message-attributes', JSON.stringify(messageAttributes));
    expect(sent.exitCode, sent.stderr).toBe(0);
    expect(sent.json).toMatchObject({ MD5OfMessageBody: createHash('md5').update('line one\nline two').digest('hex'), MD5OfMessageAttributes: md5OfAttributes(messageAttributes) });

    const got = (await cli('receive-message', '--queue-url', url, '--attribute-names', 'All', '--message-attribute-names', 'All')).json as {
      Messages: Array<{ Body: string; ReceiptHandle: string; MessageAttributes: unknown; MD5OfMessageAttributes: string; Attributes: Record<string, string> }>;
    };
    expect(got.Messages[0]).toMatchObject({ Body: 'line one\nline two', MessageAttributes: messageAttributes, MD5OfMessageAttributes: md5OfAttributes(messageAttributes) });
    expect(got.Messages[0]!.Attributes.ApproximateReceiveCount).toBe('1');
    const batch = await cli('send-message-batch', '--queue-url', url, '--entries', 'Id=a,MessageBody=first', 'Id=b,MessageBody=late,DelaySeconds=901');
    expect(batch.json).toMatchObject({
      Successful: [{ Id: 'a', MD5OfMessageBody: '8b04d5e3775d298e78455efc5ca404d5' }],
      Failed: [{ Id: 'b', SenderFault: true, Code: 'InvalidParameterValue' }],
    });

    const missing = await cli('get-queue-url', '--queue-name', 'nope');
    expect(missing.exitCode).not.toBe(0);
    expect(missing.stderr).toContain('(AWS.SimpleQueueService.NonExistentQueue)');
  }, 120_000);

  it.skipIf(!hasBoto3)('boto3: FIFO, binary attributes, batches, dead letters and modelled exceptions', async () => {
    const r = await runBoto3(
      emu.endpoint,
      `
sqs = client('sqs')
out = {}
assert sqs.meta.service_model.protocol == 'query'
dlq = sqs.create_queue(QueueName='py-dlq.fifo', Attributes={'FifoQueue': 'true'})['QueueUrl']
dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=['QueueArn'])['Attributes']['QueueArn']
q = sqs.create_queue(QueueName='py.fifo', Attributes={'FifoQueue': 'true', 'ContentBasedDeduplication': 'true', 'RedrivePolicy': json.dumps({'deadLetterTargetArn': dlq_arn, 'maxReceiveCount': '1'})})['QueueUrl']
s1 = sqs.send_message(QueueUrl=q, MessageBody='a1', MessageGroupId='a', MessageAttributes={'blob': {'DataType': 'Binary', 'BinaryValue': b'\\x00\\xffhi'}})
s2 = sqs.send_message(QueueUrl=q, MessageBody='a1', MessageGroupId='a')
out['dedup'] = s1['MessageId'] == s2['MessageId']
out['md5'] = s1['MD5OfMessageAttributes']
b = sqs.send_message_batch(QueueUrl=q, Entries=[{'Id': 'x', 'MessageBody': 'a2', 'MessageGroupId': 'a'}, {'Id': 'y', 'MessageBody': 'nogroup'}])
out['batch'] = [[e['Id'] for e in b['Successful']], [(e['Id'], e['Code']) for e in b.get('Failed', [])]]
m = sqs.receive_message(QueueUrl=q, MaxNumberOfMessages=10, MessageAttributeNames=['All'], AttributeNames=['All'], VisibilityTimeout=0)['Messages']
out['bodies'] = [x['Body'] for x in m]
out['blob'] = list(m[0]['MessageAttributes']['blob']['BinaryValue'])
out['group'] = m[0]['Attributes']['MessageGroupId']
out['again'] = 'Messages' in sqs.receive_message(QueueUrl=q, MaxNumberOfMessages=10)
d = sqs.receive_message(QueueUrl=dlq, MaxNumberOfMessages=10, AttributeNames=['All'])['Messages']
out['dead'] = [x['Body'] for x in d]
out['source'] = d[0]['Attributes'].get('DeadLetterQueueSourceArn')
std = sqs.create_queue(QueueName='py-std', Attributes={'VisibilityTimeout': '45'}, tags={'team': 'img'})['QueueUrl']
out['std'] = [sqs.get_queue_attributes(QueueUrl=std, AttributeNames=['All'])['Attributes']['VisibilityTimeout'], sqs.list_queue_tags(QueueUrl=std)['Tags'], sqs.list_queues(QueueNamePrefix='py-s')['QueueUrls'] == [std]]
try:
    sqs.create_queue(QueueName='py-std', Attributes={'VisibilityTimeout': '5'})
except sqs.exceptions.QueueNameExists as e:
    out['exists'] = e.response['Error']['Code']
try:
    sqs.get_queue_url(QueueName='missing')
except sqs.exceptions.QueueDoesNotExist as e:
    out['missing'] = e.response['Error']['Code']
try:
    sqs.receive_message(QueueUrl=q, WaitTimeSeconds=21)
except botocore.exceptions.ClientError as e:
    out['wait'] = [e.response['Error']['Code'], e.response['Error']['Message']]
try:
    sqs.delete_message(QueueUrl=q, ReceiptHandle='nope')
except sqs.exceptions.ReceiptHandleIsInvalid as e:
    out['handle'] = e.response['ResponseMetadata']['HTTPStatusCode']
print(json.dumps(out))
`,
    );
    expect(r.exitCode, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(out).toEqual({
      dedup: true,
      md5: md5OfAttributes({ blob: { DataType: 'Binary', BinaryValue: Buffer.from([0, 255, 104, 105]).toString('base64') } }),
      batch: [['x'], [['y', 'MissingParameter']]],
      bodies: ['a1', 'a2'],
      blob: [0, 255, 104, 105],
      group: 'a',
      again: false,
      dead: ['a1', 'a2'],
      source: 'arn:aws:sqs:us-east-1:000000000000:py.fifo',
      std: ['45', { team: 'img' }, true],
      exists: 'QueueAlreadyExists',
      missing: 'AWS.SimpleQueueService.NonExistentQueue',
      wait: ['InvalidParameterValue', 'Value 21 for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.'],
      handle: 404,
    });
  }, 120_000);
});
