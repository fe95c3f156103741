/**
 * The query protocol for SQS (what the AWS CLI v2 and boto3 of Debian 12, and
 * older SDKs, speak): form parameters decoded into the awsJson input shape the
 * operations take, and their output re-shaped for the XML reply. SQS's query
 * lists and maps are flattened, named after their members:
 * `Attribute.1.Name=…&Attribute.1.Value=…`, `MessageAttribute.1.Value.StringValue`,
 * `SendMessageBatchRequestEntry.1.Id`; replies repeat `<Message>`,
 * `<Attribute><Name/><Value/></Attribute>` and so on.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-making-api-requests-xml.html
 */
import { Flattened } from '../../protocol/xml.ts';
import type { Input } from './operations.ts';

type Tree = { [key: string]: Tree | string };

/** `A.1.B=x` → `{A: {1: {B: 'x'}}}` (a value that is also a prefix keeps the value under `''`). */
function treeOf(params: Record<string, string>): Tree {
  const root: Tree = {};
  for (const [key, value] of Object.entries(params)) {
    const parts = key.split('.');
    let node = root;
    for (let i = 0; i < parts.length - 1; i++) {
      const p = parts[i]!;
      let next = node[p];
      if (typeof next === 'string') next = node[p] = { '': next };
      else if (next === undefined) next = node[p] = {};
      node = next;
    }
    const last = parts.at(-1)!;
    const existing = node[last];
    if (existing !== undefined && typeof existing !== 'string') existing[''] = value;
    else node[last] = value;
  }
  return root;
}

/** Members `N` of the first of `names` present, in index order. */
function items(node: Tree, ...names: string[]): Array<Tree | string> {
  for (const n of names) {
    const v = node[n];
    if (v === undefined || typeof v === 'string') continue;
    return Object.keys(v)
      .filter((k) => /^\d+$/.test(k))
      .sort((a, b) => Number(a) - Number(b))
      .map((k) => v[k]!);
  }
  return [];
}

function text(v: Tree | string | undefined): string | undefined {
  if (v === undefined) return undefined;
  return typeof v === 'string' ? v : (v[''] as string | undefined);
}

function scalarList(node: Tree, ...names: string[]): string[] | undefined {
  if (!names.some((n) => node[n] !== undefined)) return undefined;
  return items(node, ...names).map((v) => text(v) ?? '');
}

function map(node: Tree, names: string[], keyName: string, valueName: string): Record<string, string> | undefined {
  if (!names.some((n) => node[n] !== undefined)) return undefined;
  const out: Record<string, string> = {};
  for (const e of items(node, ...names)) {
    if (typeof e === 'string') continue;
    const k = text(e[keyName]);
    if (k !== undefined) out[k] = text(e[valueName]) ?? '';
  }
  return out;
}

function messageAttributes(node: Tree, names: string[]): Record<string, unknown> | undefined {
  if (!names.some((n) => node[n] !== undefined)) return undefined;
  const out: Record<string, unknown> = {};
  for (const e of items(node, ...names)) {
    if (typeof e === 'string') continue;
    const name = text(e.Name);
    const value = e.Value;
    if (name === undefined) continue;
    if (value === undefined || typeof value === 'string') {
      out[name] = {};
      continue;
    }
    const v: Record<string, unknown> = {};
    for (const f of ['DataType', 'StringValue', 'BinaryValue'] as const) if (value[f] !== undefined) v[f] = text(value[f]);
    const lists = scalarList(value, 'StringListValue', 'StringListValues');
    if (lists) v.StringListValues = lists;
    const blists = scalarList(value, 'BinaryListValue', 'BinaryListValues');
    if (blists) v.BinaryListValues = blists;
    out[name] = v;
  }
  return out;
}

const INTEGERS = ['MaxNumberOfMessages', 'VisibilityTimeout', 'WaitTimeSeconds', 'DelaySeconds', 'MaxResults'];

/** Scalars of a node; integers as numbers when they are numbers (else left as text, which the operation rejects by name). */
function scalars(node: Tree, out: Input): void {
  for (const [k, v] of Object.entries(node)) {
    if (typeof v !== 'string') continue;
    out[k] = INTEGERS.includes(k) && /^-?\d+$/.test(v.trim()) ? Number(v) : v;
  }
}

function sendEntry(node: Tree): Input {
  const out: Input = {};
  scalars(node, out);
  const attrs = messageAttributes(node, ['MessageAttribute', 'MessageAttributes']);
  if (attrs) out.MessageAttributes = attrs;
  const system = messageAttributes(node, ['MessageSystemAttribute', 'MessageSystemAttributes']);
  if (system) out.MessageSystemAttributes = system;
  return out;
}

