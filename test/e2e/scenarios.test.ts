/**
 * Every scenario in scenarios/ on the embedded backend; and the whole suite
 * again against `rehearse serve` running as a separate process (--backend
 * endpoint=URL), proving the runner depends only on the AWS APIs and the
 * documented control API.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findScenarioFiles } from '../../harness/scenario/loader.ts';
import type { RunReport, ScenarioResult } from '../../harness/scenario/results.ts';
import { runSuite } from '../../harness/scenario/suite.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const SUITE_TIMEOUT = 20 * 60_000;
const files = (await findScenarioFiles(['scenarios'], ROOT)).map((f) => f.slice(ROOT.length + 1));

function explain(r: ScenarioResult | undefined): string {
  if (!r) return 'no result';
  const bad = [...r.steps.filter((s) => s.status === 'failed').map((s) => `${s.id}: ${s.message}`), ...r.checks.filter((c) => c.status !== 'passed').map((c) => `${c.id}: ${c.message}`)];
  return `${r.status}${r.reason ? ` (${r.reason})` : ''}\n${bad.join('\n')}`;
}

describe('scenarios/ on the embedded backend', () => {
  let report: RunReport;
  beforeAll(async () => {
    report = await runSuite({ paths: ['scenarios'], cwd: ROOT, backend: 'embedded', seed: 'e2e' });
  }, SUITE_TIMEOUT);

  it('ran every scenario file', () => {
    expect(new Set(report.scenarios.map((s) => s.file.slice(ROOT.length + 1)))).toEqual(new Set(files));
  });

  it.each(files)('%s passes', (file) => {
    const r = report.scenarios.find((s) => s.file.endsWith(file));
    expect(r?.status, explain(r)).toBe('passed');
  });
});

describe('scenarios/ against `rehearse serve` in another process (--backend endpoint=URL)', () => {
  let server: ResultPromise | undefined;
  let url = '';
  let out = '';
  beforeAll(async () => {
    out = await mkdtemp(join(tmpdir(), 'rehearse-e2e-'));
    // node itself (not npx → sh → tsx → node), so the SIGTERM below reaches the server.
    server = execa(process.execPath, ['--import', 'tsx', 'harness/cli/entry.ts', 'serve', '--port', '0', '--clock', 'virtual', '--seed', 'e2e', '--quiet'], {
      cwd: ROOT,
      reject: false,
      forceKillAfterDelay: 10_000,
    });
    url = await new Promise<string>((resolve, reject) => {
      let buf = '';
      server!.stdout!.on('data', (c: Buffer) => {
        buf += c.toString();
        const m = /(http:\/\/127\.0\.0\.1:\d+)/.exec(buf);
        if (m) resolve(m[1]!);
      });
      void server!.then((r) => reject(new Error(`rehearse serve exited: ${r.stderr}`)));
    });
  }, 120_000);
  afterAll(async () => {
    server?.kill('SIGTERM');
    await server;
    if (out) await rm(out, { recursive: true, force: true });
  }, 30_000);

  it(
    'runs the whole suite with exit 0 and every scenario passed',
    async () => {
      const r = await execa('npx', ['tsx', 'harness/cli/entry.ts', 'run', 'scenarios', '--backend', `endpoint=${url}`, '--reporter', 'json', '--out', out, '--seed', 'e2e'], {
        cwd: ROOT,
        reject: false,
        env: { CI: '1' },
      });
      const report = JSON.parse(await readFile(join(out, 'rehearse-report.json'), 'utf8')) as RunReport;
      const failures = report.scenarios.filter((s) => s.status !== 'passed').map((s) => `${s.name}: ${explain(s)}`);
      expect(failures, r.stderr).toEqual([]);
      expect(report.backend).toBe(`endpoint=${url}`);
      expect(report.summary.total).toBe(files.length);
      expect(r.exitCode).toBe(0);
    },
    SUITE_TIMEOUT,
  );
});
