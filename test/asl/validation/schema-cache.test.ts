/**
 * The compiled schema validator is kept in the cache folder (schema.ts): a
 * later process evaluates it instead of compiling, with V8's compiled code of
 * it beside it; a corrupt entry of either kind is made again, and either way
 * the diagnostics are the ones a fresh compile gives. Each case is its own process, as each `rehearse run` is.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';

const REPO_ROOT = join(import.meta.dirname, '../../..');
const cacheDir = mkdtempSync(join(tmpdir(), 'rehearse-asl-schema-'));
afterAll(() => rmSync(cacheDir, { recursive: true, force: true }));

// A JSONata syntax error (a format of ours), a non-numeric Seconds (a schema branch), and a valid machine.
const DEFINITIONS = [
  { QueryLanguage: 'JSONata', StartAt: 'A', States: { A: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Arguments: '{% 1 + %}', End: true } } },
  { StartAt: 'A', States: { A: { Type: 'Wait', Seconds: 'x', Next: 'B' }, B: { Type: 'Succeed' } } },
  { StartAt: 'A', States: { A: { Type: 'Pass', End: true } } },
];

async function diagnosticsInNewProcess(): Promise<string> {
  const script = `import { schemaDiagnostics } from './harness/asl/validation/schema.ts';
const defs = ${JSON.stringify(DEFINITIONS)};
console.log(JSON.stringify(defs.map((d) => schemaDiagnostics(d))));`;
  const r = await execa(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: REPO_ROOT, env: { REHEARSE_CACHE_DIR: cacheDir } });
  return r.stdout;
}

function cacheEntries(suffix = '.cjs'): string[] {
  return readdirSync(join(cacheDir, 'asl-schema')).filter((f) => f.endsWith(suffix));
}

describe('the compiled ASL schema cache', () => {
  it('is written by the first process and read by the next, with the same diagnostics; a corrupt entry is compiled again', async () => {
    const fresh = await diagnosticsInNewProcess();
    expect(JSON.parse(fresh)).toEqual([
      [expect.objectContaining({ code: 'SCHEMA_VALIDATION_FAILED', location: 'States.A.Arguments' })],
      [expect.objectContaining({ code: 'SCHEMA_VALIDATION_FAILED', location: 'States.A.Seconds' })],
      [],
    ]);
    const [entry] = cacheEntries();
    expect(entry).toBeDefined();
    const file = join(cacheDir, 'asl-schema', entry!);
    const code = readFileSync(file, 'utf8');

    expect(await diagnosticsInNewProcess()).toBe(fresh);

    writeFileSync(file, 'module.exports = (function( {');
    expect(await diagnosticsInNewProcess()).toBe(fresh);
    expect(readFileSync(file, 'utf8')).toBe(code);
    expect(cacheEntries()).toEqual([entry]);
  }, 60_000);

  it("keeps V8's compiled code of the validator beside it; code V8 rejects is compiled again and rewritten", async () => {
    const fresh = await diagnosticsInNewProcess();
    const [compiled] = cacheEntries('.v8');
    expect(compiled).toBeDefined();
    const file = join(cacheDir, 'asl-schema', compiled!);
    expect(readFileSync(file).length).toBeGreaterThan(1000);

    expect(await diagnosticsInNewProcess()).toBe(fresh);

    writeFileSync(file, Buffer.from('not V8 code'));
    expect(await diagnosticsInNewProcess()).toBe(fresh);
    expect(readFileSync(file).length).toBeGreaterThan(1000);
    expect(cacheEntries('.v8')).toEqual([compiled]);
  }, 60_000);
});
