/**
 * The runner's view of the control API (`/_rehearse/`, control-types.ts): what
 * AWS has no API for. Plain HTTP against `backend.controlUrl`, so it works the
 * same against `rehearse serve` in another process.
 */
import { RehearseError } from '../core/index.ts';
import { controlError, controlRequest } from '../backends/control-request.ts';
import type { MockConfigFile } from '../backends/mock-config.ts';
import type { ChangesResponse, ClockState, FaultPlan, ObservationsSnapshot, SnapshotCreated } from '../emulator/control-types.ts';

export interface ControlApi {
  reset(): Promise<void>;
  clock(): Promise<ClockState>;
  advanceClock(ms: number): Promise<ClockState>;
  putFaults(plan: FaultPlan): Promise<void>;
  clearFaults(): Promise<void>;
  /** A scenario's MockConfigFile (`name` appears in the endpoint's messages), until reset or restore. */
  putMockConfig(config: MockConfigFile, name: string): Promise<void>;
  observations(): Promise<ObservationsSnapshot>;
  /**
   * The change number now (no `after`), or the one after a change under
   * `topics` since `after`, or after `waitMs` (GET /_rehearse/changes).
   */
  changes(after: number | undefined, topics: readonly string[], waitMs: number, signal?: AbortSignal): Promise<number>;
  logs(functionName: string): Promise<Array<{ requestId: string; logs: string }>>;
  /** Copies the whole endpoint's state (a deployed template); returns its id. */
  snapshot(): Promise<string>;
  /** Everything back as at the snapshot, ids from `seed` (each scenario starts clean). */
  restore(snapshotId: string, seed: string): Promise<void>;
}

export function createControlApi(controlUrl: string): ControlApi {
  const base = controlUrl.replace(/\/+$/, '');
  async function call<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    const res = await controlRequest(`${base}/${path}`, method, body, signal);
    if (res.status < 200 || res.status > 299) {
      const error = controlError(res.text);
      const message = error ? `${error.code ?? res.status}: ${error.message ?? res.text}` : res.text;
      throw new RehearseError('ERR_INTERNAL', `control API ${method} /_rehearse/${path} failed (${res.status}): ${message}`);
    }
    return (res.text ? JSON.parse(res.text) : undefined) as T;
  }
  return {
    reset: () => call<void>('POST', 'reset'),
    clock: () => call<ClockState>('GET', 'clock'),
    advanceClock: (ms) => call<ClockState>('POST', 'clock', { advanceMs: ms }),
    putFaults: (plan) => call<void>('PUT', 'faults', plan),
    clearFaults: () => call<void>('DELETE', 'faults'),
    putMockConfig: (config, name) => call<void>('PUT', 'mock-config', { name, config }),
    observations: () => call<ObservationsSnapshot>('GET', 'observations'),
    changes: async (after, topics, waitMs, signal) => {
      const query = new URLSearchParams({ topics: topics.join(','), waitMs: String(Math.max(0, Math.round(waitMs))) });
      if (after !== undefined) query.set('after', String(after));
      return (await call<ChangesResponse>('GET', `changes?${query}`, undefined, signal)).seq;
    },
    snapshot: async () => (await call<SnapshotCreated>('POST', 'snapshots')).snapshotId,
    restore: (id, seed) => call<void>('POST', `snapshots/${encodeURIComponent(id)}/restore`, { seed }),
    logs: async (fn) => (await call<{ invocations: Array<{ requestId: string; logs: string }> }>('GET', `logs/${encodeURIComponent(fn)}`)).invocations,
  };
}
