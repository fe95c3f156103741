import { describe, expect, it } from 'vitest';
import { StatesError } from '../../../harness/asl/errors.ts';
import { compilePath, readPath, readPathOrFail, selectPath } from '../../../harness/asl/jsonpath/index.ts';

const where = { stateName: 'pass', enteredEventId: 2 };
const scope = {
  input: { a: { b: [10, { c: 'x' }] }, s: 'text', n: null, 'odd key': 1, list: [{ id: 1, tag: 'x' }, { id: 2, tag: 'y' }] },
  context: { Execution: { Id: 'arn:exec', Input: { k: 1 } }, Map: { Item: { Value: 7 } } },
  variables: { v: { deep: [1, 2, 3] }, plain: 'hello' },
};

function fails(fn: () => unknown): StatesError {
  try {
    fn();
  } catch (e) {
    if (e instanceof StatesError) return e;
    throw e;
  }
  throw new Error('expected a StatesError');
}

describe('selectPath', () => {
  it.each([
    ['$', scope.input],
    ['$.a.b[0]', 10],
    ['$.a.b[1].c', 'x'],
    ["$['odd key']", 1],
    ['$.n', null],
    ['$$.Execution.Id', 'arn:exec'],
    ['$$.Map.Item.Value', 7],
    ['$v.deep[2]', 3],
    ['$plain', 'hello'],
    ['$.list[*].id', [1, 2]],
    ["$.list[?(@.tag == 'y')].id", [2]],
    ['$..c', ['x']],
    ['$.list[0:1]', [{ id: 1, tag: 'x' }]],
    ['$.list.length()', 2],
    ['$.list[*].id.max()', 2],
    ['$.list[*].id.sum()', 3],
    ['$v.deep.avg()', 2],
  ])('%s', (path, expected) => {
    expect(selectPath(path, scope, where, 'InputPath')).toEqual(expected);
  });

  it('defaults to the whole input and maps null to {}', () => {
    expect(selectPath(undefined, scope, where, 'InputPath')).toBe(scope.input);
    expect(selectPath(null, scope, where, 'OutputPath')).toEqual({});
  });

  it('an indefinite path that matches nothing is an empty list, not an error', () => {
    expect(selectPath('$.list[*].missing', scope, where, 'InputPath')).toEqual([]);
  });

  // Texts recorded against AWS (conformance: test_invalid_jsonpath, test_catch_states_runtime).
  it.each([
    ['$.NoSuchInputPath', "Invalid path '$.NoSuchInputPath' : No results for path: $['NoSuchInputPath']"],
    ['$.no.such.result.path', "Invalid path '$.no.such.result.path' : Missing property in path $['no']"],
    ['$.a.b[5]', "Invalid path '$.a.b[5]' : No results for path: $['a']['b'][5]"],
  ])('%s fails with AWS text', (path, cause) => {
    const e = fails(() => selectPath(path, scope, where, 'InputPath'));
    expect(e.error).toBe('States.Runtime');
    expect(e.causeText).toBe(`An error occurred while executing the state 'pass' (entered at the event id #2). ${cause}`);
  });

  it('names a property lookup on a non-object as Jayway does', () => {
    expect(fails(() => selectPath('$.s.x', scope, where, 'InputPath')).causeText).toContain("Expected to find an object with property ['x'] in path $['s']");
  });

  it('reports undefined variables and bad syntax', () => {
    expect(fails(() => selectPath('$nope', scope, where, 'InputPath')).causeText).toContain("The variable 'nope' is not defined");
    expect(fails(() => selectPath('a.b', scope, where, 'InputPath')).causeText).toContain("Invalid path 'a.b'");
    expect(fails(() => selectPath('$.a[', scope, where, 'InputPath')).error).toBe('States.Runtime');
  });
});

describe('readPath / readPathOrFail', () => {
  it('never throws for missing data', () => {
    expect(readPath(compilePath('$.zz'), scope)).toMatchObject({ found: false });
    expect(readPath(compilePath('$.a.b[1]'), scope)).toEqual({ found: true, value: { c: 'x' } });
  });

  it('gives the ErrorPath/CausePath text', () => {
    const e = fails(() => readPathOrFail('$.ErrorX', { ...scope, input: { a: 1 } }, { stateName: 'fail', enteredEventId: 4 }, 'ErrorPath'));
    expect(e.causeText).toBe(
      "An error occurred while executing the state 'fail' (entered at the event id #4). The JSONPath '$.ErrorX' specified for the field 'ErrorPath' could not be found in the input '{\"a\":1}'",
    );
  });
});

describe('compiled paths', () => {
  it('caches and uses the fast path for plain references', () => {
    const p = compilePath('$.a.b[0]');
    expect(compilePath('$.a.b[0]')).toBe(p);
    expect(p.segments).toEqual(['a', 'b', 0]);
    expect(compilePath('$.list[*]').segments).toBeUndefined();
  });

});

describe("Jayway's `.[` and multi-property brackets, as Step Functions evaluates them", () => {
  const objects = [{ bucket: 'b1', key: 'k1', size: 3, OU: 2 }, { bucket: 'b2', key: 'k2', OU: 0 }, 'not an object'];
  it.each([
    ['$.[0]', objects, objects[0]],
    ['$.Snapshots.[0].State', { Snapshots: [{ State: 'available' }] }, 'available'],
    ['$.[?(@.OU > 0)]', objects, [objects[0]]],
    ["$.[*].['bucket','key']", objects, [{ bucket: 'b1', key: 'k1' }, { bucket: 'b2', key: 'k2' }]],
    ["$[0]['bucket','size']", objects, { bucket: 'b1', size: 3 }],
    ["$[1]['bucket','size']", objects, { bucket: 'b2' }],
    ["$.a['x.[y']", { a: { 'x.[y': 1 } }, 1],
  ])('%s', (path, input, expected) => {
    expect(selectPath(path, { input, context: {}, variables: {} }, where, 'InputPath')).toEqual(expected);
  });

  it('a definite multi-property path on a non-object is a path failure', () => {
    expect(fails(() => selectPath("$.s['a','b']", scope, where, 'InputPath')).error).toBe('States.Runtime');
  });
});
