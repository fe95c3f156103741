/**
 * SQS on the embedded endpoint, over both of its wire protocols: awsJson 1.0
 * (`X-Amz-Target: AmazonSQS.<Operation>`, current SDKs) and the query protocol
 * (`Action=<Operation>`, the AWS CLI v2 and boto3 of Debian 12, older SDKs).
 * One set of operations serves both (query.ts converts). Wiring only.
 */
import type { JsonOperation, JsonProtocolService, QueryOperation, QueryProtocolService } from '../../protocol/service.ts';
import { ownSnapshot, type EmulatedService, type ServiceDeps, type ServiceSnapshot, type SqsEventSource } from '../service-deps.ts';
import { QueueEventSource } from './event-source.ts';
import { SqsStore } from './models.ts';
import { SqsOperations, type Input } from './operations.ts';
import { SqsDisk } from './persistence.ts';
import { decodeQueryInput, encodeQueryOutput } from './query.ts';
import type { QueueState } from './queue.ts';

export const SQS_OPERATIONS = [
  'CreateQueue',
  'GetQueueUrl',
  'DeleteQueue',
  'ListQueues',
  'ListDeadLetterSourceQueues',
  'GetQueueAttributes',
  'SetQueueAttributes',
  'PurgeQueue',
  'TagQueue',
  'UntagQueue',
  'ListQueueTags',
  'AddPermission',
  'RemovePermission',
  'SendMessage',
  'SendMessageBatch',
  'ReceiveMessage',
  'DeleteMessage',
  'DeleteMessageBatch',
  'ChangeMessageVisibility',
  'ChangeMessageVisibilityBatch',
] as const;

/** A query request may be sent to the queue's URL instead of naming it. */
const QUEUE_PATH = /^\/\d{12}\/[^/]+\/?$/;

/** The queue a request names (for operation faults aimed at one queue). */
function queueNamesOf(input: Record<string, unknown>): string[] {
  if (typeof input.QueueName === 'string') return [input.QueueName];
  if (typeof input.QueueUrl !== 'string') return [];
  const name = input.QueueUrl.replace(/\/+$/, '').split('/').pop();
  return name ? [name] : [];
}

interface SqsSnapshot extends ServiceSnapshot {
  queues: QueueState[];
}

export interface SqsService extends EmulatedService {
  readonly operations: SqsOperations;
  /** What deps.sqs() gives the Lambda service's event source mappings. */
  readonly eventSource: SqsEventSource;
}

export function createSqsService(deps: ServiceDeps): SqsService {
  const store = new SqsStore();
  // --data-dir: everything is journalled as it changes, and read back here.
  const disk = deps.dataDir ? new SqsDisk(deps.dataDir, () => store.list().map((q) => q.state())) : undefined;
  const ops = new SqsOperations({ ...deps, ...(disk ? { journal: disk } : {}) }, store);
  if (disk) {
    for (const state of disk.load()) ops.loadQueue(state);
    disk.compact();
  }
  const eventSource = new QueueEventSource(ops, deps.region);
  const json: Record<string, JsonOperation> = {};
  const query: Record<string, QueryOperation> = {};
  for (const name of SQS_OPERATIONS) {
    json[name] = (input, ctx) => ops[name](input, ctx);
    query[name] = async (params, ctx) => {
      const pathQueue = QUEUE_PATH.test(ctx.path) ? ctx.path : undefined;
      return encodeQueryOutput(name, await ops[name](decodeQueryInput(name, params, pathQueue) as Input, ctx));
    };
  }
  const jsonProtocol: JsonProtocolService = {
    resourcesOf: (_op, input) => queueNamesOf(input),
    kind: 'json',
    signingName: 'sqs',
    targetPrefix: 'AmazonSQS',
    jsonVersion: '1.0',
    errorNamespace: 'com.amazonaws.sqs',
    // No output holds a Date (timestamps are epoch text, as SQS sends them).
    plainJsonOutput: true,
    operations: json,
  };
  const queryProtocol: QueryProtocolService = {
    resourcesOf: (_op, params, path) => queueNamesOf({ QueueUrl: params.QueueUrl ?? (QUEUE_PATH.test(path) ? path : undefined), QueueName: params.QueueName }),
    kind: 'query',
    signingName: 'sqs',
    xmlNamespace: 'http://queue.amazonaws.com/doc/2012-11-05/',
    operations: query,
  };
  return {
    name: 'sqs',
    protocols: [jsonProtocol, queryProtocol],
    operations: ops,
    eventSource,
    reset() {
      ops.receipts.clear();
      store.clear();
      disk?.compact();
    },
    snapshot(): SqsSnapshot {
      return { service: 'sqs', queues: store.list().map((q) => q.state()) };
    },
    restore(snapshot) {
      const { queues } = ownSnapshot<SqsSnapshot>('sqs', snapshot);
      // Closing the queues ends every long poll waiting on them; their receipt holds go too.
      ops.receipts.clear();
      store.clear();
      for (const state of queues) ops.loadQueue(state);
      disk?.compact();
    },
    dispose() {
      ops.receipts.clear();
      // Written before the queues close: what is in flight now is in flight after a restart.
      disk?.close();
      store.clear();
    },
  };
}
