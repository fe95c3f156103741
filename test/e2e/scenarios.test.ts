/**
 * Every scenario in scenarios/ on the embedded backend; and a covering subset
 * again against `rehearse serve` running as a separate process (--backend
 * endpoint=URL), proving the runner depends only on the AWS APIs and the
 * documented control API.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findScenarioFiles } from '../../harness/scenario/loader.ts';
import type { RunReport, ScenarioResult } from '../../harness/scenario/results.ts';
import { runSuite } from '../../harness/scenario/suite.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const SUITE_TIMEOUT = 20 * 60_000;
const files = (await findScenarioFiles(['scenarios'], ROOT)).map((f) => f.slice(ROOT.length + 1));

/**
 * What a scenario file exercises, as the key paths it uses (`when.await.captureToken`,
 * `given.faults.throw`, `then.states.*.retryDelaysSeconds` cut to three levels):
 * schema keys are camelCase; anything else (state, function, secret names) is `*`.
 * `repeat.steps` counts as the steps themselves.
 */
function scenarioFeatures(yamlText: string): Set<string> {
  const doc = parse(yamlText) as Record<string, unknown>;
  const out = new Set<string>();
  const walk = (v: unknown, path: string[]): void => {
    if (Array.isArray(v)) return v.forEach((x) => walk(x, path));
    if (!v || typeof v !== 'object') return;
    for (const [k, x] of Object.entries(v)) {
      const seg = /^[a-z][a-zA-Z]*$/.test(k) ? k : '*';
      const p = [...path, seg];
      if (p.length <= 3) out.add(p.join('.'));
      walk(x, seg === 'steps' ? path : p);
    }
  };
  walk({ given: doc.given, when: doc.when, then: doc.then }, []);
  return out;
}

/**
 * The fewest scenarios (greedy set cover, in file order on ties) that together
 * use every step kind and option, every `given` kind and every `then` check the
 * whole suite uses.
 */
function coveringSubset(entries: Array<{ file: string; features: Set<string> }>): string[] {
  const universe = new Set(entries.flatMap((e) => [...e.features]));
  const covered = new Set<string>();
  const chosen: string[] = [];
  while (covered.size < universe.size) {
    let best = entries[0]!;
    let gain = -1;
    for (const e of entries) {
      const g = [...e.features].filter((f) => !covered.has(f)).length;
      if (g > gain) [best, gain] = [e, g];
    }
    chosen.push(best.file);
    for (const f of best.features) covered.add(f);
  }
  return chosen.sort();
}

/*
 * Why a subset against `rehearse serve`: the embedded pass above runs all of
 * scenarios/ and is where each scenario's *behaviour* is checked. The second
 * pass checks something else — that every step, given and check works through
 * the AWS APIs and the control API of an endpoint in another process, with a
 * reset between scenarios. A scenario adds nothing to that unless it uses a
 * step, option or check no other one in the pass uses, so the pass runs the
 * covering subset (about half the files, recomputed from scenarios/ on every
 * run, so a scenario with a new kind of step or check joins automatically).
 */
const ENDPOINT_SUBSET = coveringSubset(files.map((file) => ({ file, features: scenarioFeatures(readFileSync(join(ROOT, file), 'utf8')) })));

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

describe('the endpoint pass covers the suite', () => {
  it('uses every step, given and check the whole suite uses, with fewer files', () => {
    const all = new Set(files.flatMap((f) => [...scenarioFeatures(readFileSync(join(ROOT, f), 'utf8'))]));
    const subset = new Set(ENDPOINT_SUBSET.flatMap((f) => [...scenarioFeatures(readFileSync(join(ROOT, f), 'utf8'))]));
    expect([...all].filter((f) => !subset.has(f))).toEqual([]);
    expect(all.has('when.await.captureToken') && all.has('then.states.*') && all.has('given.faults.throw')).toBe(true);
    expect(ENDPOINT_SUBSET.length).toBeLessThan(files.length);
  });
});

describe(`scenarios/ against \`rehearse serve\` in another process (--backend endpoint=URL): ${ENDPOINT_SUBSET.length} of ${files.length} covering every step and check`, () => {
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
    'runs the covering subset with exit 0 and every scenario passed',
    async () => {
      const r = await execa('npx', ['tsx', 'harness/cli/entry.ts', 'run', ...ENDPOINT_SUBSET, '--backend', `endpoint=${url}`, '--reporter', 'json', '--out', out, '--seed', 'e2e'], {
        cwd: ROOT,
        reject: false,
        env: { CI: '1' },
      });
      const report = JSON.parse(await readFile(join(out, 'rehearse-report.json'), 'utf8')) as RunReport;
      const failures = report.scenarios.filter((s) => s.status !== 'passed').map((s) => `${s.name}: ${explain(s)}`);
      expect(failures, r.stderr).toEqual([]);
      expect(report.backend).toBe(`endpoint=${url}`);
      expect(report.scenarios.map((s) => s.file.slice(ROOT.length + 1)).sort()).toEqual(ENDPOINT_SUBSET);
      expect(r.exitCode).toBe(0);
    },
    SUITE_TIMEOUT,
  );
});
