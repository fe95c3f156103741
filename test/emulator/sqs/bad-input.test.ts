/**
 * Bad input, over raw HTTP in both protocols: each gets SQS's error code (the
 * query code in `<Code>` and in awsJson's `x-amzn-query-error`), a message
 * naming what is wrong, a 4xx status — and the endpoint keeps serving with its
 * stored messages intact.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../harness/emulator/server.ts';
import { awsJsonCall, type AwsJsonAnswer } from '../../support/aws-json.ts';

let emu: Emulator;
let url: string;
let fifoUrl: string;

async function json(op: string, body: unknown): Promise<AwsJsonAnswer & { queryError?: string }> {
  const answer = await awsJsonCall(emu.endpoint, `AmazonSQS.${op}`, body, { version: '1.0', headers: { 'x-amzn-query-mode': 'true' } });
  const queryError = answer.headers.get('x-amzn-query-error');
  return { ...answer, ...(queryError ? { queryError } : {}) };
}

async function query(params: Record<string, string>, path = '/'): Promise<{ status: number; code?: string; message?: string; text: string }> {
  const res = await fetch(`${emu.endpoint}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: new URLSearchParams({ Version: '2012-11-05', ...params }).toString(),
  });
  const text = await res.text();
  const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1];
  const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1];
  return { status: res.status, text, ...(code ? { code } : {}), ...(message ? { message } : {}) };
}

beforeAll(async () => {
  emu = await startEmulator({ services: ['sqs'], clock: 'virtual', log: false });
  url = ((await json('CreateQueue', { QueueName: 'input' })).body.QueueUrl as string);
  fifoUrl = ((await json('CreateQueue', { QueueName: 'input.fifo', Attributes: { FifoQueue: 'true' } })).body.QueueUrl as string);
  await json('SendMessage', { QueueUrl: url, MessageBody: 'keep me' });
});
afterAll(async () => {
  await emu?.dispose();
});

const big = 'x'.repeat(1_048_577);
const elevenAttributes = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`a${i}`, { DataType: 'String', StringValue: 'v' }]));

/** [what, operation, input (QueueUrl filled in as `$url`/`$fifo`), json code, query code, message contains]. */
const CASES: Array<[string, string, Record<string, unknown>, string, string, string]> = [
  ['no QueueUrl', 'SendMessage', { MessageBody: 'x' }, 'MissingParameter', 'MissingParameter', 'The request must contain the parameter QueueUrl.'],
  ['a QueueUrl that is no URL', 'SendMessage', { QueueUrl: 'not a url', MessageBody: 'x' }, 'InvalidAddress', 'InvalidAddress', 'The address not a url is not valid for this endpoint.'],
  ['an unknown queue', 'SendMessage', { QueueUrl: '$url-nope', MessageBody: 'x' }, 'QueueDoesNotExist', 'AWS.SimpleQueueService.NonExistentQueue', 'The specified queue does not exist.'],
  ['no MessageBody', 'SendMessage', { QueueUrl: '$url' }, 'MissingParameter', 'MissingParameter', 'The request must contain the parameter MessageBody.'],
  ['an empty MessageBody', 'SendMessage', { QueueUrl: '$url', MessageBody: '' }, 'MissingParameter', 'MissingParameter', 'MessageBody'],
  ['a body over 1 MiB', 'SendMessage', { QueueUrl: '$url', MessageBody: big }, 'InvalidParameterValue', 'InvalidParameterValue', 'Message must be shorter than 1048576 bytes.'],
  ['a control character in the body', 'SendMessage', { QueueUrl: '$url', MessageBody: 'a\u0001b' }, 'InvalidMessageContents', 'InvalidMessageContents', "Invalid binary character '#x1'"],
  ['eleven message attributes', 'SendMessage', { QueueUrl: '$url', MessageBody: 'x', MessageAttributes: elevenAttributes }, 'InvalidParameterValue', 'InvalidParameterValue', 'Number of message attributes [11] exceeds the allowed maximum [10].'],
  ['a reserved attribute name', 'SendMessage', { QueueUrl: '$url', MessageBody: 'x', MessageAttributes: { 'AWS.x': { DataType: 'String', StringValue: 'v' } } }, 'InvalidParameterValue', 'InvalidParameterValue', "attribute name 'AWS.x' is invalid"],
  ['an attribute without a type', 'SendMessage', { QueueUrl: '$url', MessageBody: 'x', MessageAttributes: { a: { StringValue: 'v' } } }, 'InvalidParameterValue', 'InvalidParameterValue', "The message attribute 'a' must contain non-empty message attribute type."],
  ['an unknown attribute type', 'SendMessage', { QueueUrl: '$url', MessageBody: 'x', MessageAttributes: { a: { DataType: 'Text', StringValue: 'v' } } }, 'InvalidParameterValue', 'InvalidParameterValue', 'supported type prefixes: Binary, Number, String'],
  ['a Number that is not a number', 'SendMessage', { QueueUrl: '$url', MessageBody: 'x', MessageAttributes: { n: { DataType: 'Number', StringValue: 'ten' } } }, 'InvalidParameterValue', 'InvalidParameterValue', "Can't cast the value of message (user) attribute 'n' to a number."],
  ['a Binary attribute without a value', 'SendMessage', { QueueUrl: '$url', MessageBody: 'x', MessageAttributes: { b: { DataType: 'Binary' } } }, 'InvalidParameterValue', 'InvalidParameterValue', "must contain non-empty message attribute value for message attribute type 'Binary'"],
  ['a system attribute other than AWSTraceHeader', 'SendMessage', { QueueUrl: '$url', MessageBody: 'x', MessageSystemAttributes: { Foo: { DataType: 'String', StringValue: 'v' } } }, 'InvalidParameterValue', 'InvalidParameterValue', "Message system attribute name 'Foo' is invalid."],
  ['DelaySeconds above 900', 'SendMessage', { QueueUrl: '$url', MessageBody: 'x', DelaySeconds: 901 }, 'InvalidParameterValue', 'InvalidParameterValue', 'Value 901 for parameter DelaySeconds is invalid.'],
  ['a deduplication id on a standard queue', 'SendMessage', { QueueUrl: '$url', MessageBody: 'x', MessageDeduplicationId: 'd' }, 'InvalidParameterValue', 'InvalidParameterValue', 'not valid for this queue type'],
  ['a FIFO message without a group', 'SendMessage', { QueueUrl: '$fifo', MessageBody: 'x', MessageDeduplicationId: 'd' }, 'MissingParameter', 'MissingParameter', 'MessageGroupId'],
  ['MaxNumberOfMessages 11', 'ReceiveMessage', { QueueUrl: '$url', MaxNumberOfMessages: 11 }, 'InvalidParameterValue', 'InvalidParameterValue', 'Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.'],
  ['WaitTimeSeconds 21', 'ReceiveMessage', { QueueUrl: '$url', WaitTimeSeconds: 21 }, 'InvalidParameterValue', 'InvalidParameterValue', 'Value 21 for parameter WaitTimeSeconds is invalid.'],
  ['a negative VisibilityTimeout', 'ReceiveMessage', { QueueUrl: '$url', VisibilityTimeout: -1 }, 'InvalidParameterValue', 'InvalidParameterValue', 'Value -1 for parameter VisibilityTimeout is invalid.'],
  ['a receipt handle we never issued', 'DeleteMessage', { QueueUrl: '$url', ReceiptHandle: 'abc' }, 'ReceiptHandleIsInvalid', 'ReceiptHandleIsInvalid', 'The input receipt handle "abc" is not a valid receipt handle.'],
  ['no receipt handle', 'DeleteMessage', { QueueUrl: '$url' }, 'MissingParameter', 'MissingParameter', 'ReceiptHandle'],
  ['ChangeMessageVisibility without a timeout', 'ChangeMessageVisibility', { QueueUrl: '$url', ReceiptHandle: 'abc' }, 'MissingParameter', 'MissingParameter', 'VisibilityTimeout'],
  ['CreateQueue without a name', 'CreateQueue', {}, 'MissingParameter', 'MissingParameter', 'QueueName'],
  ['an 81-character queue name', 'CreateQueue', { QueueName: 'q'.repeat(81) }, 'InvalidParameterValue', 'InvalidParameterValue', '1 to 80 in length'],
  ['an attribute value out of range', 'CreateQueue', { QueueName: 'r', Attributes: { MessageRetentionPeriod: '59' } }, 'InvalidAttributeValue', 'InvalidAttributeValue', 'Invalid value for the parameter MessageRetentionPeriod.'],
  ['an unknown attribute', 'CreateQueue', { QueueName: 'r', Attributes: { Colour: 'red' } }, 'InvalidAttributeName', 'InvalidAttributeName', 'Unknown Attribute Colour.'],
  ['a redrive policy that is not JSON', 'CreateQueue', { QueueName: 'r', Attributes: { RedrivePolicy: '{oops' } }, 'InvalidParameterValue', 'InvalidParameterValue', 'for parameter RedrivePolicy is invalid.'],
  ['an unknown attribute name to read', 'GetQueueAttributes', { QueueUrl: '$url', AttributeNames: ['Nope'] }, 'InvalidAttributeName', 'InvalidAttributeName', 'Unknown Attribute Nope.'],
  ['an empty batch', 'DeleteMessageBatch', { QueueUrl: '$url', Entries: [] }, 'EmptyBatchRequest', 'AWS.SimpleQueueService.EmptyBatchRequest', 'There should be at least one DeleteMessageBatchRequestEntry in the request.'],
  ['MaxResults 0', 'ListQueues', { MaxResults: 0 }, 'InvalidParameterValue', 'InvalidParameterValue', 'Value 0 for parameter MaxResults is invalid.'],
  ['a NextToken we never issued', 'ListQueues', { MaxResults: 5, NextToken: 'zzz' }, 'InvalidParameterValue', 'InvalidParameterValue', 'for parameter NextToken is invalid.'],
];

