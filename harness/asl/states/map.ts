/**
 * Map, inline and distributed.
 * Inline: iterations run with MaxConcurrency (0 = unbounded) and record their
 * events in the execution's history (MapIterationStarted/Succeeded/Failed/Aborted);
 * the first failing iteration stops the others.
 * Distributed: items may come from S3 (ItemReader) and be batched
 * (ItemBatcher); child workflow runs record nothing in the parent history
 * (MapRunStarted/Succeeded/Failed only); failures are tolerated up to
 * ToleratedFailureCount/Percentage; ResultWriter puts results in S3.
 * https://docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html
 * https://docs.aws.amazon.com/step-functions/latest/dg/state-map-distributed.html
 */
import { Cancel } from '../cancel.ts';
import { StatesError } from '../errors.ts';
import { applyPayloadTemplate, selectPath } from '../expressions.ts';
import { AbortedError, EngineError, Frame, markStateFailed, runtimeError, toStatesError } from '../frame.ts';
import { limitItems, parseReaderBody, readDistributedItems, writeResults, type ChildRecord } from './map-distributed.ts';
import { mockedResult, type StateMock } from '../inspection.ts';
import type { Step, StateRun } from './base.ts';
import { runProgram } from './program.ts';

type Raw = Record<string, unknown>;

function describe(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** AWS reads *Path numbers leniently: a JSON number or a numeric string ("1"). */
function numeric(v: unknown, integer: boolean): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\s*-?\d+(\.\d+)?([eE][+-]?\d+)?\s*$/.test(v) ? Number(v) : undefined;
  if (n === undefined || (integer && !Number.isInteger(n))) return undefined;
  return n;
}

/** MaxConcurrency / MaxConcurrencyPath (JSONata: number or expression). */
async function maxConcurrency(run: StateRun, eff: unknown): Promise<number> {
  const raw = run.raw;
  if (run.jsonata) {
    if (raw.MaxConcurrency === undefined) return 0;
    const v = await run.evalJsonata(raw.MaxConcurrency, 'MaxConcurrency');
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) {
      throw run.evaluationFailed(runtimeError(run.state.name, run.where.enteredEventId, `The MaxConcurrency field must be a non-negative integer, but was: ${describe(v)}`, 'States.QueryEvaluationError'), 'MaxConcurrency');
    }
    return v;
  }
  if (typeof raw.MaxConcurrency === 'number') return raw.MaxConcurrency;
  if (typeof raw.MaxConcurrencyPath === 'string') {
    const v = selectPath(raw.MaxConcurrencyPath, run.pathScope(eff), run.where, 'MaxConcurrencyPath');
    const n = numeric(v, true);
    if (n === undefined || n < 0) {
      throw runtimeError(run.state.name, run.where.enteredEventId, `The MaxConcurrencyPath field refers to value "${describe(v)}" which is not a valid integer: ${raw.MaxConcurrencyPath}`);
    }
    return n;
  }
  return 0;
}

/** The items array: JSONata `Items` (default: the input), JSONPath `ItemsPath` (default `$`). */
async function inlineItems(run: StateRun, eff: unknown): Promise<unknown[]> {
  const raw = run.raw;
  if (run.jsonata) {
    if ('Items' in raw) {
      const v = await run.evalJsonata(raw.Items, 'Items');
      if (!Array.isArray(v)) {
        const expr = typeof raw.Items === 'string' ? raw.Items.replace(/^\{%\s*/, '').replace(/\s*%\}$/, '') : JSON.stringify(raw.Items);
        const kind = v === null ? 'null' : typeof v === 'object' ? 'object' : typeof v;
        const err = runtimeError(
          run.state.name,
          run.where.enteredEventId,
          typeof v === 'function' || v === undefined || (typeof v === 'object' && v !== null && '_jsonata_lambda' in v)
            ? `The JSONata expression '${expr}' specified for the field 'Items' returned an unsupported result type.`
            : `The JSONata expression '${expr}' specified for the field 'Items' returned an unexpected result type. Expected 'array', but was '${kind}' for value: ${JSON.stringify(v)}`,
          'States.QueryEvaluationError',
        );
        throw run.evaluationFailed(err, 'Items');
      }
      return v;
    }
    if (!Array.isArray(run.input)) {
      const err = runtimeError(run.state.name, run.where.enteredEventId, `Map state input must be an array but was: ${JSON.stringify(run.input)}`, 'States.QueryEvaluationError');
      throw run.evaluationFailed(err, undefined);
    }
    return run.input;
  }
  const items = raw.ItemsPath === undefined ? eff : selectPath(raw.ItemsPath as string, run.pathScope(eff), run.where, 'ItemsPath');
  if (!Array.isArray(items)) {
    throw runtimeError(run.state.name, run.where.enteredEventId, `Map state input must be an array but was: ${JSON.stringify(items)}`);
  }
  return items;
}

