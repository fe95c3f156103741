/**
 * Recorded single-Pass-state JSONata executions (../shared/conformance):
 * evaluate the state's Output against the input and compare with AWS's
 * output — or with AWS's error and cause for the failing ones.
 */
import { describe, expect, it } from 'vitest';
import { StatesError } from '../../../harness/asl/errors.ts';
import { evaluateAssignJsonata, evaluateJsonataValue } from '../../../harness/asl/jsonata/index.ts';
import { createIdSource } from '../../../harness/core/index.ts';
import { contextFor, corpus, CORPUS_PRESENT, WHERE } from '../jsonpath/corpus.ts';

const cases = corpus().filter((c) => {
  const states = Object.entries(c.definition.States);
  if (states.length !== 1) return false;
  const state = states[0]![1];
  return state.Type === 'Pass' && (state.QueryLanguage ?? c.definition.QueryLanguage) === 'JSONata';
});

describe.skipIf(!CORPUS_PRESENT)('JSONata Pass states against recorded AWS executions (skips when ../shared/conformance is absent)', () => {
  it('has the recorded cases', () => {
    expect(cases.length).toBeGreaterThan(40);
  });

  it.each(cases.map((c, i) => [`${i} ${c.id}`, c] as const))('%s', async (_id, c) => {
    const [name, state] = Object.entries(c.definition.States)[0]!;
    const where = { ...WHERE, stateName: name };
    const scope = { states: { input: c.input, context: contextFor(c.input, name) }, variables: {} };
    const options = { ids: createIdSource(c.id) };
    const run = async () => {
      if (state.Assign) await evaluateAssignJsonata(state.Assign as Record<string, unknown>, scope, where, options);
      return 'Output' in state ? evaluateJsonataValue(state.Output, scope, where, 'Output', options) : c.input;
    };
    if (c.expected.status === 'SUCCEEDED') {
      const output = await run();
      if (JSON.stringify(c.expected.output).includes('RandomNumberGenerated') || JSON.stringify(c.expected.output).includes('<uuid')) return;
      expect(JSON.parse(JSON.stringify(output).replaceAll('State_0', name))).toEqual(c.expected.output);
    } else {
      const error = await run().then(() => undefined, (e: unknown) => e);
      expect(error).toBeInstanceOf(StatesError);
      expect((error as StatesError).error).toBe(c.expected.error);
      expect((error as StatesError).causeText).toBe(c.expected.cause);
    }
  });
});
