/**
 * The `test-state:` line of `npm run conformance`: every test-state.json case
 * through the TestState operation, the strict message score for rejections,
 * and (with -v) each failure's reasons.
 */
import { loadTestStateCases, loadTestStateKnownFailures, TEST_STATE_FILE, testStateCorpusAvailable } from './test-state-cases.ts';
import { runTestStateCase } from './test-state-runner.ts';

export async function reportTestState(verbose: boolean, filter: string | undefined): Promise<void> {
  if (!testStateCorpusAvailable()) {
    console.log(`test-state: corpus not found at ${TEST_STATE_FILE}`);
    return;
  }
  const known = loadTestStateKnownFailures();
  const cases = loadTestStateCases().filter((c) => filter === undefined || c.id.includes(filter));
  const results = [];
  for (const c of cases) results.push(await runTestStateCase(c));
  const failed = results.filter((r) => !r.passed);
  const rejections = results.filter((r) => r.messageExact !== undefined);
  if (verbose) {
    for (const r of failed) console.log(`\nFAIL ${r.id}${known[r.id] ? ' (known)' : ''}\n  ${r.reasons.join('\n  ')}`);
    for (const r of rejections.filter((x) => x.passed && !x.messageExact)) console.log(`\nMESSAGE ${r.id}\n  ${r.reasons.join('\n  ')}`);
  }
  const unexpected = failed.filter((r) => known[r.id] === undefined).length;
  console.log(`\ntest-state: rejections with AWS's exact message ${rejections.filter((r) => r.messageExact).length}/${rejections.length}; ${failed.length - unexpected} known failures, ${unexpected} unexpected`);
  console.log(`test-state: ${results.length - failed.length} passed, ${failed.length} failed`);
}
