/**
 * The warm execution environments of one function. Like AWS, an invocation
 * takes an idle environment when there is one (warm start) and starts a new
 * one otherwise (cold start); there is one environment per concurrent
 * invocation, and an environment idle for too long is reaped.
 */
import { REAL_CLOCK, type Timer } from '../core/index.ts';
import type { ExecutionEnvironment } from './environment.ts';
import type { FunctionSpec } from './types.ts';

/** Orders releases across every pool, so the runtime can stop the least recently used idle environment overall. */
let releaseCount = 0;

/** An idle environment, its reaper, and when it was released (releaseCount at the time). */
interface IdleEntry {
  env: ExecutionEnvironment;
  reaper: Timer;
  releasedAt: number;
}

export class FunctionPool {
  /** Oldest release first. */
  private readonly idle: IdleEntry[] = [];
  private readonly all = new Set<ExecutionEnvironment>();
  /** Environments started so far (each one is a cold start). */
  coldStarts = 0;

  constructor(private readonly idleTimeoutMs: number) {}

  /** A warm environment of this revision, if one is idle (stale idle ones are stopped on the way). */
  takeIdle(spec: FunctionSpec): ExecutionEnvironment | undefined {
    // Most recently used first, so a burst's extra environments are the ones reaped.
    for (let entry = this.idle.pop(); entry; entry = this.idle.pop()) {
      entry.reaper.cancel();
      if (entry.env.reusable && entry.env.spec.revisionId === spec.revisionId) return entry.env;
      this.discard(entry.env);
    }
    return undefined;
  }

  /** A new environment just started for this function (a cold start). */
  adopt(env: ExecutionEnvironment): void {
    this.all.add(env);
    this.coldStarts++;
  }

  /** Stops the least recently used idle environment (to make room for another function); false when none is idle. */
  stopOldestIdle(): boolean {
    const entry = this.idle.shift();
    if (!entry) return false;
    entry.reaper.cancel();
    this.discard(entry.env);
    return true;
  }

  /** Release order of this pool's least recently used idle environment (lower = older); undefined when none is idle. */
  get oldestIdleRelease(): number | undefined {
    return this.idle[0]?.releasedAt;
  }

  release(env: ExecutionEnvironment, spec: FunctionSpec | undefined): void {
    if (!spec || !env.reusable || env.spec.revisionId !== spec.revisionId) return this.discard(env);
    const reaper = REAL_CLOCK.setTimer(this.idleTimeoutMs, () => {
      this.removeIdle(env);
      this.discard(env);
    });
    this.idle.push({ env, reaper, releasedAt: ++releaseCount });
  }

  /** The process ended on its own (crash, kill): forget it. */
  forget(env: ExecutionEnvironment): void {
    this.removeIdle(env)?.reaper.cancel();
    this.all.delete(env);
  }

  /** Code or configuration changed: idle environments go now, busy ones when they finish. */
  retireIdle(): void {
    for (const entry of this.idle.splice(0)) {
      entry.reaper.cancel();
      this.discard(entry.env);
    }
  }

  stats(): { environments: number; idle: number; busy: number; coldStarts: number } {
    const environments = this.all.size;
    return { environments, idle: this.idle.length, busy: environments - this.idle.length, coldStarts: this.coldStarts };
  }

  async dispose(): Promise<void> {
    for (const entry of this.idle.splice(0)) entry.reaper.cancel();
    await Promise.all([...this.all].map((env) => env.dispose()));
    this.all.clear();
  }

  private removeIdle(env: ExecutionEnvironment): IdleEntry | undefined {
    const i = this.idle.findIndex((e) => e.env === env);
    return i >= 0 ? this.idle.splice(i, 1)[0] : undefined;
  }

  private discard(env: ExecutionEnvironment): void {
    env.kill();
  }
}
