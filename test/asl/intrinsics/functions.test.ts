import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { StatesError } from '../../../harness/asl/errors.ts';
import { checkIntrinsic, evaluateIntrinsic, isIntrinsic, parseIntrinsic } from '../../../harness/asl/intrinsics/index.ts';
import { createIdSource } from '../../../harness/core/index.ts';

const where = { stateName: 'S', enteredEventId: 2 };
const scope = {
  input: { s: 'a,b,,c', n: 5, arr: [1, 2, 2, { x: 1 }, { x: 1 }], obj: { k: 'v', n: [1, 2] }, json: '{"a":[1,2]}', empty: [] },
  context: { Execution: { Name: 'exec-1' } },
  variables: { v: 'var' },
};
const ids = createIdSource('intrinsics');
const run = (expr: string) => evaluateIntrinsic(expr, scope, where, ids, 'x.$');

function failure(expr: string): StatesError {
  try {
    run(expr);
  } catch (e) {
    if (e instanceof StatesError) return e;
    throw e;
  }
  throw new Error(`expected ${expr} to fail`);
}

describe('intrinsic functions', () => {
  it.each([
    ["States.Format('Hello {}, {}!', $.n, $v)", 'Hello 5, var!'],
    ["States.Format('esc \\{} \\' \\\\ {}', 1)", "esc {} ' \\ 1"],
    ["States.Format('obj={} arr={} null={} bool={}', $.obj, $.arr, null, true)", 'obj={k=v, n=[1, 2]} arr=[1, 2, 2, {x=1}, {x=1}] null=null bool=true'],
    ['States.StringToJson($.json)', { a: [1, 2] }],
    ["States.StringToJson('')", null],
    ['States.JsonToString($.obj)', '{"k":"v","n":[1,2]}'],
    ['States.Array()', []],
    ["States.Array(1, 'two', null, true, $.n, States.Array(3))", [1, 'two', null, true, 5, [3]]],
    ['States.ArrayPartition($.arr, 2)', [[1, 2], [2, { x: 1 }], [{ x: 1 }]]],
    ['States.ArrayContains($.arr, $.obj)', false],
    ['States.ArrayContains($.arr, States.StringToJson(\'{"x":1}\'))', true],
    ['States.ArrayRange(1, 9, 2)', [1, 3, 5, 7, 9]],
    ['States.ArrayRange(5, 1, -2)', [5, 3, 1]],
    ['States.ArrayRange(1, 5, -1)', []],
    ['States.ArrayRange(1.4, 5.6, 2.2)', [1, 3, 5]],
    ['States.ArrayGetItem($.arr, 1)', 2],
    ['States.ArrayGetItem($.arr, 1.9)', 2],
    ['States.ArrayGetItem($.empty, 999)', null],
    ['States.ArrayLength($.arr)', 5],
    ['States.ArrayUnique($.arr)', [1, 2, { x: 1 }]],
    ["States.Base64Encode('Hello World')", 'SGVsbG8gV29ybGQ='],
    ["States.Base64Decode('SGVsbG8gV29ybGQ=')", 'Hello World'],
    ["States.Hash('input data', 'SHA-256')", createHash('sha256').update('input data').digest('hex')],
    ["States.Hash('input data', 'MD5')", '812f45842bc6d66ee14572ce20db8e86'],
    ["States.JsonMerge($.obj, States.StringToJson('{\"k\":\"w\",\"z\":1}'), false)", { k: 'w', n: [1, 2], z: 1 }],
    ['States.MathAdd($.n, -1)', 4],
    ['States.MathAdd(1.6, 2.7)', 5],
    ['States.MathAdd(2147483646, 1)', 2147483647],
    ["States.StringSplit($.s, ',')", ['a', 'b', 'c']],
    ["States.StringSplit('a-b_c', '-_')", ['a', 'b', 'c']],
    ["States.ArrayGetItem(States.StringSplit($$.Execution.Name, '-'), 1)", '1'],
  ])('%s', (expr, expected) => {
    expect(run(expr)).toEqual(expected);
  });

  it('States.UUID and unseeded States.MathRandom take randomness from the IdSource', () => {
    const a = evaluateIntrinsic('States.UUID()', scope, where, createIdSource(7));
    const b = evaluateIntrinsic('States.UUID()', scope, where, createIdSource(7));
    expect(a).toBe(b);
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const r = evaluateIntrinsic('States.MathRandom(1, 999)', scope, where, createIdSource(7)) as number;
    expect(Number.isInteger(r) && r >= 1 && r < 999).toBe(true);
  });

  it('seeded States.MathRandom is the same for the same seed', () => {
    const x = evaluateIntrinsic('States.MathRandom(1, 1000, 42)', scope, where, createIdSource(1));
    const y = evaluateIntrinsic('States.MathRandom(1, 1000, 42)', scope, where, createIdSource(2));
    expect(x).toBe(y);
  });

  // AWS: error States.Runtime, cause "Invalid arguments in States.<Name>".
  it.each([
    "States.Format('{} {}', 1)",
    'States.Format($.n)',
    "States.StringToJson('{bad')",
    'States.StringToJson($.n)',
    "States.ArrayPartition($.arr, 0.49)",
    "States.ArrayPartition('x', 1)",
    "States.ArrayRange(1, 10, 0)",
    'States.ArrayRange(1, 1001, 1)',
    "States.ArrayRange('a', 5, 1)",
    'States.ArrayGetItem($.arr, 5)',
    'States.ArrayGetItem($.arr, -1)',
    "States.ArrayGetItem('x', 0)",
    'States.ArrayLength($.obj)',
    'States.ArrayUnique($.n)',
    'States.Base64Encode($.n)',
    "States.Base64Decode('%%%')",
    "States.Hash('x', 'SHA-3')",
    'States.Hash(null, \'MD5\')',
    'States.JsonMerge($.obj, $.obj, true)',
    'States.JsonMerge($.obj, $.arr, false)',
    'States.MathAdd(2147483647, 1)',
    "States.MathAdd('1', 2)",
    'States.MathAdd(1)',
    'States.MathRandom(1, 1)',
    "States.MathRandom(1, 10, 'seed')",
    "States.StringSplit($.n, ',')",
    'States.UUID(1)',
  ])('%s fails like AWS', (expr) => {
    const e = failure(expr);
    const name = /^(States\.\w+)/.exec(expr)![1];
    expect(e.error).toBe('States.Runtime');
    expect(e.causeText).toBe(`An error occurred while executing the state 'S' (entered at the event id #2). Invalid arguments in ${name}`);
  });

  it('States.Base64Encode rejects more than 10,000 characters', () => {
    const big = { ...scope, input: { t: 'a'.repeat(10_001) } };
    expect(() => evaluateIntrinsic('States.Base64Encode($.t)', big, where, ids)).toThrow(/Invalid arguments in States.Base64Encode/);
    expect(evaluateIntrinsic('States.Base64Encode($.t)', { ...big, input: { t: 'a'.repeat(10_000) } }, where, ids)).toHaveLength(13_336);
  });

  it('a path argument that finds nothing names the field', () => {
    expect(failure('States.Array($.missing)').causeText).toContain("The JSONPath '$.missing' specified for the field 'x.$' could not be found in the input");
  });
});

