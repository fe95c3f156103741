/**
 * `rehearse run --coverage` on a fixture project whose coverage is known
 * (test/report/fixtures/coverage): order.asl.json (a retry fired once, a
 * Catch never fired, a Choice whose second rule and Default are never taken,
 * a Map never entered), greeter.asl.yaml (a Parallel retried whole once, fully covered) and
 * audit, inline in template.yaml (one Choice rule never taken). Through the
 * CLI's main: the exit codes of --coverage-threshold, the console table, the
 * JSON section, lcov and Cobertura parsed back onto the definitions' lines,
 * and the HTML graph in headless Chromium.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { XMLParser } from 'fast-xml-parser';
import { chromium } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../harness/cli/main.ts';
import type { RunReport } from '../../harness/scenario/results.ts';
import { captureIo } from '../support/cli-io.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const FIXTURE = join(import.meta.dirname, 'fixtures', 'coverage');
const CHROMIUM = '/usr/bin/chromium';

interface LcovRecord {
  file: string;
  functions: Map<string, { line: number; hits: number }>;
  lines: Map<number, number>;
  branches: Array<{ line: number; block: number; branch: number; taken: string }>;
  totals: Record<string, number>;
}

/** Reads an lcov tracefile back (the geninfo TRACEFILE FORMAT). */
function parseLcov(text: string): LcovRecord[] {
  const out: LcovRecord[] = [];
  let cur: LcovRecord | undefined;
  for (const line of text.split('\n').filter(Boolean)) {
    const [tag, rest = ''] = [line.slice(0, line.indexOf(':') < 0 ? line.length : line.indexOf(':')), line.slice(line.indexOf(':') + 1)];
    if (tag === 'SF') out.push((cur = { file: rest, functions: new Map(), lines: new Map(), branches: [], totals: {} }));
    else if (tag === 'FN') cur!.functions.set(rest.split(',')[1]!, { line: Number(rest.split(',')[0]), hits: 0 });
    else if (tag === 'FNDA') cur!.functions.get(rest.split(',')[1]!)!.hits = Number(rest.split(',')[0]);
    else if (tag === 'DA') cur!.lines.set(Number(rest.split(',')[0]), Number(rest.split(',')[1]));
    else if (tag === 'BRDA') {
      const [l, b, br, taken] = rest.split(',');
      cur!.branches.push({ line: Number(l), block: Number(b), branch: Number(br), taken: taken! });
    } else if (/^(FNF|FNH|LF|LH|BRF|BRH)$/.test(tag)) cur!.totals[tag] = Number(rest);
  }
  return out;
}

const linesOf = (file: string) => readFileSync(join(FIXTURE, file), 'utf8').split('\n');

