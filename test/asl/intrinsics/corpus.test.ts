/**
 * Runs every recorded JSONPath intrinsic-function execution
 * (../shared/conformance, category intrinsicfunctions) through
 * InputPath → Parameters → ResultPath → OutputPath and compares with AWS's output.
 */
import { describe, expect, it } from 'vitest';
import { createIdSource } from '../../../harness/core/index.ts';
import { applyPayloadTemplate, applyResultPath, selectPath } from '../../../harness/asl/jsonpath/index.ts';
import { contextFor, corpus, CORPUS_PRESENT, WHERE } from '../jsonpath/corpus.ts';

const cases = corpus().filter((c) => {
  if (c.category !== 'intrinsicfunctions') return false;
  const states = Object.values(c.definition.States);
  return states.length === 1 && states[0]!.Type === 'Pass' && states[0]!.QueryLanguage !== 'JSONata' && c.expected.status === 'SUCCEEDED';
});

/** Outputs AWS randomised (UUID, MathRandom) are recorded as placeholders. */
function randomised(output: unknown): boolean {
  const text = JSON.stringify(output);
  return text.includes('RandomNumberGenerated') || /<uuid/.test(text) || text.includes('generated_uuid');
}

describe.skipIf(!CORPUS_PRESENT)('intrinsic functions against recorded AWS executions (skips when ../shared/conformance is absent)', () => {
  it('has the recorded cases', () => {
    expect(cases.length).toBeGreaterThan(120);
  });

  it.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const [name, state] = Object.entries(c.definition.States)[0]!;
    const where = { ...WHERE, stateName: name };
    const scope = { input: c.input, context: contextFor(c.input, name), variables: {} };
    const effective = selectPath(state.InputPath as string | undefined, scope, where, 'InputPath');
    const result = applyPayloadTemplate(state.Parameters, { ...scope, input: effective }, where, 'Parameters', createIdSource(c.id));
    const merged = applyResultPath(c.input, result, state.ResultPath as string | undefined, where);
    const output = selectPath(state.OutputPath as string | undefined, { ...scope, input: merged }, where, 'OutputPath');
    if (randomised(c.expected.output)) {
      expect(Object.keys(output as object).sort()).toEqual(Object.keys(c.expected.output as object).sort());
    } else {
      expect(output).toEqual(c.expected.output);
    }
  });
});
