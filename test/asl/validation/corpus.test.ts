/**
 * Every definition in ../shared/conformance ran on real AWS, so AWS accepted
 * it: validation must report no ERROR for any of them.
 */
import { describe, expect, it } from 'vitest';
import { validateDefinition } from '../../../harness/asl/validation/index.ts';
import { corpus, CORPUS_PRESENT } from '../jsonpath/corpus.ts';

describe.skipIf(!CORPUS_PRESENT)('validation accepts every definition AWS ran (skips when ../shared/conformance is absent)', () => {
  it('reports no ERROR for any of the recorded definitions', () => {
    const cases = corpus() as Array<{ id: string; definitionText?: string; definition: unknown }>;
    expect(cases.length).toBeGreaterThan(900);
    const problems: string[] = [];
    for (const c of cases) {
      const text = c.definitionText ?? JSON.stringify(c.definition);
      for (const d of validateDefinition(text)) if (d.severity === 'ERROR') problems.push(`${c.id}: ${d.location}: ${d.message}`);
    }
    expect(problems).toEqual([]);
  });
});
