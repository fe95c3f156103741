/**
 * `npm run conformance`: every corpus case through the engine; per-category
 * counts, then `conformance: N passed, M failed`; then the TestState corpus
 * (`test-state:`) and the services corpus on a real endpoint (`services:`).
 * Flags: `-v` prints every failure's reasons; `--filter <text>` runs matching ids only.
 */
import { corpusAvailable, CORPUS_FILE, loadCases, loadKnownFailures } from './cases.ts';
import { runCase, type CaseResult } from './runner.ts';
import { reportServices } from './services-report.ts';
import { reportTestState } from './test-state-report.ts';

if (!corpusAvailable()) {
  console.error(`conformance: corpus not found at ${CORPUS_FILE}`);
  process.exit(2);
}
const verbose = process.argv.includes('-v');
const fi = process.argv.indexOf('--filter');
const filter = fi >= 0 ? process.argv[fi + 1] : undefined;
const known = loadKnownFailures();
const cases = loadCases().filter((c) => filter === undefined || c.id.includes(filter));
const started = performance.now();
const results: CaseResult[] = [];
for (const c of cases) results.push(await runCase(c));
const byCategory = new Map<string, { passed: number; failed: number }>();
for (const r of results) {
  const e = byCategory.get(r.category) ?? { passed: 0, failed: 0 };
  if (r.passed) e.passed++;
  else e.failed++;
  byCategory.set(r.category, e);
}
for (const [cat, e] of [...byCategory].sort()) console.log(`${cat.padEnd(28)} ${String(e.passed).padStart(4)} passed ${String(e.failed).padStart(4)} failed`);
const failed = results.filter((r) => !r.passed);
if (verbose) {
  for (const r of failed) console.log(`\nFAIL ${r.id}${known[r.id] ? ' (known)' : ''}\n  ${r.reasons.join('\n  ')}`);
}
const unexpected = failed.filter((r) => known[r.id] === undefined);
const withHistory = results.filter((r) => r.fullHistoryDiff !== undefined);
const fullOk = withHistory.filter((r) => r.fullHistoryDiff === null);
if (process.argv.includes('--full')) {
  for (const r of withHistory) if (r.fullHistoryDiff) console.log(`HISTORY ${r.id}\n  ${r.fullHistoryDiff}`);
}
console.log(`full history (ids, previousEventId, details; optional stricter check): ${fullOk.length}/${withHistory.length} exact`);
console.log(`\n${failed.length - unexpected.length} known failures, ${unexpected.length} unexpected; ${((results.length - failed.length) / Math.max(1, results.length) * 100).toFixed(1)}% in ${((performance.now() - started) / 1000).toFixed(1)} s`);
console.log(`conformance: ${results.length - failed.length} passed, ${failed.length} failed`);
await reportTestState(verbose, filter);
await reportServices(verbose, process.argv.includes('--full'), filter);
