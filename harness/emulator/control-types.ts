/**
 * The control API under `/_rehearse/` (DESIGN.md principle 2): what AWS has no
 * API for. Shapes shared by the server (harness/emulator/control.ts) and the
 * client the harness uses on any backend that offers it
 * (harness/backends/control-client.ts).
 *
 *   GET    /_rehearse/health                → HealthResponse
 *   POST   /_rehearse/reset                 → 204 (every service forgets everything; clock and seed stay)
 *   GET    /_rehearse/clock                 → ClockState
 *   POST   /_rehearse/clock                 ClockRequest → ClockState
 *   PUT    /_rehearse/faults                FaultPlan → 204  (replaces the plan, resets call counters)
 *   DELETE /_rehearse/faults                → 204
 *   GET    /_rehearse/faults                → FaultPlan
 *   PUT    /_rehearse/mock-config           { name?, config: MockConfigFile } → 204 (a scenario's test cases, until reset/restore)
 *   DELETE /_rehearse/mock-config           → 204
 *   GET    /_rehearse/mock-config           → { file?, scenario? }
 *   GET    /_rehearse/observations          → ObservationsSnapshot
 *   GET    /_rehearse/changes?after=N&topics=T,…&waitMs=M → ChangesResponse, once a topic
 *          (executions, observations, execution:<arn>) changed after N, or after M ms
 *          (≤ 5,000); without `after`, at once (changes.ts)
 *   GET    /_rehearse/logs/<functionName>   → { invocations: [{ requestId, logs }] }
 *   POST   /_rehearse/snapshots             → 201 SnapshotCreated (409 when a service cannot be copied)
 *   POST   /_rehearse/snapshots/<id>/restore  { seed? } → 204 (everything as it was; ids start over from seed)
 *   DELETE /_rehearse/snapshots/<id>        → 204
 *
 * Errors: JSON `{ "error": { "code", "message" } }` with 400/404.
 */
import type { AutoAdvance } from '../core/index.ts';

export interface ChangesResponse {
  /** The change sequence number now: the `after` of the next wait. */
  seq: number;
}

export interface HealthResponse {
  status: 'ok';
  version: string;
  services: string[];
  clock: 'system' | 'virtual';
}

export interface ClockState {
  kind: 'system' | 'virtual';
  /** epoch ms */
  now: number;
  autoAdvance?: AutoAdvance;
  /** Due times of pending timers (virtual clock only). */
  pendingTimers?: number[];
  /** What currently keeps the virtual clock from jumping. */
  holds?: Array<{ kind: string; label: string }>;
}

export interface SnapshotCreated {
  snapshotId: string;
}

/** Body of `POST /_rehearse/snapshots/<id>/restore`. */
export interface RestoreRequest {
  /** Every id source starts over from this seed (default: one derived from the seed at snapshot time). */
  seed?: string;
}

export interface ClockRequest {
  /** Move virtual time forward, firing timers on the way. */
  advanceMs?: number;
  autoAdvance?: AutoAdvance;
}

export type { FaultPlan, FunctionFault, OperationFault, CallSelector } from './faults.ts';
export type { ObservationsSnapshot, InvocationRecord, SecretReadRecord, SnsMessageRecord } from './observations.ts';
