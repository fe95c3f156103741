/**
 * What a state computes on its way, as the TestState API's `inspectionData`
 * reports it, and the settings under which a TestState run differs from an
 * execution (a mock instead of the integration, the retry count and Map
 * failures it simulates, a given context object). The states record into an
 * Inspection at the points where they compute each stage; nothing is computed
 * twice for it.
 * https://docs.aws.amazon.com/step-functions/latest/apireference/API_InspectionData.html
 * https://docs.aws.amazon.com/step-functions/latest/apireference/API_TestStateConfiguration.html
 */
import { EngineError } from './frame.ts';

/** The data-flow stages, named as InspectionData names them. */
export type InspectionStage =
  | 'input'
  | 'afterInputPath'
  | 'afterParameters'
  | 'afterArguments'
  | 'result'
  | 'afterResultSelector'
  | 'afterResultPath'
  | 'afterItemsPath'
  | 'afterItemSelector'
  | 'afterItemBatcher';

export interface InspectionErrorDetails {
  catchIndex?: number;
  retryIndex?: number;
  retryBackoffIntervalSeconds?: number;
}

export class Inspection {
  readonly stages = new Map<InspectionStage, unknown>();
  maxConcurrency: number | undefined;
  toleratedFailureCount: number | undefined;
  toleratedFailurePercentage: number | undefined;
  errorDetails: InspectionErrorDetails | undefined;
  /** A Retrier matched the error and has attempts left: the state would be retried. */
  retriable = false;
  /** A Catcher handled the error; the step that follows is the catcher's. */
  caught: { error: string; cause: string } | undefined;

  record(stage: InspectionStage, value: unknown): void {
    this.stages.set(stage, value);
  }

  drop(...stages: InspectionStage[]): void {
    for (const s of stages) this.stages.delete(s);
  }
}

/** `mock.result` (parsed) or `mock.errorOutput`. */
export type StateMock = { kind: 'result'; value: unknown } | { kind: 'error'; error: string; cause: string | undefined };

/** TestState's `mock`: the integration's result, or the error it fails with, instead of invoking it. */
export function mockedResult(mock: StateMock): unknown {
  if (mock.kind === 'error') throw new EngineError(mock.error, mock.cause);
  return mock.value;
}

export interface TestStateSettings {
  mock: StateMock | undefined;
  /** Retries already made by the Retrier that matches the error (stateConfiguration.retrierRetryCount). */
  retrierRetryCount: number | undefined;
  /** Failed Map iterations among the mocked results (stateConfiguration.mapIterationFailureCount). */
  mapIterationFailureCount: number | undefined;
  /** What the ItemReader would have read (stateConfiguration.mapItemReaderData), read by its ReaderConfig. */
  mapItemReaderData: string | undefined;
  /** The request's `context`: the state sees it as `$$` / `$states.context`, exactly as given. */
  context: Record<string, unknown> | undefined;
  inspection: Inspection;
}
