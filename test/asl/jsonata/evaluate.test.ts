import { describe, expect, it } from 'vitest';
import { StatesError } from '../../../harness/asl/errors.ts';
import { evaluateAssignJsonata, evaluateJsonataTyped, evaluateJsonataValue, jsonataExpressionText, jsonataSyntaxError } from '../../../harness/asl/jsonata/index.ts';
import { createIdSource } from '../../../harness/core/index.ts';

const where = { stateName: 'State0', enteredEventId: 2 };
const scope = {
  states: { input: { values: [1, 2, 3], name: 'x' }, result: { ok: true }, context: { Execution: { Name: 'e' } } },
  variables: { one: 1, list: [{ a: 1 }, { a: 2 }] },
};

async function failure(p: Promise<unknown>): Promise<StatesError> {
  const e = await p.then(() => undefined, (err: unknown) => err);
  if (!(e instanceof StatesError)) throw new Error(`expected a StatesError, got ${String(e)}`);
  return e;
}

const prefix = "An error occurred while executing the state 'State0' (entered at the event id #2). ";

describe('evaluateJsonataValue', () => {
  it('evaluates {% %} strings, recurses into objects and arrays, keeps other values', async () => {
    const value = {
      sum: '{% $sum($states.input.values) + $one %}',
      ctx: '{% $states.context.Execution.Name %}',
      result: '{% $states.result %}',
      literal: ' {% not an expression %} ',
      path: '$.values',
      list: [1, '{% $states.input.name %}', { deep: '{% $list.a %}' }],
      n: null,
    };
    expect(await evaluateJsonataValue(value, scope, where, 'Output')).toEqual({
      sum: 7, ctx: 'e', result: { ok: true }, literal: ' {% not an expression %} ', path: '$.values', list: [1, 'x', { deep: [1, 2] }], n: null,
    });
  });

  it('returns plain arrays for sequences nested in constructed objects', async () => {
    const out = (await evaluateJsonataValue('{% {"a": $list.a, "b": {"c": $list.a}} %}', scope, where, 'Output')) as { a: unknown[]; b: { c: unknown[] } };
    expect(Object.keys(out.a)).toEqual(['0', '1']);
    expect(Object.keys(out.b.c)).toEqual(['0', '1']);
  });

  it('returns plain arrays for JSONata sequences', async () => {
    const out = await evaluateJsonataValue('{% $list.a %}', scope, where, 'Output');
    expect(Array.isArray(out)).toBe(true);
    expect(Object.keys(out as object)).toEqual(['0', '1']);
  });

  it('fails on an undefined result, naming the nested field like AWS', async () => {
    const e = await failure(evaluateJsonataValue({ result: '{% $doesNotExist %}' }, scope, where, 'Output'));
    expect(e.error).toBe('States.QueryEvaluationError');
    expect(e.causeText).toBe(`${prefix}The JSONata expression '$doesNotExist' specified for the field 'Output/result' returned nothing (undefined).`);
  });

  it('reports evaluation errors with the JSONata code', async () => {
    const e = await failure(evaluateJsonataValue('{% $nope(1) %}', scope, where, 'Arguments'));
    expect(e.causeText).toBe(`${prefix}The JSONata expression '$nope(1)' specified for the field 'Arguments' threw an error during evaluation. T1006: Attempted to invoke a non-function`);
  });

  it('reports a function result as unsupported', async () => {
    const e = await failure(evaluateJsonataValue('{% $fn := function($x){$x} %}', scope, where, 'Items'));
    expect(e.causeText).toBe(`${prefix}The JSONata expression '$fn := function($x){$x}' specified for the field 'Items' returned an unsupported result type.`);
  });

  it('has the Step Functions functions', async () => {
    const opts = { ids: createIdSource(3) };
    expect(await evaluateJsonataValue('{% $partition([1,2,3], 2) %}', scope, where, 'Output', opts)).toEqual([[1, 2], [3]]);
    expect(await evaluateJsonataValue('{% $range(0, 9, 3) %}', scope, where, 'Output', opts)).toEqual([0, 3, 6, 9]);
    expect(await evaluateJsonataValue('{% $range(1, 9, 9) %}', scope, where, 'Output', opts)).toBe(1);
    expect(await evaluateJsonataValue("{% $hash('input data', 'MD5') %}", scope, where, 'Output', opts)).toBe('812f45842bc6d66ee14572ce20db8e86');
    expect(await evaluateJsonataValue("{% $parse('{\"a\": [1]}') %}", scope, where, 'Output', opts)).toEqual({ a: [1] });
    const uuid = await evaluateJsonataValue('{% $uuid() %}', scope, where, 'Output', { ids: createIdSource(3) });
    expect(uuid).toBe(await evaluateJsonataValue('{% $uuid() %}', scope, where, 'Output', { ids: createIdSource(3) }));
    const r = (await evaluateJsonataValue('{% $random() %}', scope, where, 'Output', opts)) as number;
    expect(r >= 0 && r < 1).toBe(true);
    expect(await evaluateJsonataValue('{% $random(5) %}', scope, where, 'Output')).toBe(await evaluateJsonataValue('{% $random(5) %}', scope, where, 'Output'));
  });

  it('has no $eval, as in Step Functions', async () => {
    const e = await failure(evaluateJsonataValue("{% $eval('1 + 1') %}", scope, where, 'Output'));
    expect(e.causeText).toContain('threw an error during evaluation. $eval is not available in Step Functions; use $parse');
  });

  it('reads $now and $millis from the given clock time', async () => {
    const now = Date.UTC(2026, 0, 2, 3, 4, 5);
    expect(await evaluateJsonataValue('{% $now() %}', scope, where, 'Output', { now })).toBe('2026-01-02T03:04:05.000Z');
    expect(await evaluateJsonataValue('{% $millis() %}', scope, where, 'Output', { now })).toBe(now);
  });
});