/** Builds one iteration's input: ItemSelector (or the legacy Parameters) with `$$.Map.Item`. */
async function itemInput(run: StateRun, eff: unknown, index: number, value: unknown): Promise<unknown> {
  const raw = run.raw;
  const field = 'ItemSelector' in raw ? 'ItemSelector' : !run.jsonata && 'Parameters' in raw ? 'Parameters' : undefined;
  if (field === undefined) return value;
  const context = { ...run.context(), Map: { Item: { Index: index, Value: value } } };
  if (run.jsonata) return run.evalJsonata(raw[field], field, run.jsonataScope({}, context));
  return applyPayloadTemplate(raw[field], run.pathScope(eff, context), run.where, field, run.env.ids);
}

export async function runMap(run: StateRun): Promise<Step> {
  const config = ((run.raw.ItemProcessor ?? run.raw.Iterator) as Raw | undefined)?.ProcessorConfig as Raw | undefined;
  const distributed = config?.Mode === 'DISTRIBUTED';
  const mock = run.env.test?.mock;
  if (mock !== undefined) return runMocked(run, mock);
  return run.retrying(async () => {
    run.resetContext();
    const frame = run.frame;
    const eff = run.effectiveInput();
    let items: unknown[];
    try {
      items = distributed && run.raw.ItemReader !== undefined ? await readDistributedItems(run, eff) : await inlineItems(run, eff);
    } catch (e) {
      if (e instanceof StatesError && e.error === 'States.QueryEvaluationError') markStateFailed(e);
      throw e;
    }
    const limit = await maxConcurrency(run, eff);
    frame.emit('MapStateStarted', { length: items.length });
    const results = distributed ? await runDistributed(run, eff, items, limit) : await runInline(run, eff, items, limit);
    // AWS: MapStateSucceeded and then MapStateExited both follow the last iteration
    // (inline) or MapRunSucceeded (distributed), as recorded in most AWS histories.
    frame.emitAt('MapStateSucceeded', frame.prev);
    return run.finish(results, eff, { hasResult: true, checkSize: true });
  });
}

async function runInline(run: StateRun, eff: unknown, items: unknown[], limit: number): Promise<unknown[]> {
  const { frame, env } = run;
  const name = run.state.name;
  const processor = run.state.processor!;
  const results = new Array<unknown>(items.length);
  const controller = new Cancel(frame.signal);
  let failure: unknown;
  let next = 0;
  let lastDone = frame.prev;

  const iterate = async (index: number): Promise<void> => {
    const startedId = frame.emit('MapIterationStarted', { index, name });
    const end = env.observer?.mapIterationStarted?.(env.executionArn, name);
    const child = new Frame(env, { ...frame.vars }, startedId, controller);
    try {
      const input = await itemInput(run, eff, index, items[index]);
      results[index] = await runProgram(processor, child, input);
      frame.prev = frame.emitAt('MapIterationSucceeded', child.prev, { index, name }) === 0 ? frame.prev : child.prev;
      lastDone = frame.env.history.length;
    } catch (e) {
      if (frame.signal.aborted) return;
      if (e instanceof AbortedError) {
        frame.emit('MapIterationAborted', { index, name });
        return;
      }
      if (failure !== undefined) return;
      failure = e;
      frame.prev = child.prev;
      frame.emit('MapIterationFailed', { index, name });
      frame.prev = child.prev;
      controller.abort();
    } finally {
      end?.();
    }
  };
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < items.length && !controller.aborted) await iterate(next++);
  };
  try {
    const workers = Math.max(1, limit === 0 ? items.length : Math.min(limit, items.length));
    await Promise.all(Array.from({ length: workers }, worker));
  } finally {
    controller.detach();
  }
  if (frame.signal.aborted) throw new AbortedError();
  if (failure !== undefined) throw markStateFailed(toStatesError(failure));
  if (!frame.silent) frame.prev = lastDone;
  return results;
}

