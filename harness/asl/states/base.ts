/**
 * The common base of every state (DESIGN.md style 5): emits `…StateEntered` /
 * `…StateExited`, applies input/output processing, runs Retry and Catch. A
 * state module only evaluates its own semantics.
 *
 * JSONPath: InputPath → Parameters → (state work) → ResultSelector → ResultPath → OutputPath.
 * JSONata: Arguments → (state work) → Output, with `$states.input/result/errorOutput/context`.
 * Assign (both) is evaluated with the variables as they were before the
 * state, together with Output, and committed when the state exits.
 * https://docs.aws.amazon.com/step-functions/latest/dg/concepts-input-output-filtering.html
 * https://docs.aws.amazon.com/step-functions/latest/dg/transforming-data.html
 * https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html
 */
import type { Catcher, CompiledState } from '../definition.ts';
import { StatesError, type StateRef } from '../errors.ts';
import { findCatcher, findRetrier, retryDelayMs } from '../errors-matching.ts';
import {
  applyPayloadTemplate,
  applyResultPath,
  evaluateAssignJsonata,
  evaluateAssignJsonPath,
  evaluateJsonataValue,
  evaluationLocation,
  selectPath,
  type JsonataScope,
  type PathScope,
} from '../expressions.ts';
import { AbortedError, type ExecutionEnv, type Frame, recordsStateFailed, toStatesError } from '../frame.ts';
import { HistoryLimitError, LazyJson, NOT_TRUNCATED } from '../history.ts';
import type { Inspection } from '../inspection.ts';
import { dataLimitError, exceedsPayloadLimit } from '../payload.ts';

export interface Step {
  /** Name of the next state; undefined when the (sub-)workflow ends here. */
  next: string | undefined;
  output: unknown;
}

export interface FinishOptions {
  /** The state has a result (Task/Map/Parallel, Pass with Result/Parameters) that ResultPath places. */
  hasResult: boolean;
  /** Check the 256 KiB quota on the result (it was built, not just selected). */
  checkSize?: boolean;
  /** Overrides the state's transition (Choice). */
  next?: string;
  /** Replaces the state's Assign block (a matched Choice rule's Assign). */
  assign?: Record<string, unknown>;
  /** JSONata Output of a matched Choice rule. */
  output?: { value: unknown };
}

const ENTERED: Record<string, string> = {};
const EXITED: Record<string, string> = {};
for (const t of ['Pass', 'Task', 'Choice', 'Wait', 'Succeed', 'Fail', 'Parallel', 'Map']) {
  ENTERED[t] = `${t}StateEntered`;
  EXITED[t] = `${t}StateExited`;
}

const RESULT_SELECTOR_STATES = new Set(['Task', 'Map', 'Parallel']);
const RETRY_COUNT_STATES = RESULT_SELECTOR_STATES;

function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

export class StateRun {
  readonly where: StateRef;
  retryCount = 0;
  taskToken: string | undefined;
  private ctx: Record<string, unknown> | undefined;
  private ctxRetry = -1;

  constructor(
    readonly state: CompiledState,
    readonly frame: Frame,
    /** The raw state input (what `…StateEntered` recorded). */
    readonly input: unknown,
    enteredEventId: number,
    readonly enteredTime: number,
    /** previousEventId of the Entered event (AWS's EvaluationFailed points there). */
    readonly enteredPrev: number,
  ) {
    this.where = { stateName: state.name, enteredEventId };
    // TestState's stateConfiguration.retrierRetryCount: the retries already made (AWS: $$.State.RetryCount).
    this.retryCount = frame.env.test?.retrierRetryCount ?? 0;
  }

  /** Where TestState collects the stages this state computes (undefined in executions). */
  get inspection(): Inspection | undefined {
    return this.frame.env.test?.inspection;
  }

  get env(): ExecutionEnv {
    return this.frame.env;
  }

  get raw(): Record<string, unknown> {
    return this.state.raw;
  }

  get jsonata(): boolean {
    return this.state.ql === 'JSONata';
  }

