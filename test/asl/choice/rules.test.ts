import { describe, expect, it } from 'vitest';
import { evaluateChoiceRule, evaluateJsonataCondition, parseTimestamp, stringMatches } from '../../../harness/asl/choice/index.ts';
import { StatesError } from '../../../harness/asl/errors.ts';

const where = { stateName: 'Choice', enteredEventId: 3 };
const scope = {
  input: { s: 'log-2024.txt', n: 3, b: true, nil: null, t: '2024-01-01T10:00:00+02:00', star: 'a*b', path: 'C:\\dir', other: 3 },
  context: { Execution: { Name: 'e' } },
  variables: { limit: 5 },
};
const rule = (r: Record<string, unknown>) => evaluateChoiceRule(r, scope, where);

describe('evaluateChoiceRule', () => {
  it.each([
    [{ Variable: '$.s', StringEquals: 'log-2024.txt' }, true],
    [{ Variable: '$.s', StringMatches: 'log-*.txt' }, true],
    [{ Variable: '$.s', StringMatches: '*.csv' }, false],
    [{ Variable: '$.star', StringMatches: 'a\\*b' }, true],
    [{ Variable: '$.s', StringMatches: 'log\\*' }, false],
    [{ Variable: '$.path', StringMatches: 'C:\\\\*' }, true],
    [{ Variable: '$.s', StringLessThan: 'm' }, true],
    [{ Variable: '$.n', NumericEquals: 3 }, true],
    [{ Variable: '$.n', NumericLessThanPath: '$limit' }, true],
    [{ Variable: '$.n', NumericEqualsPath: '$.other' }, true],
    [{ Variable: '$.n', NumericGreaterThanEquals: 3.5 }, false],
    [{ Variable: '$.n', StringEquals: '3' }, false],
    [{ Variable: '$.b', BooleanEquals: true }, true],
    [{ Variable: '$.t', TimestampEquals: '2024-01-01T08:00:00Z' }, true],
    [{ Variable: '$.t', TimestampLessThan: '2024-01-01T08:00:00.001Z' }, true],
    [{ Variable: '$.s', TimestampEquals: '2024-01-01T08:00:00Z' }, false],
    [{ Variable: '$.nil', IsNull: true }, true],
    [{ Variable: '$.missing', IsPresent: false }, true],
    [{ Variable: '$.n', IsNumeric: true }, true],
    [{ Variable: '$.s', IsString: true }, true],
    [{ Variable: '$.b', IsBoolean: false }, false],
    [{ Variable: '$.t', IsTimestamp: true }, true],
    [{ Variable: '$.s', IsTimestamp: true }, false],
    [{ And: [{ Variable: '$.n', NumericEquals: 3 }, { Variable: '$.b', BooleanEquals: true }] }, true],
    [{ Or: [{ Variable: '$.n', NumericEquals: 4 }, { Variable: '$.b', BooleanEquals: false }] }, false],
    [{ Not: { Variable: '$.n', NumericEquals: 4 } }, true],
    [{ Variable: '$$.Execution.Name', StringEquals: 'e' }, true],
  ])('%j → %s', (r, expected) => {
    expect(rule(r)).toBe(expected);
  });

  it('a Variable that does not exist is a States.Runtime error (except for IsPresent)', () => {
    let caught: unknown;
    try {
      rule({ Variable: '$.missing', StringEquals: 'x' });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(StatesError);
    expect((caught as StatesError).causeText).toBe(
      "An error occurred while executing the state 'Choice' (entered at the event id #3). Invalid path '$.missing': The choice state's condition path references an invalid value.",
    );
    expect(() => rule({ Variable: '$.n', NumericEqualsPath: '$.nope' })).toThrow(StatesError);
  });
});

describe('timestamps and patterns', () => {
  it('accepts RFC 3339 only', () => {
    for (const bad of ['2016-13-05T21:29:29Z', '05-12-2016T21:29:29Z', '2016-12-05T25:29:29Z', '2016-12-05 21:29:29Z', '2016-12-05T21:29:29', '2023-02-30T00:00:00Z', '2016-12-05t21:29:29z']) {
      expect(parseTimestamp(bad), bad).toBeUndefined();
    }
    expect(parseTimestamp('2016-12-05T21:29:29.123456789Z')! - parseTimestamp('2016-12-05T21:29:29Z')!).toBe(123456789n);
  });

  it('stringMatches treats regex characters literally', () => {
    expect(stringMatches('a.b(c)', 'a.b(*)')).toBe(true);
    expect(stringMatches('axb', 'a.b')).toBe(false);
  });
});

describe('evaluateJsonataCondition', () => {
  const jscope = { states: { input: { condition: true, text: 'x' }, context: {} }, variables: {} };
  it('returns the boolean', async () => {
    expect(await evaluateJsonataCondition('{% $states.input.condition %}', jscope, where)).toBe(true);
    expect(await evaluateJsonataCondition('{% $states.input.text = "y" %}', jscope, where)).toBe(false);
  });

  it('rejects non-boolean results with AWS wording', async () => {
    const e = await evaluateJsonataCondition('{% $states.input.text %}', jscope, where).then(() => undefined, (x: unknown) => x);
    expect(e).toBeInstanceOf(StatesError);
    expect((e as StatesError).error).toBe('States.QueryEvaluationError');
    expect((e as StatesError).causeText).toContain("specified for the field 'Condition' returned an unexpected result type. Expected 'boolean', but was 'string' for value: \"x\"");
  });
});