/**
 * TestState with a mock: the state's own fields are evaluated (items,
 * MaxConcurrency, tolerated failures) and reported; the mocked result stands
 * for the iterations' results, `mapIterationFailureCount` of them failed.
 * AWS checks that count against the threshold only when the state declares
 * one (recorded: 2 failures and no ToleratedFailure* field give SUCCEEDED).
 * https://docs.aws.amazon.com/step-functions/latest/dg/test-state-isolation.html
 */
async function runMocked(run: StateRun, mock: StateMock): Promise<Step> {
  return run.retrying(async () => {
    run.resetContext();
    const inspection = run.inspection;
    const eff = run.effectiveInput();
    const reader = run.raw.ItemReader as Raw | undefined;
    if (reader === undefined) {
      const items = await inlineItems(run, eff);
      if (!run.jsonata) inspection?.record('afterItemsPath', items);
    } else {
      // mapItemReaderData stands for the object the ItemReader would read; it is read as its ReaderConfig says.
      const data = run.env.test?.mapItemReaderData;
      const config = (reader.ReaderConfig ?? {}) as Raw;
      if (data !== undefined) limitItems(parseReaderBody(data, config, 'The mapItemReaderData'), config);
    }
    const limit = await maxConcurrency(run, eff);
    const tol = await tolerance(run, eff);
    if (inspection) {
      inspection.maxConcurrency = limit;
      inspection.toleratedFailureCount = tol.count;
      inspection.toleratedFailurePercentage = tol.percentage;
    }
    const result = mockedResult(mock);
    const failed = run.env.test?.mapIterationFailureCount ?? 0;
    const total = Array.isArray(result) ? result.length : 0;
    if (failed > 0 && (tol.count !== undefined || tol.percentage !== undefined) && !withinTolerance(tol, failed, total)) {
      throw new EngineError('States.ExceedToleratedFailureThreshold', 'The specified tolerated failure threshold was exceeded');
    }
    return run.finish(result, eff, { hasResult: true, checkSize: true });
  });
}

interface Tolerance {
  count: number | undefined;
  percentage: number | undefined;
}

/** A Map Run fails once its failures exceed every threshold it declares (none declared: no failure is tolerated). */
function withinTolerance(tol: Tolerance, failed: number, total: number): boolean {
  return (
    failed === 0 ||
    (tol.count !== undefined && failed <= tol.count) ||
    (tol.percentage !== undefined && (failed / Math.max(1, total)) * 100 <= tol.percentage)
  );
}

/** ToleratedFailureCount/Percentage: a number, a `…Path` (JSONPath) or an expression (JSONata). */
async function tolerance(run: StateRun, eff: unknown): Promise<Tolerance> {
  const raw = run.raw;
  const fail = (m: string) => runtimeError(run.state.name, run.where.enteredEventId, m);
  let count: number | undefined;
  let percentage: number | undefined;
  if (run.jsonata && typeof raw.ToleratedFailureCount === 'string') count = numeric(await run.evalJsonata(raw.ToleratedFailureCount, 'ToleratedFailureCount'), true);
  else if (raw.ToleratedFailureCount !== undefined) count = raw.ToleratedFailureCount as number;
  else if (typeof raw.ToleratedFailureCountPath === 'string') {
    const v = selectPath(raw.ToleratedFailureCountPath, run.pathScope(eff), run.where, 'ToleratedFailureCountPath');
    count = numeric(v, true);
    if (count === undefined) throw fail(`The ToleratedFailureCountPath field refers to value "${describe(v)}" which is not a valid integer: ${raw.ToleratedFailureCountPath}`);
  }
  if (run.jsonata && typeof raw.ToleratedFailurePercentage === 'string') {
    percentage = numeric(await run.evalJsonata(raw.ToleratedFailurePercentage, 'ToleratedFailurePercentage'), false);
  } else if (raw.ToleratedFailurePercentage !== undefined) percentage = raw.ToleratedFailurePercentage as number;
  else if (typeof raw.ToleratedFailurePercentagePath === 'string') {
    const v = selectPath(raw.ToleratedFailurePercentagePath, run.pathScope(eff), run.where, 'ToleratedFailurePercentagePath');
    percentage = numeric(v, false);
    if (percentage === undefined) throw fail(`The ToleratedFailurePercentagePath field refers to value "${describe(v)}" which is not a valid float: ${raw.ToleratedFailurePercentagePath}`);
  }
  if (count !== undefined && count < 0) throw fail('ToleratedFailureCount cannot be negative.');
  if (percentage !== undefined && (percentage < 0 || percentage > 100)) throw fail('ToleratedFailurePercentage must be between 0 and 100.');
  return { count, percentage };
}