describe('intrinsic parser', () => {
  it('parses nested calls, literals, escapes and paths with brackets and commas', () => {
    const call = parseIntrinsic("States.Format('a\\'b{}', $.x['a,b'], States.Array(-1.5e2, null))");
    expect(call.name).toBe('States.Format');
    expect(call.depth).toBe(2);
    expect(call.args[0]).toEqual({ kind: 'literal', value: "a'b{}", raw: "a\\'b{}" });
    expect(call.args[1]).toMatchObject({ kind: 'path', path: { text: "$.x['a,b']" } });
    expect(call.args[2]).toMatchObject({ kind: 'call', call: { name: 'States.Array', args: [{ value: -150 }, { value: null }] } });
  });

  it.each([
    ["States.Format('open \\x')", 'open escape backslash'],
    ["States.Format('unterminated)", 'unterminated string literal'],
    ['States.Array(1,)', 'missing argument'],
    ['States.Array(1', "missing ')'"],
    ['States.Array(1) extra', 'unexpected text'],
    ['States.Array(foo)', "unexpected 'f'"],
  ])('%s is a syntax error', (expr, detail) => {
    expect(checkIntrinsic(expr)[0]).toContain(detail);
    expect(() => run(expr)).toThrow(StatesError);
  });

  it('checkIntrinsic reports unknown functions and nesting over 10', () => {
    expect(checkIntrinsic('States.Nope(1)')).toEqual(["unknown intrinsic function 'States.Nope'"]);
    const deep = 'States.Array('.repeat(11) + ')'.repeat(11);
    expect(checkIntrinsic(deep)).toEqual(['more than 10 nested intrinsic functions']);
    expect(checkIntrinsic("States.Format('{}', $.a)")).toEqual([]);
  });

  it('isIntrinsic', () => {
    expect(isIntrinsic('States.UUID()')).toBe(true);
    expect(isIntrinsic('$.States')).toBe(false);
  });
});
