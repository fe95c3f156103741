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

export class FunctionPool {
  private readonly idle: ExecutionEnvironment[] = [];
  private readonly all = new Set<ExecutionEnvironment>();
  private readonly reapTimers = new Map<ExecutionEnvironment, Timer>();
  /** When each idle environment was released (releaseCount at the time). */
  private readonly releasedAt = new Map<ExecutionEnvironment, number>();
  /** Environments started so far (each one is a cold start). */
  coldStarts = 0;

  constructor(private readonly idleTimeoutMs: number) {}

  /** A warm environment of this revision, if one is idle (stale idle ones are stopped on the way). */
  takeIdle(spec: FunctionSpec): ExecutionEnvironment | undefined {
    // Most recently used first, so a burst's extra environments are the ones reaped.
    while (this.idle.length > 0) {
      const env = this.idle.pop()!;
      this.reapTimers.get(env)?.cancel();
      this.reapTimers.delete(env);
      this.releasedAt.delete(env);
      if (env.reusable && env.spec.revisionId === spec.revisionId) return env;
      this.discard(env);
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
    const env = this.idle.shift();
    if (!env) return false;
    this.reapTimers.get(env)?.cancel();
    this.reapTimers.delete(env);
    this.releasedAt.delete(env);
    this.discard(env);
    return true;
  }

  get idleCount(): number {
    return this.idle.length;
  }

  /** Release order of this pool's least recently used idle environment (lower = older); undefined when none is idle. */
  get oldestIdleRelease(): number | undefined {
    const env = this.idle[0];
    return env ? this.releasedAt.get(env) : undefined;
  }

  release(env: ExecutionEnvironment, spec: FunctionSpec | undefined): void {
    if (!spec || !env.reusable || env.spec.revisionId !== spec.revisionId) return this.discard(env);
    this.idle.push(env);
    this.releasedAt.set(env, ++releaseCount);
    this.reapTimers.set(
      env,
      REAL_CLOCK.setTimer(this.idleTimeoutMs, () => {
        const i = this.idle.indexOf(env);
        if (i >= 0) this.idle.splice(i, 1);
        this.reapTimers.delete(env);
        this.releasedAt.delete(env);
        this.discard(env);
      }),
    );
  }

  /** The process ended on its own (crash, kill): forget it. */
  forget(env: ExecutionEnvironment): void {
    const i = this.idle.indexOf(env);
    if (i >= 0) this.idle.splice(i, 1);
    this.reapTimers.get(env)?.cancel();
    this.reapTimers.delete(env);
    this.releasedAt.delete(env);
    this.all.delete(env);
  }

  /** Code or configuration changed: idle environments go now, busy ones when they finish. */
  retireIdle(): void {
    for (const env of this.idle.splice(0)) {
      this.releasedAt.delete(env);
      this.discard(env);
    }
  }

  stats(): { environments: number; idle: number; busy: number; coldStarts: number } {
    const environments = this.all.size;
    return { environments, idle: this.idle.length, busy: environments - this.idle.length, coldStarts: this.coldStarts };
  }

  async dispose(): Promise<void> {
    for (const t of this.reapTimers.values()) t.cancel();
    this.reapTimers.clear();
    this.releasedAt.clear();
    this.idle.length = 0;
    await Promise.all([...this.all].map((env) => env.dispose()));
    this.all.clear();
  }

  private discard(env: ExecutionEnvironment): void {
    env.kill();
  }
}