describe('simple references', () => {
  it('give what JSONata gives, for every shape', async () => {
    const data = { obj: { a: { b: 1 } }, arr: [1], arr2: [{ a: 1 }, { a: 2 }], nil: null, s: 'x', empty: {} };
    const sc = { states: { input: data, context: {} }, variables: { v: data, one: 1 } };
    const texts = ['$states.input.obj.a.b', '$states.input.obj', '$states.input.arr', '$states.input.arr2.a', '$states.input.nil', '$states.input.s', '$v.obj.a', '$v.arr', '$one', '$states.input.empty'];
    for (const text of texts) {
      // `($x)` is not a simple reference, so it always goes through jsonata itself.
      const viaFastPath = await evaluateJsonataValue(`{% ${text} %}`, sc, where, 'Output');
      const viaJsonata = await evaluateJsonataValue(`{% (${text}) %}`, sc, where, 'Output');
      expect(viaFastPath, text).toEqual(viaJsonata);
    }
    const missing = await failure(evaluateJsonataValue('{% $states.input.nope %}', sc, where, 'Output'));
    expect(missing.causeText).toContain("'$states.input.nope' specified for the field 'Output' returned nothing (undefined).");
  });
});

describe('evaluateJsonataTyped', () => {
  it.each([
    ['{% true %}', 'true', "'boolean'", 'true'],
    ['{% null %}', 'null', "'null'", 'null'],
    ["{% {'foo': 'bar'} %}", "{'foo': 'bar'}", "'object'", '{"foo":"bar"}'],
    ["{% 'string' %}", "'string'", "'string'", '"string"'],
  ])('%s for Items', async (value, text, actual, shown) => {
    const e = await failure(evaluateJsonataTyped(value, 'array', scope, where, 'Items'));
    expect(e.causeText).toBe(`${prefix}The JSONata expression '${text}' specified for the field 'Items' returned an unexpected result type. Expected 'array', but was ${actual} for value: ${shown}`);
  });

  it('passes values of the expected type through', async () => {
    expect(await evaluateJsonataTyped('{% $states.input.values %}', 'array', scope, where, 'Items')).toEqual([1, 2, 3]);
  });
});

describe('evaluateAssignJsonata', () => {
  it('evaluates each variable against the old variables', async () => {
    expect(await evaluateAssignJsonata({ one: 2, two: '{% $one + 1 %}', lit: 'x' }, scope, where)).toEqual({ one: 2, two: 2, lit: 'x' });
  });

  it('names the field Assign/<name> in errors (conformance: BASE_UNDEFINED_ASSIGN)', async () => {
    const e = await failure(evaluateAssignJsonata({ result: '{% $doesNotExist %}' }, scope, where));
    expect(e.causeText).toBe(`${prefix}The JSONata expression '$doesNotExist' specified for the field 'Assign/result' returned nothing (undefined).`);
  });
});

describe('helpers', () => {
  it('jsonataExpressionText only accepts a whole {% %} string', () => {
    expect(jsonataExpressionText('{% $a %}')).toBe('$a');
    expect(jsonataExpressionText(' {% $a %}')).toBeUndefined();
    expect(jsonataExpressionText(3)).toBeUndefined();
  });

  it('jsonataSyntaxError', () => {
    expect(jsonataSyntaxError('$a +')).toMatch(/^S0\d+: /);
    expect(jsonataSyntaxError('$a + 1')).toBeUndefined();
  });
});
