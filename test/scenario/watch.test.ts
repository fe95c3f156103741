/**
 * `rehearse run --watch` for real: real files in a temp directory, real
 * fs.watch events, real runs on the embedded endpoint. The test holds the stop
 * signal (CliIo.interrupted) and waits for what the command prints — never for
 * a fixed time.
 */
import { writeFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ignoredChange, watchTargets } from '../../harness/cli/commands/run.ts';
import { main } from '../../harness/cli/main.ts';

function scenario(ok: boolean): string {
  return `name: tiny
definition:
  StartAt: Done
  States:
    Done: { Type: Pass, Result: { ok: true }, End: true }
when:
  - start: {}
then:
  execution: { status: SUCCEEDED, output: { ok: ${ok} } }
`;
}

/** Resolves once `pattern` appears in what was written so far (polls; generous limit). */
async function waitFor(read: () => string, pattern: RegExp, timeoutMs = 90_000): Promise<string> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const text = read();
    const m = pattern.exec(text);
    if (m) return m[0];
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${pattern}; output so far:\n${text}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('rehearse run --watch', { timeout: 240_000 }, () => {
  it('runs, re-runs once per burst of changes with the new result, ignores its own reports, and stops cleanly', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'rehearse-watch-'));
    await writeFile(join(dir, 'tiny.yaml'), scenario(true));
    let stdout = '';
    let stderr = '';
    let stop!: () => void;
    const interrupted = new Promise<void>((r) => (stop = r));
    const io = {
      stdout: new Writable({ write(c, _e, cb) { stdout += String(c); cb(); } }),
      stderr: new Writable({ write(c, _e, cb) { stderr += String(c); cb(); } }),
      cwd: dir,
      env: {},
      isTTY: false,
      interrupted,
    };
    // Watch the whole directory, with the JSON report written inside it: writing the report must not re-run.
    const exited = main(['run', '.', '--watch', '--seed', '5', '--reporter', 'console,json', '--out', 'reports'], io);

    await waitFor(() => stdout, /watch: run 1 finished: 1 passed, 0 failed/);
    expect(stdout).toMatch(/^watching \.; Ctrl-C to stop\n/);

    // The scenario now expects the wrong output: the re-run fails, naming the expectation.
    await writeFile(join(dir, 'tiny.yaml'), scenario(false));
    await waitFor(() => stdout, /watch: run 2 finished: 0 passed, 1 failed/);
    const second = stdout.slice(stdout.indexOf('watch: run 2 ('));
    expect(second).toMatch(/^watch: run 2 \(changed: tiny\.yaml\)/);
    expect(second).toContain('✗ then.execution.output: output differs at $.ok: expected false, got true');

    // A burst of saves (the last one fixes it again) makes one run, which sees the last content.
    // Written synchronously so a loaded machine cannot spread them beyond the 200 ms debounce.
    writeFileSync(join(dir, 'tiny.yaml'), scenario(false));
    writeFileSync(join(dir, 'tiny.yaml'), scenario(true));
    writeFileSync(join(dir, 'tiny.yaml'), scenario(true));
    await waitFor(() => stdout, /watch: run 3 finished: 1 passed, 0 failed/);

    stop();
    expect(await exited).toBe(0);
    expect(stdout).toMatch(/watch: stopped after 3 run\(s\)\n$/);
    // No run beyond the three: neither a fourth for the burst nor one for the reports written each time.
    expect(stdout).not.toContain('watch: run 4');
    expect(stderr).toContain('rehearse run: 1 of 1 scenario(s) failed: tiny (seed 5)');
    expect(stderr.replace('rehearse run: 1 of 1 scenario(s) failed: tiny (seed 5)\n', '')).toBe('');
  });

  it('watches directories recursively, a file through its directory, and skips its own reports and dependencies', () => {
    const cwd = join(sep, 'repo');
    expect(watchTargets(['.'], process.cwd()).map((t) => t.dir)).toEqual([process.cwd()]);
    const file = watchTargets(['test/scenario/watch.test.ts'], process.cwd());
    expect(file[0]).toEqual({ dir: join(process.cwd(), 'test', 'scenario'), recursive: false, only: 'watch.test.ts' });
    expect(ignoredChange(join(cwd, 'out', 'junit.xml'), join(cwd, 'out'))).toBe(true);
    expect(ignoredChange(join(cwd, 'output.yaml'), join(cwd, 'out'))).toBe(false);
    expect(ignoredChange(join(cwd, 'lambdas', 'node_modules', 'x.js'), join(cwd, 'out'))).toBe(true);
    expect(ignoredChange(join(cwd, 'scenarios', 'a.yaml'), join(cwd, 'out'))).toBe(false);
  });
});
