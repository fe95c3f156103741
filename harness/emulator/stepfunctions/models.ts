/**
 * The Step Functions store: state machines, executions (each backed by an
 * engine ExecutionHandle) and tags. In memory: executions are live engine
 * objects and cannot outlive the process.
 */
import type { ExecutionHandle } from '../../asl/index.ts';

export type StateMachineType = 'STANDARD' | 'EXPRESS';

export interface StateMachineRecord {
  stateMachineArn: string;
  name: string;
  type: StateMachineType;
  definition: string;
  roleArn: string;
  /** epoch ms */
  creationDate: number;
  updateDate?: number;
  loggingConfiguration: Record<string, unknown>;
  tracingConfiguration: Record<string, unknown>;
  description?: string;
}

export interface ExecutionRecord {
  executionArn: string;
  stateMachineArn: string;
  /** The definition the execution runs (an update does not change running executions). */
  definition: string;
  roleArn: string;
  type: StateMachineType;
  handle: ExecutionHandle;
}

export class StepFunctionsStore {
  readonly machines = new Map<string, StateMachineRecord>();
  readonly executions = new Map<string, ExecutionRecord>();
  /** Executions per state machine, in start order (ListExecutions lists newest first). */
  readonly executionsByMachine = new Map<string, string[]>();
  readonly tags = new Map<string, Map<string, string>>();

  addExecution(record: ExecutionRecord): void {
    this.executions.set(record.executionArn, record);
    const list = this.executionsByMachine.get(record.stateMachineArn) ?? [];
    list.push(record.executionArn);
    this.executionsByMachine.set(record.stateMachineArn, list);
  }

  clear(): void {
    this.machines.clear();
    this.executions.clear();
    this.executionsByMachine.clear();
    this.tags.clear();
  }
}
