/**
 * Diagnostics kept across runs (harness/asl/validation/stored.ts): named by
 * the definition's text and the validating code's identity (the compiled
 * build's hash and the schema packages' versions), read back as written,
 * ignored when torn or foreign, and never kept when run from the sources. The
 * last case runs the compiled package (dist/, built when stale) in fresh
 * processes, as two `rehearse run`s would.
 */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { StoredDiagnostics, validatorIdentity } from '../../../harness/asl/validation/stored.ts';
import { build, DIST, isStale, REPO_ROOT } from '../../../scripts/build.ts';

const root = mkdtempSync(join(tmpdir(), 'rehearse-asl-diagnostics-'));
const cacheDir = join(root, 'cache');
const previous = process.env.REHEARSE_CACHE_DIR;
afterAll(() => {
  if (previous === undefined) delete process.env.REHEARSE_CACHE_DIR;
  else process.env.REHEARSE_CACHE_DIR = previous;
  rmSync(root, { recursive: true, force: true });
});
beforeEach(() => {
  process.env.REHEARSE_CACHE_DIR = cacheDir;
  rmSync(cacheDir, { recursive: true, force: true });
});

const entries = () => readdirSync(join(cacheDir, 'asl-diagnostics'));
const WAIT_ERROR = { severity: 'ERROR' as const, code: 'SCHEMA_VALIDATION_FAILED', location: 'States.A.Seconds', message: 'must be a number' };

describe('stored ASL diagnostics', () => {
  it('reads back what was written, per text and per validator identity', () => {
    const a = new StoredDiagnostics('build-1 1.0.0');
    expect(a.read('{"x":1}')).toBeUndefined();
    a.write('{"x":1}', [WAIT_ERROR]);
    a.write('{"x":2}', []);
    expect(a.read('{"x":1}')).toEqual([WAIT_ERROR]);
    expect(a.read('{"x":2}')).toEqual([]);
    expect(entries()).toHaveLength(2);
    // Another build (or package version) never sees this one's entries.
    expect(new StoredDiagnostics('build-2 1.0.0').read('{"x":1}')).toBeUndefined();
  });

  it('ignores a torn or foreign entry (validated again), and keeps nothing without an identity', () => {
    const a = new StoredDiagnostics('build-1 1.0.0');
    a.write('{"x":1}', [WAIT_ERROR]);
    const file = join(cacheDir, 'asl-diagnostics', entries()[0]!);
    writeFileSync(file, '[{"severity":"ERROR","code":');
    expect(a.read('{"x":1}')).toBeUndefined();
    writeFileSync(file, JSON.stringify([{ ...WAIT_ERROR, severity: 'FATAL' }]));
    expect(a.read('{"x":1}')).toBeUndefined();

    rmSync(cacheDir, { recursive: true, force: true });
    const none = new StoredDiagnostics(undefined);
    none.write('{"x":1}', [WAIT_ERROR]);
    expect(none.read('{"x":1}')).toBeUndefined();
    expect(() => entries()).toThrow();
  });

  it("is the compiled build's hash and the schema packages' versions; nothing from the sources", () => {
    const dist = join(root, 'dist');
    mkdirSync(join(dist, 'asl/validation'), { recursive: true });
    const moduleUrl = pathToFileURL(join(dist, 'asl/validation/stored.js')).href;
    // No build hash beside it: nothing is kept.
    expect(validatorIdentity(moduleUrl)).toBeUndefined();
    writeFileSync(join(dist, '.source-hash'), 'abc123\n');
    // asl-validator resolves from this repository, as the compiled package's would from its own.
    const fromRepo = pathToFileURL(join(REPO_ROOT, 'dist/asl/validation/stored.js')).href;
    expect(validatorIdentity(moduleUrl)).toBeUndefined(); // no asl-validator reachable from a temp folder
    expect(validatorIdentity(fromRepo)).toMatch(/^\S+ \d+\.\d+\.\d+ \d+\.\d+\.\d+ \d+\.\d+\.\d+ \d+\.\d+\.\d+$/);
    expect(validatorIdentity(pathToFileURL(join(REPO_ROOT, 'harness/asl/validation/stored.ts')).href)).toBeUndefined();
  });

  it('the compiled package validates a definition once across processes, and gives the stored diagnostics after', { timeout: 120_000 }, async () => {
    if (isStale()) build();
    const definition = JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Wait', Seconds: 'x', Next: 'B' }, B: { Type: 'Succeed' } } });
    const script = `const { validateDefinition } = require(${JSON.stringify(join(DIST, 'asl/validation/index.js'))});
console.log(JSON.stringify(validateDefinition(${JSON.stringify(definition)})));`;
    const run = async () => JSON.parse((await execa(process.execPath, ['-e', script], { env: { REHEARSE_CACHE_DIR: cacheDir } })).stdout) as unknown[];
    const fresh = await run();
    expect(fresh).toEqual([expect.objectContaining({ severity: 'ERROR', location: 'States.A.Seconds' })]);
    expect(entries()).toHaveLength(1);
    // The next process reads the entry rather than validating: an entry changed on disk is what it answers.
    const file = join(cacheDir, 'asl-diagnostics', entries()[0]!);
    const marked = (JSON.parse(readFileSync(file, 'utf8')) as Array<Record<string, string>>).map((d) => ({ ...d, message: `${d.message} (stored)` }));
    writeFileSync(file, JSON.stringify(marked));
    expect(await run()).toEqual(marked);
    // A torn entry is validated again and rewritten.
    writeFileSync(file, '[');
    expect(await run()).toEqual(fresh);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(fresh);
  });
});
