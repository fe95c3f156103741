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
  /** Stopped by a reset or restore: its end is no status change anyone hears of. */
  quiet?: boolean;
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

  /**
   * A copy of the store. State machines and tags are copied; executions must
   * all have finished — a finished execution's handle never changes again,
   * so it is shared — while a running one (live engine state) makes it throw.
   */
  copy(): StoreContents {
    const running = [...this.executions.values()].filter((e) => e.handle.snapshot().status === 'RUNNING').map((e) => e.executionArn);
    if (running.length > 0) {
      throw new Error(`states: cannot snapshot while executions run (${running.length}: ${running.slice(0, 3).join(', ')}${running.length > 3 ? ', …' : ''}); wait for them or stop them first`);
    }
    return structuredCopy(this);
  }

  /** Replaces the whole store with a copy of `from` (from copy()). */
  replaceAll(from: StoreContents): void {
    this.clear();
    const copy = structuredCopy(from);
    for (const [k, v] of copy.machines) this.machines.set(k, v);
    for (const [k, v] of copy.executions) this.executions.set(k, v);
    for (const [k, v] of copy.executionsByMachine) this.executionsByMachine.set(k, v);
    for (const [k, v] of copy.tags) this.tags.set(k, v);
  }
}

export type StoreContents = Pick<StepFunctionsStore, 'machines' | 'executions' | 'executionsByMachine' | 'tags'>;

function structuredCopy(from: StoreContents): StoreContents {
  return {
    machines: structuredClone(from.machines),
    // Finished executions only (see copy()): the records are shared, the maps are not.
    executions: new Map(from.executions),
    executionsByMachine: new Map([...from.executionsByMachine].map(([k, v]) => [k, [...v]])),
    tags: structuredClone(from.tags),
  };
}
