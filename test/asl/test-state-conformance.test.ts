/**
 * Every TestState corpus case (../shared/conformance/test-state.json, recorded
 * against real AWS) through the TestState operation. Fails when a case that is
 * not listed in conformance/test-state-known-failures.json (each with its
 * reason) fails.
 */
import { describe, expect, it } from 'vitest';
import { loadTestStateCases, loadTestStateKnownFailures, TEST_STATE_FILE, testStateCorpusAvailable, type TestStateCase } from './conformance/test-state-cases.ts';
import { runTestStateCase } from './conformance/test-state-runner.ts';

const available = testStateCorpusAvailable();
const cases: TestStateCase[] = available ? loadTestStateCases() : [];
const known = available ? loadTestStateKnownFailures() : {};
const groups = [...new Set(cases.map((c) => c.id.split('::')[1]!))].sort();

describe.skipIf(!available)(available ? 'TestState conformance corpus' : `TestState conformance corpus (skipped: ${TEST_STATE_FILE} is absent)`, () => {
  it('lists every known failure with a reason, for a case that exists and still fails', async () => {
    const ids = new Set(cases.map((c) => c.id));
    for (const [id, reason] of Object.entries(known)) {
      expect(ids.has(id), id).toBe(true);
      expect(reason.length, `reason for ${id}`).toBeGreaterThan(20);
      expect((await runTestStateCase(cases.find((c) => c.id === id)!)).passed, `${id} passes now: remove it from the list`).toBe(false);
    }
  });

  for (const group of groups) {
    it(`${group}: no unexpected failures`, async () => {
      const unexpected: string[] = [];
      for (const c of cases.filter((x) => x.id.split('::')[1] === group)) {
        const r = await runTestStateCase(c);
        if (!r.passed && known[c.id] === undefined) unexpected.push(`${c.id}\n    ${r.reasons.join('\n    ')}`);
      }
      expect(unexpected, unexpected.join('\n')).toEqual([]);
    });
  }
});
