/**
 * harness/asl: the ASL interpreter (a pure library — no HTTP, no filesystem;
 * time only through options.clock, randomness only through options.ids).
 */
import type { Engine, EngineOptions } from './api.ts';
import { AslEngine } from './engine.ts';

export type {
  Diagnostic,
  Engine,
  EngineObserver,
  EngineOptions,
  ExecutionHandle,
  ExecutionMocks,
  ExecutionSnapshot,
  ExecutionStatus,
  HistoryEvent,
  IntegrationPattern,
  LambdaInvocation,
  LambdaResult,
  MockedTaskAnswer,
  S3Access,
  ServiceCall,
  StartExecutionRequest,
  TaskContext,
  TaskInvoker,
} from './api.ts';
export { StatesError } from './errors.ts';
export { Inspection, type InspectionErrorDetails, type InspectionStage, type StateMock } from './inspection.ts';
export { parseKeepingText, textOf } from './json-text.ts';
export { locateState, TESTED_STATE_NAME, type TestExecutionStatus, type TestStateRequest, type TestStateResult } from './test-state.ts';
export { AWS_OPTIMIZED_SERVICES } from './tasks/resource.ts';
export { validateDefinition } from './validation/index.ts';
export type { StateRef } from './errors.ts';

export function createEngine(options: EngineOptions): Engine {
  return new AslEngine(options);
}
