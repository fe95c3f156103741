/**
 * The control API under `/_rehearse/` (shapes and routes in control-types.ts):
 * what AWS has no API for — health, reset, the clock, fault plans,
 * observations, function logs.
 *
 * Virtual clock rule (`serve --clock virtual`, or a VirtualClock passed in):
 * time jumps to the next timer only when no HTTP request or Lambda invocation
 * is running (`work` holds) AND no callback is pending (`callback` holds: a
 * task token an outside client may still answer). A pending callback therefore
 * stops the jump — the client that is about to call SendTaskSuccess is never
 * overtaken by its own timeout — unless `autoAdvance` is set to
 * `'idle-ignoring-callbacks'`, or time is moved explicitly with
 * `POST /_rehearse/clock {"advanceMs": N}`, which fires every timer due on the
 * way regardless of holds. Control API requests themselves hold nothing (a
 * waiting `GET /_rehearse/changes` included).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { VirtualClock, type AutoAdvance, type Clock } from '../core/index.ts';
import { MAX_CHANGE_WAIT_MS } from './changes.ts';
import type { ChangesResponse, ClockRequest, ClockState, FaultPlan, HealthResponse, SnapshotCreated } from './control-types.ts';
import type { FaultRegistry } from './faults.ts';
import { MockConfigError, type MockConfigs } from './mock-configs.ts';
import type { Observations } from './observations.ts';

export const CONTROL_PREFIX = '/_rehearse/';

export interface ControlDeps {
  version: string;
  clock: Clock;
  faults: FaultRegistry;
  mockConfigs: MockConfigs;
  observations: Observations;
  services(): string[];
  /** Every service forgets everything (clock and seed stay). */
  reset(): Promise<void>;
  /** Copies the whole endpoint's state; returns the snapshot's id (server.ts). */
  snapshot(): Promise<string>;
  restore(snapshotId: string, options: { seed?: string }): Promise<void>;
  hasSnapshot(snapshotId: string): boolean;
  discardSnapshot(snapshotId: string): boolean;
}

class ControlError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const AUTO_ADVANCE: readonly AutoAdvance[] = ['off', 'idle', 'idle-ignoring-callbacks'];
const MAX_CONTROL_BODY = 4 * 1024 * 1024;

export function isControlRequest(url: string | undefined): boolean {
  return (url ?? '').startsWith(CONTROL_PREFIX) || url === '/_rehearse';
}

