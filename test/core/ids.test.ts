import { describe, expect, it } from 'vitest';
import { createIdSource, ReseedableIdSource } from '../../harness/core/index.ts';

describe('IdSource', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    const a = createIdSource(42);
    const b = createIdSource(42);
    const c = createIdSource(43);
    const seq = (s: ReturnType<typeof createIdSource>) => [s.uuid(), s.hex(4), s.random(), s.token()];
    const sa = seq(a);
    expect(sa).toEqual(seq(b));
    expect(sa).not.toEqual(seq(c));
  });

  it('makes RFC 4122 v4-shaped UUIDs and uniform randoms in [0,1)', () => {
    const s = createIdSource('x');
    for (let i = 0; i < 1000; i++) {
      expect(s.uuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      const r = s.random();
      expect(r).toBeGreaterThanOrEqual(0);
      expect(r).toBeLessThan(1);
    }
  });

  it('makes tokens of 128 URL-safe characters that never start with "-" (a command line would read an option)', () => {
    const s = createIdSource('tokens');
    // 2,000 tokens: about 31 would start with '-' if nothing prevented it.
    for (let i = 0; i < 2000; i++) expect(s.token()).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{127}$/);
  });

  it('forks independent, reproducible streams', () => {
    const s = createIdSource(1);
    const f1 = s.fork('exec-1').uuid();
    s.uuid(); // consuming the parent does not change a fork
    expect(s.fork('exec-1').uuid()).toBe(f1);
    expect(s.fork('exec-2').uuid()).not.toBe(f1);
  });

  it('a reseedable source and its forks start over from a new seed exactly as a fresh source would', () => {
    const root = new ReseedableIdSource('deploy');
    const service = root.fork('service:states');
    const engine = service.fork('engine');
    expect(engine.uuid()).toBe(createIdSource('deploy').fork('service:states').fork('engine').uuid());
    engine.uuid();
    root.uuid();
    root.reseed('scenario');
    const fresh = createIdSource('scenario');
    expect(root.uuid()).toBe(fresh.uuid());
    expect(engine.uuid()).toBe(fresh.fork('service:states').fork('engine').uuid());
    expect(service.hex(4)).toBe(fresh.fork('service:states').hex(4));
  });
});
