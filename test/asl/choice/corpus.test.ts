/**
 * The 491 recorded choice-operator executions (../shared/conformance,
 * category choiceoperators): each runs one rule on one input; AWS's output
 * tells which branch it took.
 */
import { describe, expect, it } from 'vitest';
import { evaluateChoiceRule } from '../../../harness/asl/choice/index.ts';
import { contextFor, corpus, CORPUS_PRESENT, WHERE } from '../jsonpath/corpus.ts';

const cases = corpus().filter((c) => c.category === 'choiceoperators');

describe.skipIf(!CORPUS_PRESENT)('choice operators against recorded AWS executions (skips when ../shared/conformance is absent)', () => {
  it('has the recorded cases', () => {
    expect(cases.length).toBe(491);
  });

  it.each(cases.map((c, i) => [`${i} ${c.id}`, c] as const))('%s', (_id, c) => {
    const choice = c.definition.States[c.definition.StartAt]!;
    const rules = choice.Choices as Array<Record<string, unknown>>;
    const scope = { input: c.input, context: contextFor(c.input, c.definition.StartAt), variables: {} };
    const taken = rules.find((r) => evaluateChoiceRule(r, scope, WHERE))?.Next ?? choice.Default;
    expect({ 'TestResult.$': taken }).toEqual(c.expected.output);
  });
});
