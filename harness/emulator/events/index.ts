/**
 * EventBridge on the embedded endpoint: awsJson 1.1, `X-Amz-Target:
 * AWSEvents.<Operation>`. Buses, rules and targets (operations.ts), routing
 * and delivery with retries and dead-letter queues (delivery.ts, targets.ts),
 * schedules on the Clock (scheduler.ts). Wiring only.
 */
import type { JsonOperation, JsonProtocolService } from '../../protocol/service.ts';
import { ownSnapshot, type EmulatedService, type EventPublisher, type ServiceDeps, type ServiceSnapshot } from '../service-deps.ts';
import { EventRouter } from './delivery.ts';
import { EventsStore, type StoreContents } from './models.ts';
import { EventsOperations } from './operations.ts';
import { EventsDisk } from './persistence.ts';
import { Scheduler } from './scheduler.ts';
import { createTargetCall } from './targets.ts';

export const EVENTS_OPERATIONS = [
  'CreateEventBus',
  'UpdateEventBus',
  'DeleteEventBus',
  'DescribeEventBus',
  'ListEventBuses',
  'PutRule',
  'DescribeRule',
  'ListRules',
  'ListRuleNamesByTarget',
  'EnableRule',
  'DisableRule',
  'DeleteRule',
  'PutTargets',
  'RemoveTargets',
  'ListTargetsByRule',
  'PutEvents',
  'TestEventPattern',
  'TagResource',
  'UntagResource',
  'ListTagsForResource',
] as const;

interface EventsSnapshot extends ServiceSnapshot {
  contents: StoreContents;
}

export interface EventsService extends EmulatedService {
  readonly operations: EventsOperations;
  /** What deps.events() gives S3 and Step Functions. */
  readonly publisher: EventPublisher;
}

export function createEventsService(deps: ServiceDeps): EventsService {
  const store = new EventsStore(deps.region, deps.accountId, () => deps.clock.now());
  const disk = deps.dataDir ? new EventsDisk(deps.dataDir) : undefined;
  const router = new EventRouter(deps, store, createTargetCall(deps));
  const scheduler = new Scheduler(deps, deps.ids.fork('schedules'), router);
  const ops = new EventsOperations(
    deps,
    store,
    {
      ingest: (bus, event, at) => router.ingest(bus, event, at),
      ruleChanged: (rule) => {
        router.forget(rule.arn);
        scheduler.arm(rule);
      },
      ruleDeleted: (arn) => {
        router.forget(arn);
        scheduler.cancel(arn);
      },
    },
    () => disk?.save(store.copy()),
  );
  const armAll = () => {
    for (const rule of store.rules()) scheduler.arm(rule);
  };
  const saved = disk?.load();
  if (saved) store.replaceAll(saved);
  armAll();

  const operations: Record<string, JsonOperation> = {};
  for (const name of EVENTS_OPERATIONS) operations[name] = (input) => ops[name](input);
  const protocol: JsonProtocolService = {
    kind: 'json',
    signingName: 'events',
    targetPrefix: 'AWSEvents',
    jsonVersion: '1.1',
    plainJsonOutput: true,
    operations,
    // Operation faults aimed at a rule or a bus pick requests naming it.
    resourcesOf: (_op, input) => [input.Name, input.Rule, input.EventBusName].filter((v): v is string => typeof v === 'string'),
  };
  const publisher: EventPublisher = {
    publish(e) {
      const result = ops.putEntry({ Source: e.source, DetailType: e.detailType, Detail: JSON.stringify(e.detail), Resources: e.resources }, deps.clock.now(), true);
      if ('ErrorCode' in result) deps.log.warn(`events: ${e.source} event refused: ${result.ErrorCode}: ${result.ErrorMessage}`);
    },
  };
  const stop = () => {
    router.stop();
    scheduler.stop();
  };
  return {
    name: 'events',
    protocols: [protocol],
    operations: ops,
    publisher,
    reset() {
      stop();
      store.clear();
      disk?.save(store.copy());
    },
    snapshot: (): EventsSnapshot => ({ service: 'events', contents: store.copy() }),
    restore(snapshot) {
      const { contents } = ownSnapshot<EventsSnapshot>('events', snapshot);
      stop();
      store.replaceAll(contents);
      armAll();
      disk?.save(store.copy());
    },
    dispose() {
      stop();
    },
  };
}
