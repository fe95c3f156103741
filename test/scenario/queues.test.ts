/**
 * then.messages / then.deadLetters on observations: counts (default at least
 * one), bodies matched in the order sent, attribute filters, the dead letters
 * of a source queue, and skipping with the reason without observations.
 */
import { describe, expect, it } from 'vitest';
import type { ObservationsSnapshot, SqsMessageRecord } from '../../harness/emulator/observations.ts';
import { checkQueues } from '../../harness/scenario/queues.ts';
import type { ThenSpec } from '../../harness/scenario/schema.ts';

const ARN = 'arn:aws:sqs:us-east-1:000000000000:';
const msg = (queue: string, body: string, attributes: SqsMessageRecord['attributes'] = {}): SqsMessageRecord => ({ queueArn: ARN + queue, messageId: body, body, attributes, caller: 'client', time: 0 });
const obs = (sqsMessages: SqsMessageRecord[], deadLetters: ObservationsSnapshot['sqsDeadLetters'] = []): ObservationsSnapshot => ({
  invocations: [],
  functionConcurrency: {},
  mapConcurrency: {},
  secretReads: [],
  snsMessages: [],
  sqsMessages,
  sqsDeadLetters: deadLetters,
  events: [],
  eventDeliveries: [],
});
const statuses = (then: Partial<ThenSpec>, o: ObservationsSnapshot | undefined) => checkQueues(then as ThenSpec, o).map((c) => [c.id, c.status]);

describe('then.messages and then.deadLetters', () => {
  const sent = obs([
    msg('jobs', '{"n":1,"kind":"a"}', { tier: { DataType: 'String', StringValue: 'gold' } }),
    msg('other', 'x'),
    msg('jobs', 'plain text'),
    msg('jobs', '{"n":3}', { tier: { DataType: 'String', StringValue: 'gold' }, size: { DataType: 'Number', StringValue: '12' } }),
  ]);

  it('counts the messages of a queue (default: at least one)', () => {
    expect(statuses({ messages: { jobs: {} } }, sent)).toEqual([['then.messages.jobs.count', 'passed']]);
    expect(statuses({ messages: { jobs: { count: 3 }, nothing: {} } }, sent)).toEqual([
      ['then.messages.jobs.count', 'passed'],
      ['then.messages.nothing.count', 'failed'],
    ]);
  });

  it('matches bodies in the order sent: partial JSON, exact text, contains', () => {
    expect(statuses({ messages: { jobs: { bodies: [{ n: 1 }, 'plain text', { n: 3 }] } } }, sent)).toEqual([['then.messages.jobs.count', 'passed'], ['then.messages.jobs.bodies', 'passed']]);
    expect(statuses({ messages: { jobs: { bodies: [{ contains: 'plain' }] } } }, sent)[1]).toEqual(['then.messages.jobs.bodies', 'passed']);
    const outOfOrder = checkQueues({ messages: { jobs: { bodies: [{ n: 3 }, { n: 1 }] } } } as unknown as ThenSpec, sent);
    expect(outOfOrder[1]).toMatchObject({ status: 'failed', message: 'bodies[1] {"n":1} matches no message sent after the one bodies[0] matched' });
  });

  it('keeps only the messages with the attributes asked for', () => {
    expect(statuses({ messages: { jobs: { count: 2, attributes: { tier: 'gold' } } } }, sent)[0]![1]).toBe('passed');
    expect(statuses({ messages: { jobs: { count: 1, attributes: { size: { $gte: 10 } } } } }, sent)[0]![1]).toBe('passed');
  });

  it('dead letters are counted per source queue', () => {
    const dead = obs([], [{ sourceQueueArn: `${ARN}jobs`, deadLetterQueueArn: `${ARN}jobs-dlq`, messageId: 'm', body: 'poison', receiveCount: 2, time: 0 }]);
    expect(statuses({ deadLetters: { jobs: { count: 1, bodies: ['poison'] }, 'jobs-dlq': { count: 0 } } }, dead)).toEqual([
      ['then.deadLetters.jobs.count', 'passed'],
      ['then.deadLetters.jobs.bodies', 'passed'],
      ['then.deadLetters.jobs-dlq.count', 'passed'],
    ]);
  });

  it('is skipped, with the reason, without observations', () => {
    expect(checkQueues({ messages: { jobs: {} } } as unknown as ThenSpec, undefined, 'LocalStack does not report observations')).toEqual([
      { id: 'then.messages', status: 'skipped', message: 'LocalStack does not report observations' },
    ]);
  });
});