  /** The context object `$$` / `$states.context` as this state sees it. */
  context(): Record<string, unknown> {
    const given = this.env.test?.context;
    if (given !== undefined) return given;
    if (this.ctx !== undefined && this.ctxRetry === this.retryCount) return this.ctx;
    const state: Record<string, unknown> = { Name: this.state.name, EnteredTime: isoTime(this.enteredTime) };
    if (RETRY_COUNT_STATES.has(this.state.type)) state.RetryCount = this.retryCount;
    const ctx: Record<string, unknown> = {
      Execution: this.env.contextExecution,
      StateMachine: this.env.contextStateMachine,
      State: state,
    };
    if (this.taskToken !== undefined) ctx.Task = { Token: this.taskToken };
    this.ctx = ctx;
    this.ctxRetry = this.retryCount;
    return ctx;
  }

  resetContext(): void {
    this.ctx = undefined;
  }

  pathScope(input: unknown, context = this.context()): PathScope {
    return { input, context, variables: this.frame.vars };
  }

  jsonataScope(extra: { result?: unknown; errorOutput?: unknown } = {}, context = this.context()): JsonataScope {
    return { states: { input: this.input, context, ...extra }, variables: this.frame.vars };
  }

  /** Evaluates a JSONata field value; records `EvaluationFailed` when it fails as AWS does. */
  async evalJsonata(value: unknown, field: string, scope: JsonataScope = this.jsonataScope()): Promise<unknown> {
    try {
      return await evaluateJsonataValue(value, scope, this.where, field);
    } catch (e) {
      throw this.evaluationFailed(e, field);
    }
  }

  /** Records `EvaluationFailed` for a States.QueryEvaluationError and returns the error to throw. */
  evaluationFailed(e: unknown, field: string | undefined, previousEventId = this.enteredPrev): unknown {
    if (e instanceof StatesError && e.error === 'States.QueryEvaluationError') {
      this.frame.prev = this.frame.emitAt('EvaluationFailed', previousEventId, {
        cause: e.causeText,
        error: e.error,
        location: evaluationLocation(e, field),
        state: this.state.name,
      });
    }
    return e;
  }

  /** JSONPath InputPath (JSONata: the raw input). */
  effectiveInput(): unknown {
    if (this.jsonata) return this.input;
    const path = this.raw.InputPath as string | null | undefined;
    const v = path === undefined || path === '$' ? this.input : selectPath(path, this.pathScope(this.input), this.where, 'InputPath');
    this.inspection?.record('afterInputPath', v);
    return v;
  }

  /** JSONPath `Parameters` applied to the effective input; JSONata `Arguments` (default: the state input). */
  async parameters(effective: unknown, field = this.jsonata ? 'Arguments' : 'Parameters'): Promise<unknown> {
    if (!this.jsonata) return this.parametersPath(effective, field);
    const out = field in this.raw ? await this.evalJsonata(this.raw[field], field) : effective;
    if (field in this.raw && exceedsPayloadLimit(out)) throw dataLimitError(this.state.name);
    if (field === 'Arguments') this.inspection?.record('afterArguments', out);
    return out;
  }

  /** JSONPath `Parameters` (synchronous: the hot path of Pass states). */
  parametersPath(effective: unknown, field = 'Parameters'): unknown {
    let out = effective;
    if (field in this.raw) {
      out = applyPayloadTemplate(this.raw[field], this.pathScope(effective), this.where, field, this.env.ids);
      if (exceedsPayloadLimit(out)) throw dataLimitError(this.state.name);
    }
    if (field === 'Parameters') this.inspection?.record('afterParameters', out);
    return out;
  }

  /**
   * Applies ResultSelector/ResultPath/OutputPath (or Output) and Assign, records
   * `…StateExited`. Synchronous for JSONPath (no promise per state on the hot path).
   */
  finish(result: unknown, effective: unknown, opts: FinishOptions): Step | Promise<Step> {
    return this.jsonata ? this.finishJsonata(result, opts) : this.finishPath(result, effective, opts);
  }

