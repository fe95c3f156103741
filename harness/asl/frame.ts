/**
 * What a running state sees: its execution's environment (clock, ids, invoker,
 * history, context object) and the frame it runs in (variables in scope, the
 * event its next event follows, the abort signal of its branch/iteration).
 */
import type { Clock, IdSource } from '../core/index.ts';
import type { EngineObserver, ExecutionMocks, S3Access, TaskInvoker } from './api.ts';
import type { Cancel } from './cancel.ts';
import { StatesError } from './errors.ts';
import { HistoryLimitError, type History } from './history.ts';
import type { TestStateSettings } from './inspection.ts';
import type { TokenRegistry } from './tasks/tokens.ts';

export interface ExecutionEnv {
  executionArn: string;
  stateMachineArn: string;
  stateMachineName: string;
  executionName: string;
  roleArn: string;
  type: 'STANDARD' | 'EXPRESS';
  region: string;
  accountId: string;
  clock: Clock;
  ids: IdSource;
  invoker: TaskInvoker;
  s3: S3Access | undefined;
  observer: EngineObserver | undefined;
  history: History;
  tokens: TokenRegistry;
  /** `$$.Execution` (shared by every state; never mutated). */
  contextExecution: Record<string, unknown>;
  /** AWS: 25,000 events per execution (each distributed Map child run included). */
  maxHistoryEvents: number;
  /** `$$.StateMachine`. */
  contextStateMachine: Record<string, unknown>;
  /** Set when the TestState API runs one state (harness/asl/test-state.ts). */
  test?: TestStateSettings;
  /** Mocked Task states of this execution (a MockConfigFile test case). */
  mocks?: ExecutionMocks;
}

/**
 * Thrown into running states when their branch/iteration/execution was
 * stopped (execution stop/timeout, sibling failure). Never caught by Retry/Catch.
 */
export class AbortedError extends StatesError {
  constructor() {
    super('States.Aborted', 'aborted');
  }
}

/**
 * An engine-raised error. `hasCause` false means AWS records no cause (a Fail
 * state without Cause, a timeout), although the Catch error output still has `Cause: ""`.
 */
export class EngineError extends StatesError {
  readonly hasCause: boolean;
  constructor(error: string, cause: string | undefined) {
    super(error, cause ?? '');
    this.hasCause = cause !== undefined && cause !== '';
  }
}

/** AWS's prefix for runtime errors: "An error occurred while executing the state 'X' (entered at the event id #N). …" */
export function runtimeError(stateName: string, enteredEventId: number, message: string, error = 'States.Runtime'): EngineError {
  return new EngineError(error, `An error occurred while executing the state '${stateName}' (entered at the event id #${enteredEventId}). ${message}`);
}

export class Frame {
  /** Events a silent (distributed Map child) run would have recorded: it has AWS's limit too. */
  private silentEvents = 0;

  constructor(
    readonly env: ExecutionEnv,
    public vars: Record<string, unknown>,
    public prev: number,
    readonly signal: Cancel,
    /** Distributed Map child runs record nothing in the parent's history. */
    readonly silent = false,
  ) {}

  emit(type: string, details?: Record<string, unknown>): number {
    if (this.signal.aborted) throw new AbortedError();
    if (this.silent) {
      if (++this.silentEvents >= this.env.maxHistoryEvents) throw new HistoryLimitError(this.env.maxHistoryEvents);
      return 0;
    }
    const id = this.env.history.add(type, this.prev, details);
    this.prev = id;
    return id;
  }

  /** Records an event that follows `previousEventId` without moving this frame's cursor (AWS's side events). */
  emitAt(type: string, previousEventId: number, details?: Record<string, unknown>): number {
    if (this.signal.aborted) throw new AbortedError();
    if (this.silent) return 0;
    return this.env.history.add(type, previousEventId, details);
  }

  child(vars: Record<string, unknown>, signal: Cancel, silent = this.silent): Frame {
    return new Frame(this.env, vars, this.prev, signal, silent);
  }
}

/**
 * Errors after which a Map/Parallel state records `MapStateFailed` /
 * `ParallelStateFailed` — once, when no Retrier retries it (AWS records none
 * for retried attempts), and not for failures that precede the state's start
 * (MaxConcurrencyPath, tolerated-failure settings).
 */
const STATE_FAILED = new WeakSet<object>();

export function markStateFailed<T>(e: T): T {
  if (typeof e === 'object' && e !== null) STATE_FAILED.add(e);
  return e;
}

export function recordsStateFailed(e: unknown): boolean {
  return typeof e === 'object' && e !== null && STATE_FAILED.has(e);
}

/** The error name/cause of anything thrown while running a state. */
export function toStatesError(e: unknown): StatesError {
  if (e instanceof StatesError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new EngineError('States.Runtime', `Internal engine error: ${message}`);
}