export function clockState(clock: Clock): ClockState {
  if (clock instanceof VirtualClock) {
    return { kind: 'virtual', now: clock.now(), autoAdvance: clock.autoAdvance, pendingTimers: clock.pendingTimers(), holds: clock.describeHolds() };
  }
  return { kind: clock.kind, now: clock.now() };
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_CONTROL_BODY) {
        reject(new ControlError(400, 'RequestTooLarge', `control API bodies are limited to ${MAX_CONTROL_BODY} bytes`));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      if (text.trim() === '') return resolve(undefined);
      try {
        resolve(JSON.parse(text));
      } catch (e) {
        reject(new ControlError(400, 'InvalidJson', `request body is not valid JSON: ${e instanceof Error ? e.message : String(e)}`));
      }
    });
    req.on('error', reject);
  });
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Checks a fault plan's shape, naming the bad field (`operations[0].service`). */
export function validateFaultPlan(input: unknown): FaultPlan {
  if (!isRecord(input)) throw new ControlError(400, 'InvalidFaultPlan', 'fault plan must be a JSON object with `functions`, `operations`, `targets` and/or `states` arrays');
  for (const key of Object.keys(input)) {
    if (key !== 'functions' && key !== 'operations' && key !== 'targets' && key !== 'states') throw new ControlError(400, 'InvalidFaultPlan', `fault plan: unknown field \`${key}\` (expected functions, operations, targets, states)`);
  }
  const check = (list: unknown, name: string, required: string[]) => {
    if (list === undefined) return;
    if (!Array.isArray(list)) throw new ControlError(400, 'InvalidFaultPlan', `fault plan: \`${name}\` must be an array`);
    list.forEach((f, i) => {
      if (!isRecord(f)) throw new ControlError(400, 'InvalidFaultPlan', `fault plan: \`${name}[${i}]\` must be an object`);
      for (const r of required) {
        if (typeof f[r] !== 'string' || f[r] === '') throw new ControlError(400, 'InvalidFaultPlan', `fault plan: \`${name}[${i}].${r}\` must be a non-empty string`);
      }
      if (f.every !== undefined && (typeof f.every !== 'number' || !Number.isInteger(f.every) || f.every < 1)) {
        throw new ControlError(400, 'InvalidFaultPlan', `fault plan: \`${name}[${i}].every\` must be an integer ≥ 1`);
      }
      if (f.latencyMs !== undefined && (typeof f.latencyMs !== 'number' || f.latencyMs < 0)) {
        throw new ControlError(400, 'InvalidFaultPlan', `fault plan: \`${name}[${i}].latencyMs\` must be a number ≥ 0`);
      }
      if (name === 'operations') {
        // Only a Lambda invocation has one payload to compare; an S3/Secrets/SNS request has no such thing.
        if ('input' in f) throw new ControlError(400, 'InvalidFaultPlan', `fault plan: \`operations[${i}].input\` is not supported: only function faults match on the event payload`);
        if (f.error !== undefined && (!isRecord(f.error) || typeof f.error.code !== 'string')) {
          throw new ControlError(400, 'InvalidFaultPlan', `fault plan: \`operations[${i}].error.code\` must be a string`);
        }
        if (f.error === undefined && f.latencyMs === undefined) throw new ControlError(400, 'InvalidFaultPlan', `fault plan: \`operations[${i}]\` needs \`error\` and/or \`latencyMs\``);
        for (const key of ['operation', 'resource']) {
          if (f[key] !== undefined && (typeof f[key] !== 'string' || f[key] === '')) throw new ControlError(400, 'InvalidFaultPlan', `fault plan: \`operations[${i}].${key}\` must be a non-empty string`);
        }
        if (f.operation === undefined && f.resource === undefined) throw new ControlError(400, 'InvalidFaultPlan', `fault plan: \`operations[${i}]\` needs \`operation\` (or \`resource\`: every operation on it)`);
      } else if (name === 'targets') {
        // An EventBridge rule's target delivery: it fails (error) and/or is delayed (latencyMs).
        if (f.target !== undefined && (typeof f.target !== 'string' || f.target === '')) throw new ControlError(400, 'InvalidFaultPlan', `fault plan: \`targets[${i}].target\` must be a non-empty string (a target Id)`);
        if (f.error !== undefined && (!isRecord(f.error) || typeof f.error.code !== 'string' || f.error.code === '')) {
          throw new ControlError(400, 'InvalidFaultPlan', `fault plan: \`targets[${i}].error.code\` must be a non-empty string`);
        }
        for (const key of ['input', 'throw', 'timeout', 'crash', 'return', 'operation']) {
          if (key in f) throw new ControlError(400, 'InvalidFaultPlan', `fault plan: \`targets[${i}].${key}\` is not supported: a target fault has error and/or latencyMs`);
        }
      } else if (name === 'states') {
        if (f.stateMachine !== undefined && (typeof f.stateMachine !== 'string' || f.stateMachine === '')) throw new ControlError(400, 'InvalidFaultPlan', `fault plan: \`states[${i}].stateMachine\` must be a non-empty string`);
        if (('return' in f) === ('throw' in f)) throw new ControlError(400, 'InvalidFaultPlan', `fault plan: \`states[${i}]\` needs exactly one of return, throw`);
        if ('throw' in f && (!isRecord(f.throw) || typeof f.throw.error !== 'string' || f.throw.error === '' || (f.throw.cause !== undefined && typeof f.throw.cause !== 'string'))) {
          throw new ControlError(400, 'InvalidFaultPlan', `fault plan: \`states[${i}].throw\` must be { error: string, cause?: string }`);
        }
      } else if (!('throw' in f) && !('timeout' in f) && !('latencyMs' in f) && !('crash' in f) && !('return' in f)) {
        throw new ControlError(400, 'InvalidFaultPlan', `fault plan: \`functions[${i}]\` needs one of throw, timeout, latencyMs, crash, return`);
      }
    });
  };
  check(input.functions, 'functions', ['function']);
  check(input.operations, 'operations', ['service']);
  check(input.states, 'states', ['state']);
  check(input.targets, 'targets', ['rule']);
  return input as FaultPlan;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return;
  if (status === 204) {
    res.writeHead(204);
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

export type ControlHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export function createControlHandler(deps: ControlDeps): ControlHandler {
  const { clock, faults, observations } = deps;

  async function route(method: string, path: string, req: IncomingMessage, query: URLSearchParams): Promise<{ status: number; body?: unknown }> {
    const sub = path.slice(CONTROL_PREFIX.length).replace(/\/+$/, '');
    const methodNotAllowed = () => new ControlError(400, 'MethodNotAllowed', `${method} is not supported on ${path}`);
    switch (sub) {
      case 'health': {
        if (method !== 'GET' && method !== 'HEAD') throw methodNotAllowed();
        const health: HealthResponse = { status: 'ok', version: deps.version, services: deps.services(), clock: clock.kind };
        return { status: 200, body: health };
      }
      case 'reset':
        if (method !== 'POST') throw methodNotAllowed();
        await deps.reset();
        return { status: 204 };
      case 'clock': {
        if (method === 'GET') return { status: 200, body: clockState(clock) };
        if (method !== 'POST') throw methodNotAllowed();
        const body = (await readJson(req)) ?? {};
        if (!isRecord(body)) throw new ControlError(400, 'InvalidClockRequest', 'clock request must be a JSON object with advanceMs and/or autoAdvance');
        const request = body as ClockRequest;
        if (request.autoAdvance !== undefined && !AUTO_ADVANCE.includes(request.autoAdvance)) {
          throw new ControlError(400, 'InvalidClockRequest', `autoAdvance must be one of ${AUTO_ADVANCE.join(', ')}, got ${JSON.stringify(request.autoAdvance)}`);
        }
        if (request.advanceMs !== undefined && (typeof request.advanceMs !== 'number' || !Number.isFinite(request.advanceMs) || request.advanceMs < 0)) {
          throw new ControlError(400, 'InvalidClockRequest', `advanceMs must be a number ≥ 0, got ${JSON.stringify(request.advanceMs)}`);
        }
        if (!(clock instanceof VirtualClock)) {
          if (request.advanceMs !== undefined || request.autoAdvance !== undefined) {
            throw new ControlError(400, 'ClockNotVirtual', 'this endpoint runs on real time; start it with a virtual clock (`--clock virtual`) to advance or auto-advance it');
          }
          return { status: 200, body: clockState(clock) };
        }
        if (request.autoAdvance !== undefined) clock.autoAdvance = request.autoAdvance;
        if (request.advanceMs !== undefined) await clock.advance(request.advanceMs);
        return { status: 200, body: clockState(clock) };
      }
      case 'faults': {
        if (method === 'GET') return { status: 200, body: faults.current() };
        if (method === 'DELETE') {
          faults.clear();
          return { status: 204 };
        }
        if (method !== 'PUT' && method !== 'POST') throw methodNotAllowed();
        const plan = validateFaultPlan(await readJson(req));
        try {
          faults.install(plan);
        } catch (e) {
          throw new ControlError(400, 'InvalidFaultPlan', `fault plan: ${e instanceof Error ? e.message : String(e)}`);
        }
        return { status: 204 };
      }
      case 'mock-config': {
        // A scenario's MockConfigFile (installed through this route), beside the endpoint's own file; reset and restore drop it.
        const { mockConfigs } = deps;
        if (method === 'GET') return { status: 200, body: mockConfigs.describe() };
        if (method === 'DELETE') {
          mockConfigs.clear();
          return { status: 204 };
        }
        if (method !== 'PUT') throw methodNotAllowed();
        const body = await readJson(req);
        if (!isRecord(body) || !isRecord(body.config) || (body.name !== undefined && typeof body.name !== 'string')) {
          throw new ControlError(400, 'InvalidMockConfig', 'mock-config request must be a JSON object {"name"?: string, "config": <MockConfigFile>}');
        }
        try {
          mockConfigs.install(body.config, typeof body.name === 'string' ? body.name : 'the installed mock config');
        } catch (e) {
          if (e instanceof MockConfigError) throw new ControlError(400, 'InvalidMockConfig', e.message);
          throw e;
        }
        return { status: 204 };
      }
      case 'observations':
        if (method !== 'GET') throw methodNotAllowed();
        return { status: 200, body: observations.snapshot() };
      case 'changes': {
        if (method !== 'GET') throw methodNotAllowed();
        const number = (name: string): number | undefined => {
          const text = query.get(name);
          if (text === null) return undefined;
          const n = Number(text);
          if (text === '' || !Number.isInteger(n) || n < 0) throw new ControlError(400, 'InvalidChangesRequest', `changes: \`${name}\` must be an integer ≥ 0, got ${JSON.stringify(text)}`);
          return n;
        };
        const topics = (query.get('topics') ?? '').split(',').filter((t) => t !== '');
        const after = number('after');
        if (after !== undefined && topics.length === 0) throw new ControlError(400, 'InvalidChangesRequest', 'changes: `after` needs `topics` (comma-separated: executions, observations, execution:<arn>)');
        // The caller gone (it gave up, or was interrupted): stop waiting for it.
        const gone = new AbortController();
        const onClose = () => gone.abort();
        req.socket.once('close', onClose);
        try {
          const body: ChangesResponse = { seq: await observations.changes.wait(after, topics, number('waitMs') ?? MAX_CHANGE_WAIT_MS, gone.signal) };
          return { status: 200, body };
        } finally {
          req.socket.off('close', onClose);
        }
      }
      case 'snapshots': {
        if (method !== 'POST') throw methodNotAllowed();
        try {
          const body: SnapshotCreated = { snapshotId: await deps.snapshot() };
          return { status: 201, body };
        } catch (e) {
          throw new ControlError(409, 'SnapshotFailed', e instanceof Error ? e.message : String(e));
        }
      }
      default: {
        const snap = /^snapshots\/([^/]+)(\/restore)?$/.exec(sub);
        if (snap) {
          const id = decodeURIComponent(snap[1]!);
          if (snap[2]) {
            if (method !== 'POST') throw methodNotAllowed();
            const body = (await readJson(req)) ?? {};
            if (!isRecord(body) || (body.seed !== undefined && (typeof body.seed !== 'string' || body.seed === ''))) {
              throw new ControlError(400, 'InvalidRestoreRequest', 'restore request must be a JSON object whose optional `seed` is a non-empty string');
            }
            if (!deps.hasSnapshot(id)) throw new ControlError(404, 'NoSuchSnapshot', `no snapshot ${id}`);
            await deps.restore(id, typeof body.seed === 'string' ? { seed: body.seed } : {});
            return { status: 204 };
          }
          if (method !== 'DELETE') throw methodNotAllowed();
          if (!deps.discardSnapshot(id)) throw new ControlError(404, 'NoSuchSnapshot', `no snapshot ${id}`);
          return { status: 204 };
        }
        const logs = /^logs\/(.+)$/.exec(sub);
        if (logs) {
          if (method !== 'GET') throw methodNotAllowed();
          const fn = decodeURIComponent(logs[1]!);
          const invocations = observations
            .snapshot()
            .invocations.filter((r) => r.functionName === fn || r.functionName.endsWith(`:function:${fn}`))
            .map((r) => ({ requestId: r.requestId, logs: r.logs ?? '' }));
          return { status: 200, body: { invocations } };
        }
        throw new ControlError(404, 'NotFound', `no control API route ${method} ${path} (have: health, reset, clock, faults, mock-config, observations, changes, snapshots, logs/<function>)`);
      }
    }
  }

  return async function handleControl(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q >= 0 ? url.slice(0, q) : url;
    try {
      const { status, body } = await route(method, path === '/_rehearse' ? CONTROL_PREFIX : path, req, new URLSearchParams(q >= 0 ? url.slice(q + 1) : ''));
      sendJson(res, status, body);
    } catch (e) {
      if (e instanceof ControlError) sendJson(res, e.status, { error: { code: e.code, message: e.message } });
      else if (e instanceof URIError) sendJson(res, 400, { error: { code: 'InvalidPath', message: e.message } });
      else sendJson(res, 500, { error: { code: 'InternalError', message: e instanceof Error ? e.message : String(e) } });
    }
  };
}