/** The same input as query-protocol form parameters. */
function form(op: string, input: Record<string, unknown>): Record<string, string> {
  const p: Record<string, string> = { Action: op };
  for (const [k, v] of Object.entries(input)) {
    if (k === 'MessageAttributes' || k === 'MessageSystemAttributes') {
      const prefix = k === 'MessageAttributes' ? 'MessageAttribute' : 'MessageSystemAttribute';
      Object.entries(v as Record<string, Record<string, string>>).forEach(([name, a], i) => {
        p[`${prefix}.${i + 1}.Name`] = name;
        for (const [f, x] of Object.entries(a)) p[`${prefix}.${i + 1}.Value.${f}`] = x;
      });
    } else if (k === 'Attributes') {
      Object.entries(v as Record<string, string>).forEach(([name, x], i) => {
        p[`Attribute.${i + 1}.Name`] = name;
        p[`Attribute.${i + 1}.Value`] = x;
      });
    } else if (k === 'AttributeNames') (v as string[]).forEach((x, i) => (p[`AttributeName.${i + 1}`] = x));
    else if (k === 'Entries') continue;
    else p[k] = String(v);
  }
  return p;
}

function fill(input: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input)) out[k] = typeof v === 'string' ? v.replace('$url', url).replace('$fifo', fifoUrl) : v;
  return out;
}

