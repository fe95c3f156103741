/**
 * A small typed client for the `/_rehearse/` control API (control-types.ts),
 * used by the scenario runner on any backend that offers it.
 */
import type {
  ClockRequest,
  ClockState,
  FaultPlan,
  HealthResponse,
  ObservationsSnapshot,
  SnapshotCreated,
} from '../emulator/control-types.ts';
import { controlError, controlRequest, type ControlResponse } from './control-request.ts';

export class ControlApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'ControlApiError';
  }
}

export interface FunctionLogs {
  invocations: Array<{ requestId: string; logs: string }>;
}

export class ControlClient {
  private readonly base: string;

  /** `baseUrl`: the endpoint (`http://127.0.0.1:4566`) or its control URL (`…/_rehearse`). */
  constructor(baseUrl: string) {
    const trimmed = baseUrl.replace(/\/+$/, '');
    this.base = trimmed.endsWith('/_rehearse') ? trimmed : `${trimmed}/_rehearse`;
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    let res: ControlResponse;
    try {
      res = await controlRequest(`${this.base}/${path}`, method, body);
    } catch (e) {
      throw new ControlApiError(0, 'Unreachable', `control API at ${this.base} is unreachable: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (res.status < 200 || res.status > 299) {
      const error = controlError(res.text);
      throw new ControlApiError(res.status, error?.code ?? `HTTP${res.status}`, `${method} ${this.base}/${path}: ${error?.message ?? res.text}`);
    }
    return (res.text === '' ? undefined : JSON.parse(res.text)) as T;
  }

  health(): Promise<HealthResponse> {
    return this.call('GET', 'health');
  }

  /** Every service forgets everything; clock and seed stay. */
  async reset(): Promise<void> {
    await this.call('POST', 'reset');
  }

  clock(): Promise<ClockState> {
    return this.call('GET', 'clock');
  }

  setClock(request: ClockRequest): Promise<ClockState> {
    return this.call('POST', 'clock', request);
  }

  /** Moves virtual time forward by `ms`, firing due timers. */
  advance(ms: number): Promise<ClockState> {
    return this.setClock({ advanceMs: ms });
  }

  /** Replaces the fault plan (call counters restart). */
  async setFaults(plan: FaultPlan): Promise<void> {
    await this.call('PUT', 'faults', plan);
  }

  async clearFaults(): Promise<void> {
    await this.call('DELETE', 'faults');
  }

  faults(): Promise<FaultPlan> {
    return this.call('GET', 'faults');
  }

  observations(): Promise<ObservationsSnapshot> {
    return this.call('GET', 'observations');
  }

  /** Copies the whole endpoint's state; returns the snapshot's id. */
  async snapshot(): Promise<string> {
    return (await this.call<SnapshotCreated>('POST', 'snapshots')).snapshotId;
  }

  /** Everything back as at the snapshot; ids start over from `seed`. */
  async restore(snapshotId: string, seed?: string): Promise<void> {
    await this.call('POST', `snapshots/${encodeURIComponent(snapshotId)}/restore`, seed === undefined ? {} : { seed });
  }

  async discardSnapshot(snapshotId: string): Promise<void> {
    await this.call('DELETE', `snapshots/${encodeURIComponent(snapshotId)}`);
  }

  logs(functionName: string): Promise<FunctionLogs> {
    return this.call('GET', `logs/${encodeURIComponent(functionName)}`);
  }
}