  private async finishJsonata(result: unknown, opts: FinishOptions): Promise<Step> {
    const raw = this.raw;
    let assigned: Record<string, unknown> | undefined;
    let output: unknown;
    {
      const scope = this.jsonataScope(opts.hasResult ? { result } : {});
      const block = opts.assign !== undefined ? opts.assign : (raw.Assign as Record<string, unknown> | undefined);
      if (block !== undefined) {
        try {
          assigned = await evaluateAssignJsonata(block, scope, this.where);
        } catch (e) {
          throw this.evaluationFailed(e, 'Assign');
        }
      }
      if (opts.output !== undefined) output = await this.evalJsonata(opts.output.value, 'Output', scope);
      else if ('Output' in raw && opts.assign === undefined) output = await this.evalJsonata(raw.Output, 'Output', scope);
      else output = opts.hasResult && this.state.type !== 'Pass' ? result : this.input;
    }
    if (opts.checkSize && exceedsPayloadLimit(output)) throw dataLimitError(this.state.name);
    if (opts.hasResult && this.reportsResult()) this.inspection?.record('result', result);
    return this.exit(output, assigned, opts.next ?? this.state.next);
  }

  private finishPath(result: unknown, effective: unknown, opts: FinishOptions): Step {
    const raw = this.raw;
    let assigned: Record<string, unknown> | undefined;
    let output: unknown;
    {
      let r = result;
      const inspection = this.inspection;
      if (opts.hasResult && this.reportsResult()) inspection?.record('result', r);
      if (opts.hasResult && raw.ResultSelector !== undefined && RESULT_SELECTOR_STATES.has(this.state.type)) {
        r = applyPayloadTemplate(raw.ResultSelector, this.pathScope(r), this.where, 'ResultSelector', this.env.ids);
      }
      if (opts.hasResult) inspection?.record('afterResultSelector', r);
      const block = opts.assign !== undefined ? opts.assign : (raw.Assign as Record<string, unknown> | undefined);
      if (block !== undefined) {
        const scope = { ...this.pathScope(effective), ...(opts.hasResult ? { result: r } : {}) };
        assigned = evaluateAssignJsonPath(block, scope, this.where, this.env.ids);
      }
      if (opts.hasResult) {
        const rp = raw.ResultPath as string | null | undefined;
        output = rp === undefined || rp === '$' ? r : applyResultPath(this.input, r, rp, this.where);
        inspection?.record('afterResultPath', output);
      } else {
        output = effective;
      }
      const op = raw.OutputPath as string | null | undefined;
      if (op !== undefined && op !== '$') output = selectPath(op, this.pathScope(output), this.where, 'OutputPath');
    }
    if (opts.checkSize && exceedsPayloadLimit(output)) throw dataLimitError(this.state.name);
    return this.exit(output, assigned, opts.next ?? this.state.next);
  }

  /** InspectionData `result` is a Task's raw result or a Pass state's `Result` (as AWS reports them). */
  private reportsResult(): boolean {
    return this.state.type === 'Task' || (this.state.type === 'Pass' && 'Result' in this.raw);
  }

  /** Commits assignments and records `…StateExited`. */
  exit(output: unknown, assigned: Record<string, unknown> | undefined, next: string | undefined): Step {
    let assignedVariables: Record<string, string> | undefined;
    if (assigned !== undefined && Object.keys(assigned).length > 0) {
      assignedVariables = {};
      for (const k of Object.keys(assigned)) {
        this.frame.vars[k] = assigned[k];
        assignedVariables[k] = JSON.stringify(assigned[k] ?? null);
      }
    }
    this.frame.emit(EXITED[this.state.type]!, {
      name: this.state.name,
      output: new LazyJson(output),
      outputDetails: NOT_TRUNCATED,
      assignedVariables,
      assignedVariablesDetails: assignedVariables === undefined ? undefined : NOT_TRUNCATED,
    });
    return { next, output };
  }

  /** Transition through a Catcher: ResultPath (JSONPath) or Output (JSONata) of the error output. */
  async caught(catcher: Catcher, err: StatesError): Promise<Step> {
    const errorOutput = { Error: err.error, Cause: err.causeText };
    let assigned: Record<string, unknown> | undefined;
    let output: unknown;
    if (this.jsonata) {
      const scope = this.jsonataScope({ errorOutput });
      if (catcher.assign !== undefined) {
        try {
          assigned = await evaluateAssignJsonata(catcher.assign, scope, this.where);
        } catch (e) {
          throw this.evaluationFailed(e, 'Assign');
        }
      }
      output = catcher.output !== undefined ? await this.evalJsonata(catcher.output, 'Output', scope) : errorOutput;
    } else {
      if (catcher.assign !== undefined) {
        assigned = evaluateAssignJsonPath(catcher.assign, { ...this.pathScope(errorOutput), result: errorOutput }, this.where, this.env.ids);
      }
      const rp = catcher.hasResultPath ? catcher.resultPath : '$';
      output = rp === '$' ? errorOutput : applyResultPath(this.input, errorOutput, rp, this.where);
    }
    return this.exit(output, assigned, catcher.next);
  }

