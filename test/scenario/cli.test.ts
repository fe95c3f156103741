/** `rehearse run`: exit codes 0/1/2/3 with one-line reasons, reports written. */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../harness/cli/main.ts';

let dir: string;

function io() {
  const out = { stdout: '', stderr: '' };
  return {
    out,
    io: {
      stdout: new Writable({ write(c, _e, cb) { out.stdout += String(c); cb(); } }),
      stderr: new Writable({ write(c, _e, cb) { out.stderr += String(c); cb(); } }),
      cwd: dir,
      env: {},
      isTTY: false,
    },
  };
}

const PASSING = `# yaml-language-server: $schema=./scenario.schema.json
name: passes
definition:
  StartAt: Done
  States:
    Done: { Type: Pass, Result: { ok: true }, End: true }
when:
  - start: {}
then:
  execution: { status: SUCCEEDED, output: { ok: true } }
`;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rehearse-run-'));
  await writeFile(join(dir, 'pass.yaml'), PASSING);
  await writeFile(join(dir, 'fail.yaml'), PASSING.replace('name: passes', 'name: fails on purpose').replace('output: { ok: true }', 'output: { ok: false }'));
  await writeFile(join(dir, 'typo.yaml'), 'name: typo\nwhen:\n  - strat: {}\n');
});

describe('rehearse run', { timeout: 180_000 }, () => {
  it('exits 0 when all pass, printing the seed, and writes JSON and JUnit reports', async () => {
    const { io: cli, out } = io();
    const code = await main(['run', 'pass.yaml', '--seed', '42', '--reporter', 'console,json,junit', '--out', 'reports'], cli);
    expect(code, out.stderr).toBe(0);
    expect(out.stdout).toContain('✓ passes');
    expect(out.stdout).toContain('1 passed of 1');
    expect(out.stdout).toContain('seed 42');
    const json = JSON.parse(await readFile(join(dir, 'reports', 'rehearse-report.json'), 'utf8'));
    expect(json.summary).toEqual({ total: 1, passed: 1, failed: 0, skipped: 0, errors: 0 });
    expect(await readFile(join(dir, 'reports', 'junit.xml'), 'utf8')).toContain('<testcase name="passes"');
  });

  it('exits 1 when a scenario fails, naming it and the failed expectation', async () => {
    const { io: cli, out } = io();
    expect(await main(['run', 'fail.yaml', 'pass.yaml', '--filter', 'fail', '--seed', '7'], cli)).toBe(1);
    expect(out.stderr).toBe('rehearse run: 1 of 1 scenario(s) failed: fails on purpose (seed 7)\n');
    expect(out.stdout).toContain('✗ then.execution.output: output differs at $.ok: expected false, got true');
  });

  it('exits 2 for a bad scenario file, naming file, line, column, key and the suggestion', async () => {
    const { io: cli, out } = io();
    expect(await main(['run', 'typo.yaml'], cli)).toBe(2);
    expect(out.stderr).toContain(`${join(dir, 'typo.yaml')}:3:5 when[0].strat: unknown key 'strat' (did you mean 'start'?)`);
  });

  it('exits 2 for bad flags and an empty selection', async () => {
    const a = io();
    expect(await main(['run', 'pass.yaml', '--reporter', 'xml'], a.io)).toBe(2);
    expect(a.out.stderr).toBe("rehearse run: unknown reporter 'xml' (known: console, json, junit, html)\n");
    const b = io();
    expect(await main(['run', 'pass.yaml', '--shard', '3/2'], b.io)).toBe(2);
    const c = io();
    expect(await main(['run', 'pass.yaml', '--filter', 'nothing-matches'], c.io)).toBe(2);
    expect(c.out.stderr).toBe('rehearse run: no scenario matched --filter nothing-matches\n');
  });

  it('exits 3 when the backend cannot be reached', async () => {
    const { io: cli, out } = io();
    expect(await main(['run', 'pass.yaml', '--backend', 'endpoint=http://127.0.0.1:9'], cli)).toBe(3);
    // One line saying what failed (a second, indented line may hint at the fix).
    const [reason, ...rest] = out.stderr.trim().split('\n');
    expect(reason).toMatch(/^rehearse run: .*127\.0\.0\.1:9/);
    expect(rest.every((l) => l.startsWith('  '))).toBe(true);
  });
});