/** The awsJson-shaped input of `action` from its form parameters; `pathQueueUrl` when the request was sent to the queue's URL. */
export function decodeQueryInput(action: string, params: Record<string, string>, pathQueueUrl: string | undefined): Input {
  const tree = treeOf(params);
  const input: Input = {};
  scalars(tree, input);
  delete input.Action;
  delete input.Version;
  if (input.QueueUrl === undefined && pathQueueUrl !== undefined && action !== 'CreateQueue' && action !== 'GetQueueUrl' && action !== 'ListQueues') input.QueueUrl = pathQueueUrl;
  const attributes = map(tree, ['Attribute', 'Attributes'], 'Name', 'Value');
  const names = scalarList(tree, 'AttributeName', 'AttributeNames');
  switch (action) {
    case 'CreateQueue': {
      if (attributes) input.Attributes = attributes;
      const tags = map(tree, ['Tag', 'Tags', 'tags'], 'Key', 'Value');
      if (tags) input.tags = tags;
      break;
    }
    case 'SetQueueAttributes':
      if (attributes) input.Attributes = attributes;
      break;
    case 'GetQueueAttributes':
      if (names) input.AttributeNames = names;
      break;
    case 'ReceiveMessage': {
      if (names) input.AttributeNames = names;
      const system = scalarList(tree, 'MessageSystemAttributeName', 'MessageSystemAttributeNames');
      if (system) input.MessageSystemAttributeNames = system;
      const messageNames = scalarList(tree, 'MessageAttributeName', 'MessageAttributeNames');
      if (messageNames) input.MessageAttributeNames = messageNames;
      break;
    }
    case 'SendMessage':
      Object.assign(input, sendEntry(tree));
      break;
    case 'SendMessageBatch':
      input.Entries = items(tree, 'SendMessageBatchRequestEntry', 'Entries').map((e) => (typeof e === 'string' ? {} : sendEntry(e)));
      break;
    case 'DeleteMessageBatch':
    case 'ChangeMessageVisibilityBatch':
      input.Entries = items(tree, `${action}RequestEntry`, 'Entries').map((e) => {
        const out: Input = {};
        if (typeof e !== 'string') scalars(e, out);
        return out;
      });
      break;
    case 'TagQueue': {
      const tags = map(tree, ['Tag', 'Tags'], 'Key', 'Value');
      if (tags) input.Tags = tags;
      break;
    }
    case 'UntagQueue': {
      const keys = scalarList(tree, 'TagKey', 'TagKeys');
      if (keys) input.TagKeys = keys;
      break;
    }
    case 'AddPermission': {
      const accounts = scalarList(tree, 'AWSAccountId', 'AWSAccountIds');
      if (accounts) input.AWSAccountIds = accounts;
      const actions = scalarList(tree, 'ActionName', 'Actions');
      if (actions) input.Actions = actions;
      break;
    }
  }
  return input;
}

type Output = Record<string, unknown> | undefined;

function nameValues(map: unknown, keyName = 'Name', valueName = 'Value'): Flattened | undefined {
  if (map === undefined) return undefined;
  return new Flattened(Object.entries(map as Record<string, unknown>).map(([k, v]) => ({ [keyName]: k, [valueName]: v })));
}

/** The awsJson-shaped output of `action` re-shaped for the query protocol's XML. */
export function encodeQueryOutput(action: string, output: unknown): unknown {
  const o = output as Output;
  if (o === undefined) return undefined;
  switch (action) {
    case 'ListQueues':
      return { QueueUrl: new Flattened((o.QueueUrls as string[] | undefined) ?? []), NextToken: o.NextToken };
    case 'ListDeadLetterSourceQueues':
      return { QueueUrl: new Flattened((o.queueUrls as string[] | undefined) ?? []), NextToken: o.NextToken };
    case 'GetQueueAttributes':
      return { Attribute: nameValues(o.Attributes) };
    case 'ListQueueTags':
      return { Tag: nameValues(o.Tags, 'Key', 'Value') };
    case 'SendMessageBatch':
    case 'DeleteMessageBatch':
    case 'ChangeMessageVisibilityBatch':
      return { [`${action}ResultEntry`]: new Flattened(o.Successful as unknown[]), BatchResultErrorEntry: new Flattened(o.Failed as unknown[]) };
    case 'ReceiveMessage':
      return {
        Message: new Flattened(
          ((o.Messages as Array<Record<string, unknown>> | undefined) ?? []).map((m) => ({
            MessageId: m.MessageId,
            ReceiptHandle: m.ReceiptHandle,
            MD5OfBody: m.MD5OfBody,
            Body: m.Body,
            Attribute: nameValues(m.Attributes),
            MD5OfMessageAttributes: m.MD5OfMessageAttributes,
            MessageAttribute: nameValues(m.MessageAttributes),
          })),
        ),
      };
    default:
      return o;
  }
}
