/**
 * An execution's id source, forked from the engine's on first use: forking
 * hashes the seed (SHA-256), and most executions of simple machines never
 * draw an id. Same seed + same label → same sequence, so histories stay
 * deterministic.
 */
import type { IdSource } from '../core/index.ts';

export class LazyFork implements IdSource {
  private source: IdSource | undefined;

  constructor(
    private readonly parent: IdSource,
    private readonly label: string,
  ) {}

  private get s(): IdSource {
    return (this.source ??= this.parent.fork(this.label));
  }

  random(): number {
    return this.s.random();
  }
  uuid(): string {
    return this.s.uuid();
  }
  hex(bytes: number): string {
    return this.s.hex(bytes);
  }
  token(): string {
    return this.s.token();
  }
  fork(label: string): IdSource {
    return this.s.fork(label);
  }
}
