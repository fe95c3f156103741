/**
 * The engine (harness/asl/api.ts `Engine`): starts executions of validated,
 * compiled definitions and routes task-token callbacks to them.
 */
import { AwsServiceError } from '../core/index.ts';
import type { Diagnostic, Engine, EngineOptions, ExecutionHandle, StartExecutionRequest } from './api.ts';
import { compileDefinition } from './definition.ts';
import { ExecutionRun } from './execution.ts';
import { TokenRegistry } from './tasks/tokens.ts';
import { runTestState, type TestStateRequest, type TestStateResult } from './test-state.ts';
import { validateDefinition } from './validation/index.ts';

/** Validation results per definition text (asl-validator is far slower than an execution). */
const validated = new Map<string, Diagnostic[]>();

function validateCached(text: string): Diagnostic[] {
  let d = validated.get(text);
  if (d === undefined) {
    d = validateDefinition(text);
    if (validated.size > 256) validated.delete(validated.keys().next().value as string);
    validated.set(text, d);
  }
  return d;
}

export class AslEngine implements Engine {
  private readonly executions = new Map<string, ExecutionRun>();
  private readonly tokens = new TokenRegistry();

  constructor(private readonly options: EngineOptions) {}

  validate(definition: string): Diagnostic[] {
    return validateCached(definition);
  }

  start(request: StartExecutionRequest): ExecutionHandle {
    if (this.executions.has(request.executionArn)) {
      throw new AwsServiceError('ExecutionAlreadyExists', `Execution Already Exists: '${request.executionArn}'`);
    }
    const errors = validateCached(request.definition).filter((d) => d.severity === 'ERROR');
    if (errors.length > 0) {
      throw new AwsServiceError('InvalidDefinition', `Invalid State Machine Definition: ${errors.map((d) => `'${d.code} at ${d.location}: ${d.message}'`).join(', ')}`);
    }
    const machine = compileDefinition(request.definition);
    const run = new ExecutionRun(request, machine, this.options, this.tokens);
    this.executions.set(request.executionArn, run);
    run.begin();
    return run;
  }

  get(executionArn: string): ExecutionHandle | undefined {
    return this.executions.get(executionArn);
  }

  stop(executionArn: string, error?: string, cause?: string): void {
    const run = this.executions.get(executionArn);
    if (run === undefined) throw new AwsServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
    run.stop(error, cause);
  }

  sendTaskSuccess(taskToken: string, output: string): void {
    this.tokens.sendTaskSuccess(taskToken, output);
  }

  sendTaskFailure(taskToken: string, error?: string, cause?: string): void {
    this.tokens.sendTaskFailure(taskToken, error, cause);
  }

  sendTaskHeartbeat(taskToken: string): void {
    this.tokens.sendTaskHeartbeat(taskToken);
  }

  testState(request: TestStateRequest): Promise<TestStateResult> {
    return runTestState(this.options, this.tokens, request);
  }
}
