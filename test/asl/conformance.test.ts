/**
 * Every corpus case (../shared/conformance, recorded against real AWS) through
 * the engine. Fails when a case that is not listed in
 * conformance/known-failures.json (each with its reason) fails.
 */
import { describe, expect, it } from 'vitest';
import { corpusAvailable, CORPUS_FILE, loadCases, loadKnownFailures, type ConformanceCase } from './conformance/cases.ts';
import { runCase } from './conformance/runner.ts';

const available = corpusAvailable();
const cases: ConformanceCase[] = available ? loadCases() : [];
const known = available ? loadKnownFailures() : {};
const categories = [...new Set(cases.map((c) => c.category))].sort();

describe.skipIf(!available)(available ? 'ASL conformance corpus' : `ASL conformance corpus (skipped: ${CORPUS_FILE} is absent)`, () => {
  it('lists every known failure with a reason, for a case that exists', () => {
    const ids = new Set(cases.map((c) => c.id));
    for (const [id, reason] of Object.entries(known)) {
      expect(ids.has(id), id).toBe(true);
      expect(reason.length, `reason for ${id}`).toBeGreaterThan(20);
    }
  });

  for (const category of categories) {
    it(`category ${category}: no unexpected failures`, async () => {
      const unexpected: string[] = [];
      for (const c of cases.filter((x) => x.category === category)) {
        const r = await runCase(c);
        if (!r.passed && known[c.id] === undefined) unexpected.push(`${c.id}\n    ${r.reasons.join('\n    ')}`);
      }
      expect(unexpected, unexpected.join('\n')).toEqual([]);
    });
  }
});