describe('rehearse run --coverage on a fixture project with known coverage', () => {
  const out = mkdtempSync(join(tmpdir(), 'rehearse-coverage-'));
  let run: { code: number; stdout: string; stderr: string };
  let report: RunReport;

  beforeAll(async () => {
    const { io, out: text } = captureIo(FIXTURE);
    const code = await main(['run', 'scenarios', '--seed', '1', '--reporter', 'json,html', '--out', out, '--coverage-threshold', 'states=100,transitions=90'], io);
    run = { code, ...text };
    report = JSON.parse(readFileSync(join(out, 'rehearse-report.json'), 'utf8')) as RunReport;
  }, 120_000);

  it('fails a passing run below the threshold (exit 1), naming per state machine what was missed', () => {
    expect(run.stdout).toContain('4 passed of 4');
    expect(run.code, run.stderr).toBe(1);
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines).toEqual([
      'rehearse run: coverage below threshold: audit (template.yaml): states 66.7% < 100%, not entered: Alert',
      'rehearse run: coverage below threshold: audit (template.yaml): transitions 50.0% < 90%, not taken: Check.Choices[0] → Alert',
      'rehearse run: coverage below threshold: order (order.asl.json): states 50.0% < 100%, not entered: ShipAll, ShipAll/ItemProcessor/Pack, Manual, Failed',
      'rehearse run: coverage below threshold: order (order.asl.json): transitions 50.0% < 90%, not taken: Charge.Catch[1] → Failed, Route.Choices[1] → ShipAll, Route.Default → Manual',
      'rehearse run: all scenarios passed, but 4 coverage threshold(s) were not met (--coverage-threshold)',
    ]);
  });

  it('prints the summary table and where the files went', () => {
    const table = run.stdout.slice(run.stdout.indexOf('coverage:\n')).split('\n');
    const row = (name: string) => table.find((l) => l.startsWith(`${name} `))!.split(/\s{2,}/);
    expect(row('order')).toEqual(['order (order.asl.json)', '2', '4/8 50%', '3/6 50%', '1/3 33%', '1/2 50%', '1/2 50%']);
    expect(row('greeter')).toEqual(['greeter (greeter.asl.yaml)', '1', '4/4 100%', '1/1 100%', '-', '-', '1/1 100%']);
    expect(row('audit')).toEqual(['audit (template.yaml)', '1', '2/3 66%', '1/2 50%', '1/2 50%', '-', '-']);
    expect(run.stdout).toContain(`report: ${join(out, 'coverage', 'lcov.info')}\n`);
    expect(run.stdout).toContain(`report: ${join(out, 'coverage', 'cobertura-coverage.xml')}\n`);
  });

  it('keeps every item with its count and line in the JSON report (definitions left out)', () => {
    const order = report.coverage!.stateMachines.find((m) => m.name === 'order')!;
    expect(order).not.toHaveProperty('definition');
    expect(order.file).toBe('order.asl.json');
    expect(order.executions).toBe(2);
    expect(Object.fromEntries(order.states.map((s) => [s.path, s.entered]))).toEqual({
      Charge: 2, Route: 1, Ship: 1, ShipAll: 0, 'ShipAll/ItemProcessor/Pack': 0, Manual: 0, Declined: 1, Failed: 0,
    });
    expect(Object.fromEntries(order.transitions.map((t) => [t.id, t.taken]))).toEqual({
      'Charge.Next': 1, 'Charge.Catch[0]': 1, 'Charge.Catch[1]': 0, 'Route.Choices[0]': 1, 'Route.Choices[1]': 0, 'Route.Default': 0,
    });
    // Payments.Throttled once on the first retrier; the States.Timeout one never.
    expect(order.retriers.map((r) => [r.id, r.fired])).toEqual([['Charge.Retry[0]', 1], ['Charge.Retry[1]', 0]]);
    expect(order.containers).toEqual([{ path: 'ShipAll', type: 'Map', branches: [{ index: 0, startAt: 'Pack', entered: 0 }], iterations: 0 }]);
    const greeter = report.coverage!.stateMachines.find((m) => m.name === 'greeter')!;
    // The Parallel ran twice in one entry (retried whole after Translate.Busy): each branch started twice.
    expect(greeter.containers).toEqual([{ path: 'Greet', type: 'Parallel', branches: [{ index: 0, startAt: 'English', entered: 2 }, { index: 1, startAt: 'Translate', entered: 2 }] }]);
    expect(greeter.states.map((s) => [s.path, s.entered])).toEqual([['Greet', 1], ['Greet/Branches[0]/English', 2], ['Greet/Branches[1]/Translate', 2], ['Done', 1]]);
    expect(greeter.retriers.map((r) => [r.id, r.fired])).toEqual([['Greet.Retry[0]', 1]]);
  });

  it('writes lcov.info whose lines are the states’ keys and whose branches are the rules, in each definition file', () => {
    const records = parseLcov(readFileSync(join(out, 'coverage', 'lcov.info'), 'utf8'));
    expect(records.map((r) => r.file)).toEqual(['greeter.asl.yaml', 'order.asl.json', 'template.yaml']);

    const order = records.find((r) => r.file === 'order.asl.json')!;
    const text = linesOf('order.asl.json');
    const expected: Array<[string, number]> = [['Charge', 2], ['Route', 1], ['Ship', 1], ['ShipAll', 0], ['Pack', 0], ['Manual', 0], ['Declined', 1], ['Failed', 0]];
    expect([...order.lines].map(([, hits]) => hits)).toEqual(expected.map(([, hits]) => hits));
    // Each line holds that state's key (Pack's is inside its Map's one-line States).
    [...order.lines.keys()].forEach((line, i) => expect(text[line - 1]).toContain(`"${expected[i]![0]}": {`));
    expect(order.functions.get('order')).toEqual({ line: 5, hits: 2 });
    expect(order.totals).toEqual({ FNF: 1, FNH: 1, BRF: 6, BRH: 3, LF: 8, LH: 4 });
    const rule = (block: number, branch: number) => order.branches.find((b) => b.block === block && b.branch === branch)!;
    // Charge (block 0): Next, then its catchers, each on its own line.
    expect(text[rule(0, 0).line - 1]).toContain('"Next": "Route"');
    expect(text[rule(0, 1).line - 1]).toContain('"Payments.CardDeclined"');
    expect(text[rule(0, 2).line - 1]).toContain('"Next": "Failed"');
    expect([rule(0, 0).taken, rule(0, 1).taken, rule(0, 2).taken]).toEqual(['1', '1', '0']);
    // Route (block 1): a one-line rule, a rule spread over lines (its first line), the Default.
    expect(text[rule(1, 0).line - 1]).toContain('"StringEquals": "single"');
    expect(text[rule(1, 1).line - 1]!.trim()).toBe('{');
    expect(text[rule(1, 1).line + 1]).toContain('"batch"');
    expect(text[rule(1, 2).line - 1]).toContain('"Default": "Manual"');
    expect([rule(1, 0).taken, rule(1, 1).taken, rule(1, 2).taken]).toEqual(['1', '0', '0']);

    // YAML definitions: the state keys of a .asl.yaml file, and of a definition inline in the template.
    const yamlState = (file: string, line: number) => /^\s*([A-Za-z]+):\s*$/.exec(linesOf(file)[line - 1]!)?.[1];
    const greeter = records.find((r) => r.file === 'greeter.asl.yaml')!;
    expect([...greeter.lines].map(([line, hits]) => [yamlState('greeter.asl.yaml', line), hits])).toEqual([['Greet', 1], ['English', 2], ['Translate', 2], ['Done', 1]]);
    const audit = records.find((r) => r.file === 'template.yaml')!;
    expect([...audit.lines].map(([line, hits]) => [yamlState('template.yaml', line), hits])).toEqual([['Check', 1], ['Alert', 0], ['Log', 1]]);
    const template = linesOf('template.yaml');
    expect(audit.branches.map((b) => [template[b.line - 1]!.trim(), b.taken])).toEqual([['- Variable: $.level', '0'], ['Default: Log', '1']]);
  });

  it('writes Cobertura XML that parses back: a class per state machine on its file, rule lines with their branches', () => {
    const xml = readFileSync(join(out, 'coverage', 'cobertura-coverage.xml'), 'utf8');
    expect(xml).toMatch(/^<\?xml version="1.0" encoding="UTF-8"\?>\n<!DOCTYPE coverage SYSTEM "http:\/\/cobertura.sourceforge.net\/xml\/coverage-04.dtd">\n/);
    const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (name) => ['package', 'class', 'line', 'condition'].includes(name) }).parse(xml) as {
      coverage: Record<string, string> & { sources: { source: string }; packages: { package: Array<{ name: string; classes: { class: Array<Record<string, string> & { lines: { line: Array<Record<string, string>> } }> } }> } };
    };
    const c = doc.coverage;
    expect(c.sources.source).toBe(FIXTURE);
    const classes = c.packages.package.flatMap((p) => p.classes.class);
    expect(classes.map((k) => [k.name, k.filename])).toEqual([['greeter', 'greeter.asl.yaml'], ['order', 'order.asl.json'], ['audit', 'template.yaml']]);
    const order = classes.find((k) => k.name === 'order')!;
    const text = linesOf('order.asl.json');
    const lines = order.lines.line;
    const at = (needle: string) => lines.find((l) => text[Number(l.number) - 1]!.includes(needle))!;
    expect(at('"Charge": {')).toMatchObject({ hits: '2', branch: 'false' });
    expect(at('"Manual": {')).toMatchObject({ hits: '0', branch: 'false' });
    expect(at('"StringEquals": "single"')).toMatchObject({ hits: '1', branch: 'true', 'condition-coverage': '100% (1/1)' });
    expect(at('"Default": "Manual"')).toMatchObject({ hits: '0', branch: 'true', 'condition-coverage': '0% (0/1)' });
    // 8 state lines and 6 rule lines; 3 rules of 6 taken.
    expect(lines).toHaveLength(14);
    expect(order['line-rate']).toBe(String(Math.round((7 / 14) * 1e4) / 1e4));
    expect(order['branch-rate']).toBe('0.5');
    expect(Number(c['lines-valid'])).toBe(classes.reduce((a, k) => a + k.lines.line.length, 0));
    expect(Number(c['branches-valid'])).toBe(9);
    expect(Number(c['branches-covered'])).toBe(5);
  });

  it.skipIf(!existsSync(CHROMIUM))('draws each state machine in the HTML report with unvisited states and untaken edges marked, and a legend', async () => {
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'] });
    try {
      const page = await browser.newPage();
      await page.setContent(readFileSync(join(out, 'rehearse-report.html'), 'utf8'), { waitUntil: 'load' });
      const graph = page.locator('section.coverage figure.coverage-graph[data-state-machine="order"] svg.graph');
      const states = await graph.locator('g.state').evaluateAll((els) => els.map((e) => [e.getAttribute('data-state'), e.getAttribute('class')!.split(' ').filter((c: string) => c === 'visited' || c === 'unvisited')[0]]));
      expect(Object.fromEntries(states)).toEqual({ Charge: 'visited', Route: 'visited', Ship: 'visited', ShipAll: 'unvisited', Pack: 'unvisited', Manual: 'unvisited', Declined: 'visited', Failed: 'unvisited' });
      const edges = await graph.locator('path.edge').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-from')}.${e.getAttribute('data-field')} ${e.getAttribute('class')!.includes('untaken') ? 'untaken' : 'taken'}`));
      expect(edges.sort()).toEqual(['Charge.Catch[0] taken', 'Charge.Catch[1] untaken', 'Charge.Next taken', 'Route.Choices[0] taken', 'Route.Choices[1] untaken', 'Route.Default untaken']);
      // Distinct on the page, not only in the markup: unvisited boxes and untaken edges are dashed amber.
      const style = (sel: string) => graph.locator(sel).first().evaluate((e) => {
        const s = (globalThis as unknown as { getComputedStyle(e: unknown): { stroke: string; strokeDasharray: string } }).getComputedStyle(e);
        return `${s.stroke} ${s.strokeDasharray}`;
      });
      expect(await style('g.state.unvisited > rect')).toBe('rgb(154, 103, 0) 5px, 3px');
      expect(await style('g.state.visited > rect')).toBe('rgb(31, 136, 61) none');
      expect(await style('path.edge.untaken')).toBe('rgb(154, 103, 0) 2px, 3px');
      expect(await style('path.edge.taken')).toBe('rgb(31, 136, 61) none');
      expect((await page.locator('section.coverage .legend').textContent())!.replace(/\s+/g, ' ').trim()).toBe('entered never entered taken never taken');
      const row = await page.locator('table.coverage tr[data-state-machine="order"] td').allTextContents();
      expect(row.slice(1)).toEqual(['2', '4/8 50%', '3/6 50%', '1/3 33%', '1/2 50%', '1/2 50%']);
      await page.close();
    } finally {
      await browser.close();
    }
  }, 60_000);

  it('passes when every state machine meets the threshold (exit 0), files in --coverage-dir', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-coverage-dir-'));
    const { io, out: text } = captureIo(FIXTURE);
    const code = await main(['run', 'scenarios', '--seed', '1', '--out', out, '--coverage-dir', dir, '--coverage-threshold', 'states=50,choices=33'], io);
    expect(code, text.stderr).toBe(0);
    expect(text.stderr).toBe('');
    expect(existsSync(join(dir, 'lcov.info')) && existsSync(join(dir, 'cobertura-coverage.xml'))).toBe(true);
  }, 120_000);
});

describe('rehearse run --coverage-threshold, bad syntax', () => {
  it('exits 2 before running anything, naming the bad part (a real process)', async () => {
    const r = await execa('node', ['bin/rehearse.mjs', 'run', 'test/report/fixtures/coverage/scenarios', '--coverage-threshold', 'states=100,branches=90'], {
      cwd: ROOT,
      reject: false,
      env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    expect(r.exitCode).toBe(2);
    expect(r.stderr.trim()).toBe("rehearse run: --coverage-threshold: unknown measure 'branches' in 'branches=90' (known: states, transitions, choices, catches, retries)");
    expect(r.stdout).toBe('');
  }, 60_000);

  it('is described in --help', async () => {
    const { io, out } = captureIo(ROOT);
    expect(await main(['run', '--help'], io)).toBe(0);
    expect(out.stdout).toContain('--coverage-threshold LIST');
    expect(out.stdout).toContain('--coverage-dir DIR');
    expect(out.stdout).toContain('states, transitions, choices, catches, retries');
  });
});
