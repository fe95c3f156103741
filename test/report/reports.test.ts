import { Writable } from 'node:stream';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { consoleReporter, describeFailure, layoutDefinition, renderJson, renderJunit } from '../../harness/report/index.ts';
import { DEFINITION, sampleReport } from './fixture.ts';

describe('JUnit XML', () => {
  it('has one suite per file and one testcase per scenario with failure/skipped', () => {
    const xml = renderJunit(sampleReport(), '/repo');
    const doc = new XMLParser({ ignoreAttributes: false, isArray: (name) => ['testsuite', 'testcase'].includes(name) }).parse(xml);
    const root = doc.testsuites;
    expect(root['@_tests']).toBe('3');
    expect(root['@_failures']).toBe('1');
    expect(root['@_skipped']).toBe('1');
    const suites = root.testsuite as Array<Record<string, unknown>>;
    expect(suites.map((s) => s['@_name'])).toEqual(['scenarios/ok.yaml', 'scenarios/resize-fails.yaml']);
    type Case = Record<string, string> & { failure: Record<string, string>; skipped: Record<string, string> };
    const failedCase = (suites[1]!.testcase as Case[])[0]!;
    expect(failedCase['@_name']).toBe('resize fails permanently');
    expect(failedCase['@_classname']).toBe('scenarios.resize-fails');
    expect(failedCase.failure['@_message']).toBe('expected status SUCCEEDED, got FAILED');
    expect(failedCase.failure['@_type']).toBe('then.execution.status');
    expect(failedCase.failure['#text']).toContain('where:    execution exec-1, state ResizeImage, event #13, t+3.02s');
    const skippedCase = (suites[0]!.testcase as Case[]).find((t) => t['@_name'] === 'needs docker')!;
    expect(skippedCase.skipped['@_message']).toBe('skipped on localstack: no observations');
    // Special characters survive escaping.
    expect(xml).toContain('happy &amp; &lt;fine&gt;');
  });
});

describe('JSON report', () => {
  it('is stable: sorted scenarios, fixed keys, no thumbnails or definitions', () => {
    const text = renderJson(sampleReport());
    const parsed = JSON.parse(text);
    expect(Object.keys(parsed)).toEqual(['schemaVersion', 'backend', 'seed', 'durationMs', 'summary', 'scenarios']);
    expect(parsed.scenarios.map((s: { name: string }) => s.name)).toEqual(['happy & <fine>', 'needs docker', 'resize fails permanently']);
    expect(text).not.toContain('data:image');
    expect(parsed.scenarios[2].executions[0].definition).toBeUndefined();
    expect(parsed.scenarios[2].checks[0]).toMatchObject({ id: 'then.execution.status', expected: 'SUCCEEDED', actual: 'FAILED' });
    expect(renderJson(sampleReport())).toBe(text);
  });
});

describe('console', () => {
  it('explains a failure: expected, actual, where, path, history around it, logs', () => {
    const text = describeFailure(sampleReport().scenarios[0]!, { color: false });
    expect(text).toContain('✗ then.execution.status: expected status SUCCEEDED, got FAILED');
    expect(text).toContain('expected: "SUCCEEDED"');
    expect(text).toContain('actual:   "FAILED"');
    expect(text).toContain('path (exec-1, FAILED ImageFailed): ValidateImage → IsValid → ProcessImage → ResizeImage → NotifyError → Failed');
    expect(text).toMatch(/> #\s+13 t\+3\.020s TaskFailed \[ResizeImage\] States\.TaskFailed/);
    expect(text).toContain('logs of resize-image:');
    expect(text).toContain('ERROR resize exploded');
  });

  it('prints plain lines in CI (start, waits, end) and a rewritten live line per running scenario on a TTY', () => {
    const capture = () => {
      let out = '';
      const stream = new Writable({ write(c, _e, cb) { out += String(c); cb(); } });
      return { stream, text: () => out };
    };
    const ci = capture();
    const r = consoleReporter({ out: ci.stream, isTTY: false });
    const report = sampleReport();
    r.started(3);
    for (const s of report.scenarios) {
      r.scenarioStarted(s.name);
      r.scenarioWaiting!(s.name, 'when[1] await {"status":"SUCCEEDED"}', 2_040);
      r.scenarioFinished({ ...s, handlerMs: 420 });
    }
    r.finished(report);
    expect(ci.text()).not.toContain('\x1b');
    expect(ci.text()).toContain('▶ resize fails permanently started\n… resize fails permanently: 2s waiting for when[1] await {"status":"SUCCEEDED"}\n');
    expect(ci.text()).toContain('✗ resize fails permanently 1.23s, 3.025s virtual, handlers 420 ms');
    expect(ci.text()).toContain('○ needs docker');
    expect(ci.text()).toContain('1 passed, 1 failed, 1 skipped of 3');

    const tty = capture();
    const t = consoleReporter({ out: tty.stream, isTTY: true, color: false });
    t.started(2);
    t.scenarioStarted('x');
    t.scenarioStarted('y');
    // One line per running scenario, below the count.
    expect(tty.text().endsWith('[0/2] running 2\n  ▸ x 0s\n  ▸ y 0s\n')).toBe(true);
    t.scenarioWaiting!('y', 'when[0] taskSuccess {}', 3_000);
    // The three lines are erased (cursor up 3, erase below) and drawn again with what y waits for.
    expect(tty.text().endsWith('\x1b[3F\x1b[0J[0/2] running 2\n  ▸ x 0s\n  ▸ y 0s — waiting for when[0] taskSuccess {}\n')).toBe(true);
    t.scenarioFinished({ ...report.scenarios[1]!, name: 'x' });
    const after = tty.text().split('\x1b[3F\x1b[0J').pop()!;
    expect(after).toMatch(/^✓ x [^\n]*\n\[1\/2\] running 1\n {2}▸ y 0s — waiting for when\[0\] taskSuccess \{\}\n$/);
    t.finished(report);
  });
});

describe('graph layout', () => {
  it('places every state, nests Parallel branches inside their state, without overlaps at one level', () => {
    const g = layoutDefinition(DEFINITION);
    expect(g.nodes.map((n) => n.name).sort()).toEqual(['ApplyFilters', 'Failed', 'IsValid', 'NotifyError', 'NotifySuccess', 'ProcessImage', 'ResizeImage', 'ValidateImage']);
    const byName = Object.fromEntries(g.nodes.map((n) => [n.name, n]));
    const p = byName.ProcessImage!;
    for (const child of [byName.ResizeImage!, byName.ApplyFilters!]) {
      expect(child.x).toBeGreaterThanOrEqual(p.x);
      expect(child.x + child.w).toBeLessThanOrEqual(p.x + p.w);
      expect(child.y + child.h).toBeLessThanOrEqual(p.y + p.h);
    }
    const top = g.nodes.filter((n) => n.depth === 0);
    for (const a of top) for (const b of top) {
      if (a === b) continue;
      const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
      expect(overlap, `${a.name} overlaps ${b.name}`).toBe(false);
    }
    expect(g.edges.some((e) => e.from === 'ValidateImage' && e.to === 'NotifyError' && e.kind === 'catch')).toBe(true);
    expect(byName.ValidateImage!.y).toBeLessThan(byName.IsValid!.y);
  });
});
