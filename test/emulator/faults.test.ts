/**
 * FaultRegistry's selection and counting (harness/emulator/faults.ts), without
 * HTTP: which calls a fault with `input` selects, and how `invocations`/`every`
 * count for it. Over HTTP: test/emulator/lambda/fault-return.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { canonicalJson, FaultRegistry, jsonValueProblem, type FunctionFault } from '../../harness/emulator/faults.ts';

const actions = (faults: FunctionFault[]) => faults.map((f) => ('throw' in f ? f.throw.errorType : 'return' in f ? `return ${JSON.stringify(f.return)}` : '?'));

describe('fault registry: `input`', () => {
  it('selects only deep-equal payloads, key order and whitespace ignored', () => {
    const r = new FaultRegistry();
    r.install({ functions: [{ function: 'f', input: { id: 3, tags: ['a', { x: 1, y: 2 }] }, throw: { errorType: 'Flaky' } }] });
    expect(r.nextFunctionCall('f', '{"id":1,"tags":["a",{"x":1,"y":2}]}').faults).toEqual([]);
    expect(actions(r.nextFunctionCall('f', '{ "tags": ["a", {"y": 2, "x": 1}], "id": 3 }').faults)).toEqual(['Flaky']);
    // Array order matters; a missing or extra key is another payload.
    expect(r.nextFunctionCall('f', '{"id":3,"tags":[{"x":1,"y":2},"a"]}').faults).toEqual([]);
    expect(r.nextFunctionCall('f', '{"id":3,"tags":["a",{"x":1,"y":2}],"more":true}').faults).toEqual([]);
    // Another function with the same payload is not selected.
    expect(r.nextFunctionCall('g', '{"id":3,"tags":["a",{"x":1,"y":2}]}').faults).toEqual([]);
  });

  it('counts invocations per payload, so [2] is the second call with that payload (a retry), whatever came in between', () => {
    const r = new FaultRegistry();
    r.install({
      functions: [
        { function: 'f', input: { id: 3 }, invocations: [1], throw: { errorType: 'Flaky' } },
        { function: 'f', input: { id: 3 }, invocations: [2], return: 'third, retried' },
        { function: 'f', input: { id: 1 }, every: 2, return: 'every 2nd id 1' },
      ],
    });
    const call = (payload: unknown) => {
      const { callNumber, faults } = r.nextFunctionCall('f', JSON.stringify(payload));
      return [callNumber, ...actions(faults)];
    };
    expect(call({ id: 1 })).toEqual([1]);
    expect(call({ id: 2 })).toEqual([2]);
    expect(call({ id: 3 })).toEqual([3, 'Flaky']);
    expect(call({ id: 1 })).toEqual([4, 'return "every 2nd id 1"']);
    expect(call({ id: 3 })).toEqual([5, 'return "third, retried"']);
    expect(call({ id: 3 })).toEqual([6]);
    // A new plan restarts every counter, per payload too.
    r.install(r.current());
    expect(call({ id: 3 })).toEqual([1, 'Flaky']);
  });

  it('leaves faults without input counting every call of the function, as before', () => {
    const r = new FaultRegistry();
    r.install({
      functions: [
        { function: 'f', invocations: [2], throw: { errorType: 'Second' } },
        { function: 'f', input: { id: 9 }, invocations: [1], throw: { errorType: 'Nine' } },
      ],
    });
    expect(actions(r.nextFunctionCall('f', '{"id":9}').faults)).toEqual(['Nine']);
    expect(actions(r.nextFunctionCall('f', '{"id":1}').faults)).toEqual(['Second']);
    expect(actions(r.nextFunctionCall('f', '{"id":9}').faults)).toEqual([]);
  });

  it('matches null, scalars and the empty payload (`{}`, as Invoke treats it)', () => {
    const r = new FaultRegistry();
    r.install({
      functions: [
        { function: 'f', input: null, return: 'null' },
        { function: 'f', input: 'text', return: 'text' },
        { function: 'f', input: {}, return: 'empty' },
      ],
    });
    expect(actions(r.nextFunctionCall('f', 'null').faults)).toEqual(['return "null"']);
    expect(actions(r.nextFunctionCall('f', '"text"').faults)).toEqual(['return "text"']);
    expect(actions(r.nextFunctionCall('f', '').faults)).toEqual(['return "empty"']);
    expect(r.nextFunctionCall('f', 'not json').faults).toEqual([]);
  });

  it('rejects an input JSON cannot carry, naming the fault and field', () => {
    const r = new FaultRegistry();
    expect(() => r.install({ functions: [{ function: 'ok', return: 1 }, { function: 'f', input: { size: Number.NaN }, return: 1 }] })).toThrow(
      'functions[1] (f): input.size is NaN, which JSON cannot hold',
    );
    expect(jsonValueProblem({ a: [1, undefined] }, 'input')).toBe('input.a[1] is undefined, not a JSON value');
    expect(jsonValueProblem({ a: [1, 'x', null, { b: false }] })).toBeUndefined();
    expect(canonicalJson({ b: [2, { d: 1, c: 0 }], a: 'x' })).toBe('{"a":"x","b":[2,{"c":0,"d":1}]}');
  });

  it('aims an operation fault at one resource (a DynamoDB table): counted per filter, any operation when none is named', () => {
    const r = new FaultRegistry();
    r.install({
      operations: [
        { service: 'dynamodb', operation: 'PutItem', resource: 'orders', invocations: [2], error: { code: 'ProvisionedThroughputExceededException' } },
        { service: 'dynamodb', resource: 'audit', invocations: [1], latencyMs: 5 },
      ],
    });
    const codes = (op: string, tables: string[]) => r.nextOperationCall('dynamodb', op, tables).faults.map((f) => f.error?.code ?? `latency ${f.latencyMs}`);
    expect(codes('PutItem', ['audit'])).toEqual(['latency 5']);
    expect(codes('PutItem', ['orders'])).toEqual([]);
    expect(codes('GetItem', ['orders'])).toEqual([]);
    // The second PutItem on orders, whatever came between.
    expect(codes('PutItem', ['orders', 'audit'])).toEqual(['ProvisionedThroughputExceededException']);
    expect(codes('PutItem', ['orders'])).toEqual([]);
    expect(codes('Query', [])).toEqual([]);
  });
});