describe('bad input', () => {
  it.each(CASES)('awsJson: %s', async (_what, op, input, jsonCode, queryCode, message) => {
    const r = await json(op, fill(input));
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    expect(r.type).toBe(`com.amazonaws.sqs#${jsonCode}`);
    expect(r.queryError).toBe(`${queryCode};Sender`);
    expect(r.message).toContain(message);
  });

  it.each(CASES.filter(([, , input]) => !('Entries' in input) && !(input.MessageBody === big)))('query: %s', async (_what, op, input, _jsonCode, queryCode, message) => {
    const r = await query(form(op, fill(input)));
    expect(r.status, r.text).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    expect(r.code).toBe(queryCode);
    expect(r.message?.replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&amp;/g, '&')).toContain(message);
  });

  it('the protocol layer: bodies that are not JSON objects, unknown operations, a query request without Action', async () => {
    expect(await json('SendMessage', '{not json')).toMatchObject({ status: 400, type: 'com.amazonaws.sqs#SerializationException' });
    expect(await json('SendMessage', '[1,2]')).toMatchObject({ status: 400, type: 'com.amazonaws.sqs#SerializationException' });
    expect(await json('StealMessage', {})).toMatchObject({ status: 400, type: 'com.amazonaws.sqs#UnknownOperationException' });
    expect(await query({ QueueUrl: url })).toMatchObject({ status: 400, code: 'MissingAction' });
    expect(await query({ Action: 'StealMessage' })).toMatchObject({ status: 400, code: 'InvalidAction' });
    // A query parameter that should be a number and is not.
    expect(await query({ Action: 'ReceiveMessage', QueueUrl: url, MaxNumberOfMessages: 'ten' })).toMatchObject({ status: 400, code: 'InvalidParameterValue', message: expect.stringContaining('Value ten for parameter MaxNumberOfMessages is invalid.') });
  });

  it('a query request sent to the queue URL names the queue; nothing stored was lost', async () => {
    const r = await query({ Action: 'ReceiveMessage', VisibilityTimeout: '0' }, '/000000000000/input');
    expect(r.status, r.text).toBe(200);
    expect(r.text).toContain('<Body>keep me</Body>');
    expect(r.text).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<ReceiveMessageResponse xmlns="http:\/\/queue.amazonaws.com\/doc\/2012-11-05\/"><ReceiveMessageResult><Message><MessageId>/);
  });
});
