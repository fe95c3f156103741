/**
 * SQS in scenarios: `given.queues` created over the SDK, the `send` step, and
 * the `then.messages` / `then.deadLetters` checks against what the endpoint
 * observed reach each queue (messages sent, by anyone — a client, a function,
 * a Step Functions task — whether consumed since or not) and what SQS moved
 * to a dead-letter queue. Those checks wait (real time, up to the scenario's
 * wait limit) until they hold: delivery through event source mappings,
 * retries after visibility timeouts and redrives happen after the steps.
 */
import { CreateQueueCommand, GetQueueAttributesCommand, GetQueueUrlCommand, ListQueuesCommand, SendMessageCommand, type MessageAttributeValue, type SQSClient } from '@aws-sdk/client-sqs';
import type { ObservationsSnapshot, SqsMessageRecord } from '../emulator/observations.ts';
import { checkCount, checkText } from './matchers.ts';
import type { CheckResult } from './results.ts';
import type { GivenQueueSpec, MessagesExpectSpec, SendStepSpec, TextSpec, ThenSpec } from './schema.ts';
import { brief, isMatcher, matchValue, parseMaybeJson } from './value-match.ts';

/** given.queues: each queue (and its dead-letter queue first), with its attributes. */
export async function createGivenQueues(sqs: SQSClient, queues: GivenQueueSpec[]): Promise<void> {
  for (const q of queues) {
    const spec = typeof q === 'string' ? { name: q } : q;
    const attributes: Record<string, string> = {};
    for (const [k, v] of Object.entries(spec.attributes ?? {})) attributes[k] = String(v);
    if (spec.name.endsWith('.fifo')) attributes.FifoQueue ??= 'true';
    if (spec.deadLetterQueue) {
      const dlq = spec.deadLetterQueue;
      const url = (await sqs.send(new CreateQueueCommand({ QueueName: dlq.name, ...(dlq.name.endsWith('.fifo') ? { Attributes: { FifoQueue: 'true' } } : {}) }))).QueueUrl!;
      const arn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
      attributes.RedrivePolicy = JSON.stringify({ deadLetterTargetArn: arn, maxReceiveCount: dlq.maxReceiveCount });
    }
    await sqs.send(new CreateQueueCommand({ QueueName: spec.name, Attributes: attributes }));
  }
}

