/** Running a definition through the engine in tests (VirtualClock, seeded ids). */
import { createIdSource, VirtualClock, type IdSource } from '../../../harness/core/index.ts';
import {
  createEngine,
  type Engine,
  type EngineObserver,
  type ExecutionHandle,
  type ExecutionSnapshot,
  type HistoryEvent,
  type LambdaInvocation,
  type LambdaResult,
  type S3Access,
  type ServiceCall,
  type TaskContext,
  type TaskInvoker,
} from '../../../harness/asl/index.ts';

export const SM_ARN = 'arn:aws:states:us-east-1:123456789012:stateMachine:test';

export type LambdaHandler = (event: unknown, ctx: TaskContext, request: LambdaInvocation) => unknown;

/** A TaskInvoker whose Lambda functions are plain JS functions; a thrown Error becomes a function error. */
export class FakeInvoker implements TaskInvoker {
  readonly calls: Array<{ kind: 'lambda' | 'service'; name: string; payload: unknown; ctx: TaskContext }> = [];
  constructor(
    readonly functions: Record<string, LambdaHandler> = {},
    readonly services: Record<string, (call: ServiceCall, ctx: TaskContext) => unknown> = {},
  ) {}

  async invokeLambda(request: LambdaInvocation, ctx: TaskContext): Promise<LambdaResult> {
    const name = /function:([^:]+)/.exec(request.functionName)?.[1] ?? request.functionName;
    const payload = JSON.parse(request.payload) as unknown;
    this.calls.push({ kind: 'lambda', name, payload, ctx });
    const fn = this.functions[name];
    if (!fn) throw new (await import('../../../harness/core/index.ts')).AwsServiceError('ResourceNotFoundException', `Function not found: ${name}`, 404);
    try {
      const out = await fn(payload, ctx, request);
      return { statusCode: 200, payload: JSON.stringify(out ?? null), executedVersion: '$LATEST', requestId: `req-${this.calls.length}` };
    } catch (e) {
      const err = e as Error;
      return {
        statusCode: 200,
        payload: JSON.stringify({ errorType: err.name, errorMessage: err.message }),
        functionError: 'Unhandled',
        executedVersion: '$LATEST',
        requestId: `req-${this.calls.length}`,
      };
    }
  }

  async callService(call: ServiceCall, ctx: TaskContext): Promise<unknown> {
    this.calls.push({ kind: 'service', name: `${call.service}:${call.action}`, payload: call.parameters, ctx });
    const fn = this.services[`${call.service}:${call.action}`];
    if (!fn) throw new Error(`no fake for ${call.service}:${call.action}`);
    return fn(call, ctx);
  }
}

export function namedError(name: string, message = name): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}

export interface TestEngine {
  engine: Engine;
  clock: VirtualClock;
  ids: IdSource;
  invoker: FakeInvoker;
  start(definition: unknown, input?: unknown, name?: string): ExecutionHandle;
  run(definition: unknown, input?: unknown): Promise<Result>;
}

export interface Result {
  snapshot: ExecutionSnapshot;
  history: readonly HistoryEvent[];
  types: string[];
  output: unknown;
}

export function testEngine(options: { invoker?: FakeInvoker; seed?: string; observer?: EngineObserver; s3?: S3Access; maxHistoryEvents?: number; start?: number } = {}): TestEngine {
  const clock = new VirtualClock({ start: options.start ?? Date.UTC(2026, 0, 1) });
  const ids = createIdSource(options.seed ?? 'test');
  const invoker = options.invoker ?? new FakeInvoker();
  const engine = createEngine({ clock, ids, invoker, region: 'us-east-1', accountId: '123456789012', observer: options.observer, s3: options.s3, maxHistoryEvents: options.maxHistoryEvents });
  let n = 0;
  const start = (definition: unknown, input: unknown = {}, name = `exec-${++n}`) =>
    engine.start({
      executionArn: `arn:aws:states:us-east-1:123456789012:execution:test:${name}`,
      stateMachineArn: SM_ARN,
      stateMachineName: 'test',
      name,
      definition: typeof definition === 'string' ? definition : JSON.stringify(definition),
      input: JSON.stringify(input),
      type: 'STANDARD',
      roleArn: 'arn:aws:iam::123456789012:role/test',
    });
  return {
    engine,
    clock,
    ids,
    invoker,
    start,
    async run(definition, input = {}) {
      const h = start(definition, input);
      const snapshot = await h.done;
      const history = h.history();
      return { snapshot, history, types: history.map((e) => e.type), output: snapshot.output === undefined ? undefined : JSON.parse(snapshot.output) };
    },
  };
}

/** `{StartAt, States}` for a single state named S (End: true unless it is Fail/Succeed/Choice). */
export function single(state: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const terminal = ['Fail', 'Succeed', 'Choice'].includes(state.Type as string);
  return { StartAt: 'S', States: { S: terminal ? state : { ...state, End: true }, ...extra } };
}

export function details(event: HistoryEvent): Record<string, unknown> {
  const key = Object.keys(event).find((k) => k.endsWith('EventDetails'));
  return key ? (event[key] as Record<string, unknown>) : {};
}
