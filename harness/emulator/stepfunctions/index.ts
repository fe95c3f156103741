/**
 * Step Functions on the embedded endpoint: awsJson 1.0, `X-Amz-Target:
 * AWSStepFunctions.<Operation>`, backed by the engine in harness/asl.
 */
import { executionTopic } from '../changes.ts';
import { createEngine, type Engine, type ExecutionSnapshot } from '../../asl/index.ts';
import type { JsonOperation } from '../../protocol/service.ts';
import { ownSnapshot, type EmulatedService, type ServiceDeps, type ServiceSnapshot } from '../service-deps.ts';
import { StepFunctionsStore, type StoreContents } from './models.ts';
import { createOperations, nestedExecutionStarter } from './operations.ts';
import { createTaskInvoker } from './task-invoker.ts';

interface StatesSnapshot extends ServiceSnapshot {
  contents: StoreContents;
}

export function createStepFunctionsService(deps: ServiceDeps): EmulatedService {
  const store = new StepFunctionsStore();
  let engine: Engine | undefined;
  const ctx = { deps, store, engine: () => (engine ??= build()) };
  const ops = createOperations(ctx);
  const invoker = createTaskInvoker(deps, nestedExecutionStarter(ops, ctx));

  function build(): Engine {
    return createEngine({
      clock: deps.clock,
      ids: deps.ids.fork('engine'),
      invoker,
      region: deps.region,
      accountId: deps.accountId,
      s3: invoker.s3,
      observer: {
        mapIterationStarted: (executionArn, stateName) => deps.observations.enter(`map:${executionArn}#${stateName}`),
        // For clients waiting on an execution (changes.ts): its history grew, it started, it ended (the
        // status is set before the terminal event is recorded).
        historyChanged: (executionArn, type) => deps.observations.changes.changed(executionTopic(executionArn), ...(type === 'ExecutionStarted' ? ['executions'] : [])),
      },
    });
  }

  const stopAll = async () => {
    const running: Array<Promise<ExecutionSnapshot>> = [];
    for (const e of store.executions.values()) {
      if (e.handle.snapshot().status === 'RUNNING') {
        e.quiet = true;
        engine?.stop(e.executionArn, 'Rehearse.Reset', 'The endpoint was reset');
        running.push(e.handle.done);
      }
    }
    await Promise.allSettled(running);
  };

  return {
    name: 'states',
    protocols: [
      {
        kind: 'json',
        signingName: 'states',
        targetPrefix: 'AWSStepFunctions',
        jsonVersion: '1.0',
        operations: ops as unknown as Record<string, JsonOperation>,
      },
    ],
    async reset() {
      await stopAll();
      store.clear();
      engine = undefined;
    },
    snapshot: (): StatesSnapshot => ({ service: 'states', contents: store.copy() }),
    async restore(snapshot) {
      const s = ownSnapshot<StatesSnapshot>('states', snapshot);
      await stopAll();
      store.replaceAll(s.contents);
      // A new engine: no execution, timer or Map slot of the old one survives.
      engine = undefined;
    },
    async dispose() {
      await stopAll();
    },
  };
}
