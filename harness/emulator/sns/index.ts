/**
 * SNS on the embedded endpoint: the awsQuery protocol (`Action=Publish&…`,
 * XML replies). Wiring only; see operations.ts.
 */
import type { QueryOperation, QueryProtocolService } from '../../protocol/service.ts';
import { ownSnapshot, type EmulatedService, type ServiceDeps, type ServiceSnapshot } from '../service-deps.ts';
import { SnsStore } from './models.ts';
import { SnsOperations } from './operations.ts';

export const SNS_OPERATIONS = [
  'CreateTopic',
  'ListTopics',
  'DeleteTopic',
  'GetTopicAttributes',
  'SetTopicAttributes',
  'Subscribe',
  'Unsubscribe',
  'ListSubscriptions',
  'ListSubscriptionsByTopic',
  'GetSubscriptionAttributes',
  'SetSubscriptionAttributes',
  'Publish',
  'PublishBatch',
  'ListTagsForResource',
  'TagResource',
  'UntagResource',
] as const;

interface SnsSnapshot extends ServiceSnapshot, ReturnType<SnsStore['copy']> {}

export function createSnsService(deps: ServiceDeps): EmulatedService {
  const store = new SnsStore();
  const ops = new SnsOperations(deps, store);
  const operations: Record<string, QueryOperation> = {};
  for (const name of SNS_OPERATIONS) operations[name] = (params, ctx) => ops[name](params, ctx);
  const protocol: QueryProtocolService = {
    kind: 'query',
    signingName: 'sns',
    xmlNamespace: 'http://sns.amazonaws.com/doc/2010-03-31/',
    operations,
  };
  return {
    name: 'sns',
    protocols: [protocol],
    reset() {
      store.clear();
    },
    // Deliveries are handed to Lambda's asynchronous queue at once: nothing of SNS's own runs later.
    snapshot: (): SnsSnapshot => ({ service: 'sns', ...store.copy() }),
    restore(snapshot) {
      store.replaceAll(ownSnapshot<SnsSnapshot>('sns', snapshot));
    },
  };
}
