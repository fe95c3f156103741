/**
 * review-consumer's pure parts: reading a review request from an SQS record
 * (a bad one names what is wrong) and the size rule. The queue → function →
 * task token path runs in scenarios/review-through-queue-approved.yaml and
 * scenarios/review-request-unreadable-dead-lettered.yaml.
 */
import { describe, expect, it } from 'vitest';
import { decide, readRequest } from '../../lambdas/review-consumer/index.ts';

describe('review-consumer', () => {
  it('reads {taskToken, bucket, key} from the record body', () => {
    expect(readRequest({ messageId: 'm1', body: JSON.stringify({ taskToken: 't', bucket: 'images', key: 'a.jpg', executionArn: 'x' }) })).toEqual({ taskToken: 't', bucket: 'images', key: 'a.jpg' });
  });

  it('names what makes a request unreadable', () => {
    expect(() => readRequest({ messageId: 'm2', body: 'approve please' })).toThrow('message m2 is not JSON');
    expect(() => readRequest({ messageId: 'm3', body: JSON.stringify({ bucket: 'images', key: 'a.jpg' }) })).toThrow('review request.taskToken must be a non-empty string, got nothing');
  });

  it('approves images within maxBytes and rejects larger ones', () => {
    expect(decide(100, 100)).toEqual({ decision: 'approve', reviewer: 'review-consumer', reason: '100 bytes, within 100' });
    expect(decide(101, 100)).toMatchObject({ decision: 'reject', reason: '101 bytes, over 100' });
  });
});