  /** Runs `body` under the state's Retry and Catch rules. */
  async retrying(body: () => Promise<Step>): Promise<Step> {
    const state = this.state;
    if (this.env.test !== undefined) return this.testRetrying(body);
    if (state.retry.length === 0 && state.catch.length === 0) {
      try {
        return await body();
      } catch (e) {
        if (recordsStateFailed(e)) this.frame.emit(`${state.type}StateFailed`);
        throw e;
      }
    }
    const counts = state.retry.map(() => 0);
    for (;;) {
      try {
        return await body();
      } catch (e) {
        if (e instanceof AbortedError || e instanceof HistoryLimitError) throw e;
        const err = toStatesError(e);
        const i = findRetrier(state.retry, err.error);
        if (i >= 0 && counts[i]! < state.retry[i]!.maxAttempts) {
          const delay = retryDelayMs(state.retry[i]!, counts[i]!, this.env.ids);
          counts[i]!++;
          this.retryCount++;
          await this.sleep(delay);
          continue;
        }
        if (recordsStateFailed(e)) this.frame.emit(`${state.type}StateFailed`);
        const c = findCatcher(state.catch, err.error);
        if (c) return this.caught(c, err);
        throw err;
      }
    }
  }

  /**
   * TestState runs the state once and reports what Retry/Catch would do, retriers
   * first: an error a Retrier matches with attempts left (retrierRetryCount of
   * its MaxAttempts spent) makes the state RETRIABLE; otherwise a matching
   * Catcher makes it CAUGHT_ERROR and its Next the next state.
   * https://docs.aws.amazon.com/step-functions/latest/dg/test-state-isolation.html
   */
  private async testRetrying(body: () => Promise<Step>): Promise<Step> {
    const state = this.state;
    const inspection = this.inspection!;
    try {
      return await body();
    } catch (e) {
      if (e instanceof AbortedError || e instanceof HistoryLimitError) throw e;
      const err = toStatesError(e);
      const i = findRetrier(state.retry, err.error);
      if (i >= 0) {
        const retrier = state.retry[i]!;
        const spent = this.env.test!.retrierRetryCount ?? 0;
        inspection.errorDetails = { retryIndex: i };
        if (spent < retrier.maxAttempts) {
          // The backoff AWS would wait before this retry (JitterStrategy FULL randomises within it).
          let seconds = retrier.intervalSeconds * Math.pow(retrier.backoffRate, spent);
          if (retrier.maxDelaySeconds !== undefined) seconds = Math.min(seconds, retrier.maxDelaySeconds);
          inspection.errorDetails.retryBackoffIntervalSeconds = seconds;
          inspection.retriable = true;
          throw err;
        }
      }
      const c = findCatcher(state.catch, err.error);
      if (c === undefined) throw err;
      inspection.errorDetails = { ...inspection.errorDetails, catchIndex: state.catch.indexOf(c) };
      inspection.caught = { error: err.error, cause: err.causeText };
      return this.caught(c, err);
    }
  }

  /** Sleeps on the execution's clock; a stop/abort ends the sleep with AbortedError. */
  async sleep(ms: number): Promise<void> {
    try {
      await this.env.clock.sleep(ms, this.frame.signal.signal);
    } catch {
      throw new AbortedError();
    }
    if (this.frame.signal.aborted) throw new AbortedError();
  }
}

export function enterState(state: CompiledState, frame: Frame, input: unknown): StateRun {
  const enteredTime = frame.env.clock.now();
  const prev = frame.prev;
  const id = frame.emit(ENTERED[state.type]!, { input: new LazyJson(input), inputDetails: NOT_TRUNCATED, name: state.name });
  return new StateRun(state, frame, input, id, enteredTime, prev);
}