async function urlOf(sqs: SQSClient, queue: string): Promise<string> {
  if (/^https?:\/\//.test(queue)) return queue;
  try {
    return (await sqs.send(new GetQueueUrlCommand({ QueueName: queue }))).QueueUrl!;
  } catch (e) {
    // The same error (a step may expect QueueDoesNotExist), saying which queues there are: a name
    // built from ${AWS::StackName} is easy to get wrong, and the list shows what the deploy made of it.
    if (e instanceof Error && e.name === 'QueueDoesNotExist') e.message = `${e.message} No queue is named ${queue}${await knownQueues(sqs)}.`;
    throw e;
  }
}

async function knownQueues(sqs: SQSClient): Promise<string> {
  try {
    const names = ((await sqs.send(new ListQueuesCommand({ MaxResults: 1000 }))).QueueUrls ?? []).map((u) => u.slice(u.lastIndexOf('/') + 1));
    return names.length === 0 ? ' (the endpoint has no queue)' : ` (queues on the endpoint: ${names.join(', ')})`;
  } catch {
    return '';
  }
}

/** The `send` step's SendMessage input. */
export async function sendMessage(sqs: SQSClient, s: SendStepSpec): Promise<string> {
  const attributes: Record<string, MessageAttributeValue> = {};
  for (const [name, v] of Object.entries(s.attributes ?? {})) {
    if (typeof v === 'string') attributes[name] = { DataType: 'String', StringValue: v };
    else if (typeof v === 'number') attributes[name] = { DataType: 'Number', StringValue: String(v) };
    else if (v.dataType.startsWith('Binary')) attributes[name] = { DataType: v.dataType, BinaryValue: Buffer.from(v.value, 'base64') };
    else attributes[name] = { DataType: v.dataType, StringValue: v.value };
  }
  const out = await sqs.send(
    new SendMessageCommand({
      QueueUrl: await urlOf(sqs, s.queue),
      MessageBody: typeof s.body === 'string' ? s.body : JSON.stringify(s.body),
      ...(Object.keys(attributes).length ? { MessageAttributes: attributes } : {}),
      ...(s.groupId !== undefined ? { MessageGroupId: s.groupId } : {}),
      ...(s.deduplicationId !== undefined ? { MessageDeduplicationId: s.deduplicationId } : {}),
      ...(s.delaySeconds !== undefined ? { DelaySeconds: s.delaySeconds } : {}),
    }),
  );
  return `sent ${out.MessageId} to ${s.queue}`;
}

const onQueue = (arn: string, queue: string) => arn.endsWith(`:${queue}`) || queue.endsWith(`/${arn.split(':').pop()}`);

/** A body expectation: text exactly, `{contains|matches}`, a matcher on the text, or a partial match of the JSON. */
function bodyMatches(expected: unknown, body: string): boolean {
  if (typeof expected === 'string') return body === expected;
  if (expected && typeof expected === 'object' && !Array.isArray(expected) && Object.keys(expected).length > 0 && Object.keys(expected).every((k) => k === 'contains' || k === 'matches')) {
    return checkText(expected as TextSpec, body).ok;
  }
  if (isMatcher(expected)) return matchValue(expected, body).length === 0;
  return matchValue(expected, parseMaybeJson(body)).length === 0;
}

function attributesMatch(expected: Record<string, unknown>, m: SqsMessageRecord): boolean {
  return Object.entries(expected).every(([name, want]) => {
    const a = m.attributes[name];
    const value = a?.StringValue ?? a?.BinaryValue;
    if (value === undefined) return matchValue(want, undefined, `$.${name}`, false).length === 0;
    // A Number attribute compares as a number (`size: 12`, `{ $gte: 10 }`), unless the expectation is text.
    const actual = a!.DataType.startsWith('Number') && typeof want !== 'string' ? Number(value) : value;
    return matchValue(want, actual).length === 0;
  });
}

/** Whether `bodies` match distinct messages in order (a subsequence); the index of the first that does not. */
function bodiesInOrder(bodies: unknown[], actual: string[]): number | undefined {
  let from = 0;
  for (const [i, want] of bodies.entries()) {
    const at = actual.findIndex((b, j) => j >= from && bodyMatches(want, b));
    if (at < 0) return i;
    from = at + 1;
  }
  return undefined;
}

function checkList(id: string, what: string, spec: Omit<MessagesExpectSpec, 'attributes'>, bodies: string[], total: number): CheckResult[] {
  const out: CheckResult[] = [];
  const countSpec = spec.count ?? { atLeast: Math.max(1, spec.bodies?.length ?? 0) };
  const r = checkCount(countSpec, bodies.length);
  out.push(
    r.ok
      ? { id: `${id}.count`, status: 'passed', message: `${bodies.length} ${what}` }
      : { id: `${id}.count`, status: 'failed', message: `expected ${r.expected} ${what}, got ${bodies.length}${total !== bodies.length ? ` (of ${total} on the queue)` : ''}`, expected: countSpec, actual: bodies.slice(0, 10).map((b) => parseMaybeJson(b)) },
  );
  if (spec.bodies) {
    const missing = bodiesInOrder(spec.bodies, bodies);
    out.push(
      missing === undefined
        ? { id: `${id}.bodies`, status: 'passed', message: `${spec.bodies.length} bod${spec.bodies.length === 1 ? 'y' : 'ies'} matched in order` }
        : {
            id: `${id}.bodies`,
            status: 'failed',
            message: `bodies[${missing}] ${brief(spec.bodies[missing], 100)} matches no message${missing > 0 ? ` sent after the one bodies[${missing - 1}] matched` : ''}`,
            expected: spec.bodies,
            actual: bodies.slice(0, 10).map((b) => parseMaybeJson(b)),
          },
    );
  }
  return out;
}

/** then.messages and then.deadLetters, from the observations (skipped, with the reason, without them). */
export function checkQueues(then: ThenSpec, obs: ObservationsSnapshot | undefined, unavailable = 'the backend has no observations'): CheckResult[] {
  const out: CheckResult[] = [];
  if (!obs) {
    for (const key of ['messages', 'deadLetters'] as const) if (then[key]) out.push({ id: `then.${key}`, status: 'skipped', message: unavailable });
    return out;
  }
  for (const [queue, spec] of Object.entries(then.messages ?? {})) {
    const all = obs.sqsMessages.filter((m) => onQueue(m.queueArn, queue));
    const selected = spec.attributes ? all.filter((m) => attributesMatch(spec.attributes!, m)) : all;
    out.push(...checkList(`then.messages.${queue}`, `message(s) sent to ${queue}${spec.attributes ? ` with attributes ${brief(spec.attributes, 80)}` : ''}`, spec, selected.map((m) => m.body), all.length));
  }
  for (const [queue, spec] of Object.entries(then.deadLetters ?? {})) {
    const moved = obs.sqsDeadLetters.filter((d) => onQueue(d.sourceQueueArn, queue));
    out.push(...checkList(`then.deadLetters.${queue}`, `message(s) of ${queue} moved to its dead-letter queue`, spec, moved.map((d) => d.body), moved.length));
  }
  return out;
}

/** Whether every then.messages / then.deadLetters check holds now (the runner polls until it does). */
export function queuesSettled(then: ThenSpec, obs: ObservationsSnapshot): boolean {
  return checkQueues(then, obs).every((c) => c.status === 'passed');
}
