/**
 * JUnit XML (the format CI systems annotate from): one <testsuite> per scenario
 * file, one <testcase> per scenario; failures carry the failed checks'
 * expected/actual and where, skips their reason.
 */
import { relative } from 'node:path';
import { requireCommonJs } from '../core/commonjs.ts';
import type { RunReport, ScenarioResult } from '../scenario/results.ts';
import { describeFailure } from './failure-text.ts';

const { XMLBuilder } = requireCommonJs('fast-xml-parser') as typeof import('fast-xml-parser');

function testcase(s: ScenarioResult, cwd: string): Record<string, unknown> {
  const tc: Record<string, unknown> = {
    '@_name': s.name,
    '@_classname': relative(cwd, s.file).replace(/\.ya?ml$/, '').replace(/[\\/]/g, '.'),
    '@_file': relative(cwd, s.file),
    '@_time': (s.durationMs / 1000).toFixed(3),
  };
  if (s.status === 'skipped') tc.skipped = { '@_message': s.reason ?? 'skipped' };
  else if (s.status === 'failed') {
    const failed = s.checks.filter((c) => c.status === 'failed');
    const stepFail = s.steps.find((st) => st.status === 'failed');
    const message = failed[0]?.message ?? stepFail?.message ?? s.reason ?? 'failed';
    tc.failure = { '@_message': message, '@_type': failed[0]?.id ?? stepFail?.id ?? 'scenario', '#text': describeFailure(s, { color: false }) };
  } else if (s.status === 'error') {
    tc.error = { '@_message': s.reason ?? 'error', '@_type': 'error', '#text': describeFailure(s, { color: false }) };
  }
  const out = s.checks.map((c) => `${c.status.toUpperCase().padEnd(7)} ${c.id}: ${c.message}`).join('\n');
  if (out) tc['system-out'] = out;
  return tc;
}

export function renderJunit(report: RunReport, cwd: string): string {
  const byFile = new Map<string, ScenarioResult[]>();
  for (const s of report.scenarios) byFile.set(s.file, [...(byFile.get(s.file) ?? []), s]);
  const suites = [...byFile.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([file, list]) => ({
      '@_name': relative(cwd, file),
      '@_tests': list.length,
      '@_failures': list.filter((s) => s.status === 'failed').length,
      '@_errors': list.filter((s) => s.status === 'error').length,
      '@_skipped': list.filter((s) => s.status === 'skipped').length,
      '@_time': (list.reduce((a, s) => a + s.durationMs, 0) / 1000).toFixed(3),
      testcase: list.map((s) => testcase(s, cwd)),
    }));
  const builder = new XMLBuilder({ ignoreAttributes: false, format: true, suppressEmptyNode: true, attributeNamePrefix: '@_' });
  const doc = {
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    testsuites: {
      '@_name': `rehearse (${report.backend}, seed ${report.seed})`,
      '@_tests': report.summary.total,
      '@_failures': report.summary.failed,
      '@_errors': report.summary.errors,
      '@_skipped': report.summary.skipped,
      '@_time': (report.durationMs / 1000).toFixed(3),
      testsuite: suites,
    },
  };
  return builder.build(doc) as string;
}
