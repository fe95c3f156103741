/**
 * One execution: records ExecutionStarted, runs the top-level workflow, and
 * ends with exactly one terminal event (ExecutionSucceeded / Failed /
 * TimedOut / Aborted). Execution `TimeoutSeconds` and StopExecution abort
 * every branch through one AbortSignal.
 * https://docs.aws.amazon.com/step-functions/latest/apireference/API_DescribeExecution.html
 */
import { AwsServiceError } from '../core/index.ts';
import type { EngineOptions, ExecutionHandle, ExecutionSnapshot, ExecutionStatus, HistoryEvent, StartExecutionRequest } from './api.ts';
import { Cancel } from './cancel.ts';
import { LazyFork } from './lazy-ids.ts';
import type { CompiledMachine } from './definition.ts';
import { AbortedError, EngineError, Frame, toStatesError, type ExecutionEnv } from './frame.ts';
import { History, LazyJson, NOT_TRUNCATED } from './history.ts';
import { MAX_PAYLOAD_BYTES } from './payload.ts';
import { runProgram } from './states/program.ts';
import type { TokenRegistry } from './tasks/tokens.ts';

const DEFAULT_MAX_EVENTS = 25_000;

function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s === '' ? undefined : s;
}

export class ExecutionRun implements ExecutionHandle {
  readonly executionArn: string;
  readonly done: Promise<ExecutionSnapshot>;
  private status: ExecutionStatus = 'RUNNING';
  private readonly startDate: number;
  private stopDate: number | undefined;
  private output: string | undefined;
  private error: string | undefined;
  private cause: string | undefined;
  private readonly controller = new Cancel();
  private readonly log: History;
  private readonly env: ExecutionEnv;
  private resolveDone!: (s: ExecutionSnapshot) => void;
  private readonly inputValue: unknown;

  constructor(
    private readonly request: StartExecutionRequest,
    private readonly machine: CompiledMachine,
    private readonly options: EngineOptions,
    tokens: TokenRegistry,
  ) {
    this.executionArn = request.executionArn;
    try {
      this.inputValue = JSON.parse(request.input);
    } catch {
      throw new AwsServiceError('InvalidExecutionInput', `Invalid execution input: not valid JSON: ${request.input.slice(0, 100)}`);
    }
    if (Buffer.byteLength(request.input) > MAX_PAYLOAD_BYTES) {
      throw new AwsServiceError('InvalidExecutionInput', `Invalid execution input: the input exceeds the ${MAX_PAYLOAD_BYTES}-byte limit`);
    }
    const clock = options.clock;
    this.startDate = clock.now();
    const observer = options.observer;
    const arn = request.executionArn;
    this.log = new History(
      () => clock.now(),
      options.maxHistoryEvents ?? DEFAULT_MAX_EVENTS,
      observer?.eventRecorded || observer?.historyChanged
        ? (type: string) => {
            observer.historyChanged?.(arn, type);
            if (observer.eventRecorded) observer.eventRecorded(arn, this.log.last());
          }
        : undefined,
    );
    const contextExecution: Record<string, unknown> = {
      Id: arn,
      Input: this.inputValue,
      StartTime: new Date(this.startDate).toISOString(),
      Name: request.name,
      RoleArn: request.roleArn,
    };
    if (request.type === 'STANDARD') contextExecution.RedriveCount = 0;
    this.env = {
      executionArn: arn,
      stateMachineArn: request.stateMachineArn,
      stateMachineName: request.stateMachineName,
      executionName: request.name,
      roleArn: request.roleArn,
      type: request.type,
      region: options.region,
      accountId: options.accountId,
      clock,
      ids: new LazyFork(options.ids, arn),
      invoker: options.invoker,
      s3: options.s3,
      observer,
      history: this.log,
      maxHistoryEvents: options.maxHistoryEvents ?? DEFAULT_MAX_EVENTS,
      tokens,
      contextExecution,
      contextStateMachine: { Id: request.stateMachineArn, Name: request.stateMachineName },
      ...(request.mocks !== undefined ? { mocks: request.mocks } : {}),
    };
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
  }

  /** Records ExecutionStarted and runs the workflow in the background. */
  begin(): void {
    // AWS records the input text as it was sent.
    this.log.alias(this.inputValue, this.request.input);
    this.log.add('ExecutionStarted', 0, { input: this.request.input, inputDetails: NOT_TRUNCATED, roleArn: this.request.roleArn });
    const timeout = this.machine.timeoutSeconds;
    const timer = timeout !== undefined ? this.options.clock.setTimer(timeout * 1000, () => this.timedOut()) : undefined;
    const frame = new Frame(this.env, {}, 0, this.controller);
    runProgram(this.machine.program, frame, this.inputValue).then(
      (output) => {
        timer?.cancel();
        if (this.status !== 'RUNNING') return;
        const text = JSON.stringify(output ?? null);
        if (Buffer.byteLength(text) > MAX_PAYLOAD_BYTES) {
          this.fail(frame.prev, new EngineError('States.DataLimitExceeded', 'The execution output exceeds the maximum number of bytes service limit.'));
          return;
        }
        this.output = text;
        this.finish('SUCCEEDED', 'ExecutionSucceeded', frame.prev, { output: new LazyJson(output), outputDetails: NOT_TRUNCATED });
      },
      (e: unknown) => {
        timer?.cancel();
        if (this.status !== 'RUNNING' || e instanceof AbortedError) return;
        this.fail(this.log.length, toStatesError(e));
      },
    );
  }

  private fail(prev: number, err: { error: string; causeText: string }): void {
    this.error = nonEmpty(err.error);
    this.cause = nonEmpty(err.causeText);
    this.finish('FAILED', 'ExecutionFailed', prev, { error: this.error, cause: this.cause });
  }

  private timedOut(): void {
    if (this.status !== 'RUNNING') return;
    // DescribeExecution of a timed-out execution carries no error (recorded AWS behaviour).
    this.finish('TIMED_OUT', 'ExecutionTimedOut', this.log.length, {});
  }

  /** StopExecution: records ExecutionAborted and stops every branch. */
  stop(error?: string, cause?: string): boolean {
    if (this.status !== 'RUNNING') return false;
    this.error = nonEmpty(error);
    this.cause = nonEmpty(cause);
    this.finish('ABORTED', 'ExecutionAborted', this.log.length, { error: this.error, cause: this.cause });
    return true;
  }

  private finish(status: ExecutionStatus, type: string, prev: number, details: Record<string, unknown>): void {
    this.status = status;
    this.stopDate = this.options.clock.now();
    this.log.add(type, prev, details, true);
    this.controller.abort();
    const snap = this.snapshot();
    this.options.observer?.executionFinished?.(snap);
    this.resolveDone(snap);
  }

  snapshot(): ExecutionSnapshot {
    const s: ExecutionSnapshot = {
      executionArn: this.executionArn,
      stateMachineArn: this.request.stateMachineArn,
      name: this.request.name,
      status: this.status,
      startDate: this.startDate,
      input: this.request.input,
    };
    if (this.stopDate !== undefined) s.stopDate = this.stopDate;
    if (this.output !== undefined) s.output = this.output;
    if (this.error !== undefined) s.error = this.error;
    if (this.cause !== undefined) s.cause = this.cause;
    return s;
  }

  history(): readonly HistoryEvent[] {
    return this.log.events().slice();
  }
}
