/** Deterministic pseudo-random bytes (an LCG): incompressible test bodies that differ per seed and are the same on every run. */
export function payload(size: number, seed: number): Buffer {
  const b = Buffer.alloc(size);
  let s = seed >>> 0;
  for (let i = 0; i < size; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    b[i] = s >>> 24;
  }
  return b;
}