/** Groups items per ItemBatcher (MaxItemsPerBatch(Path), MaxInputBytesPerBatch(Path), BatchInput). */
function batch(run: StateRun, eff: unknown, items: unknown[]): unknown[] {
  const b = run.raw.ItemBatcher as Raw | undefined;
  if (b === undefined) return items;
  const num = (field: string): number | undefined => {
    if (typeof b[field] === 'number') return b[field] as number;
    if (typeof b[`${field}Path`] === 'string') {
      const v = selectPath(b[`${field}Path`] as string, run.pathScope(eff), run.where, `ItemBatcher.${field}Path`);
      if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) throw runtimeError(run.state.name, run.where.enteredEventId, `The ItemBatcher.${field}Path field refers to value "${describe(v)}" which is not a valid positive integer`);
      return v;
    }
    return undefined;
  };
  const maxItems = num('MaxItemsPerBatch') ?? Number.MAX_SAFE_INTEGER;
  const maxBytes = num('MaxInputBytesPerBatch') ?? 262_144;
  const batchInput = b.BatchInput === undefined ? undefined : run.jsonata ? b.BatchInput : applyPayloadTemplate(b.BatchInput, run.pathScope(eff), run.where, 'ItemBatcher.BatchInput', run.env.ids);
  const out: unknown[] = [];
  let current: unknown[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = Buffer.byteLength(JSON.stringify(item ?? null));
    if (current.length > 0 && (current.length >= maxItems || bytes + size > maxBytes)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) out.push(current);
  return out.map((group) => (batchInput === undefined ? { Items: group } : { ...(batchInput as Raw), Items: group }));
}

async function runDistributed(run: StateRun, eff: unknown, items: unknown[], limit: number): Promise<unknown> {
  const { frame, env } = run;
  const name = run.state.name;
  const tol = await tolerance(run, eff);
  const selected: unknown[] = [];
  for (let i = 0; i < items.length; i++) selected.push(await itemInput(run, eff, i, items[i]));
  const inputs = batch(run, eff, selected);
  const label = typeof run.raw.Label === 'string' ? run.raw.Label : name;
  const mapRunId = env.ids.uuid();
  const mapRunArn = `arn:aws:states:${env.region}:${env.accountId}:mapRun:${env.stateMachineName}/${label}:${mapRunId}`;
  frame.emit('MapRunStarted', { mapRunArn });
  const processor = run.state.processor!;
  const controller = new Cancel(frame.signal);
  const records: ChildRecord[] = new Array(inputs.length);
  let failed = 0;
  let exceeded = false;
  let next = 0;
  const allowed = (f: number) => withinTolerance(tol, f, inputs.length);
  const worker = async (): Promise<void> => {
    while (!exceeded && next < inputs.length && !controller.aborted) {
      const index = next++;
      const end = env.observer?.mapIterationStarted?.(env.executionArn, name);
      const child = new Frame(env, {}, 0, controller, true);
      const startDate = env.clock.now();
      try {
        const output = await runProgram(processor, child, inputs[index]);
        records[index] = { index, input: inputs[index], output, startDate, stopDate: env.clock.now() };
      } catch (e) {
        if (e instanceof AbortedError) return;
        const err = toStatesError(e);
        failed++;
        records[index] = { index, input: inputs[index], error: err.error, cause: err.causeText, startDate, stopDate: env.clock.now() };
        if (!allowed(failed)) {
          exceeded = true;
          controller.abort();
        }
      } finally {
        end?.();
      }
    }
  };
  try {
    const workers = Math.max(1, Math.min(limit === 0 ? 1000 : limit, inputs.length));
    await Promise.all(Array.from({ length: workers }, worker));
  } finally {
    controller.detach();
  }
  if (frame.signal.aborted) throw new AbortedError();
  if (exceeded) {
    const err = new EngineError('States.ExceedToleratedFailureThreshold', 'The specified tolerated failure threshold was exceeded');
    frame.emit('MapRunFailed', { error: err.error, cause: err.causeText });
    throw markStateFailed(err);
  }
  if (run.raw.ResultWriter !== undefined) {
    const details = await writeResults(run, eff, mapRunArn, mapRunId, records);
    frame.emit('MapRunSucceeded');
    return { MapRunArn: mapRunArn, ResultWriterDetails: details };
  }
  frame.emit('MapRunSucceeded');
  return records.map((r) => (r.error !== undefined ? { Error: r.error, Cause: r.cause } : r.output));
}
