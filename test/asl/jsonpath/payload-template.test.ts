import { describe, expect, it } from 'vitest';
import { StatesError } from '../../../harness/asl/errors.ts';
import { applyPayloadTemplate, applyResultPath, evaluateAssignJsonPath } from '../../../harness/asl/jsonpath/index.ts';
import { createIdSource } from '../../../harness/core/index.ts';

const where = { stateName: 'pass', enteredEventId: 2 };
const ids = createIdSource('payload');
const scope = {
  input: { name: 'cat.jpg', size: 3, tags: ['a', 'b'] },
  context: { Execution: { Input: { bucket: 'images' } }, Task: { Token: 'tok' } },
  variables: { prefix: 'resized/' },
};

function error(fn: () => unknown): StatesError {
  try {
    fn();
  } catch (e) {
    if (e instanceof StatesError) return e;
    throw e;
  }
  throw new Error('expected a StatesError');
}

describe('applyPayloadTemplate', () => {
  it('evaluates .$ keys (paths, context, variables, intrinsics), keeps literals, recurses into objects and arrays', () => {
    const template = {
      'key.$': "States.Format('{}{}', $prefix, $.name)",
      'bucket.$': '$$.Execution.Input.bucket',
      'token.$': '$$.Task.Token',
      literal: '$.name',
      nested: { 'size.$': '$.size', list: [{ 'first.$': '$.tags[0]' }, 1, null] },
      'all.$': '$',
    };
    expect(applyPayloadTemplate(template, scope, where, 'Parameters', ids)).toEqual({
      key: 'resized/cat.jpg',
      bucket: 'images',
      token: 'tok',
      literal: '$.name',
      nested: { size: 3, list: [{ first: 'a' }, 1, null] },
      all: scope.input,
    });
  });

  it('returns literal-only templates unchanged', () => {
    const template = { a: 1, b: { c: [1, 2] } };
    expect(applyPayloadTemplate(template, scope, where, 'Parameters', ids)).toEqual(template);
  });

  it('fails with the AWS text when a path finds nothing (conformance: INVALID_JSONPATH_IN_STRING_EXPR_JSONPATH)', () => {
    const e = error(() => applyPayloadTemplate({ 'value.$': '$.no_such_jsonpath' }, { ...scope, input: { a: 1 } }, where, 'Parameters', ids));
    expect(e.error).toBe('States.Runtime');
    expect(e.causeText).toBe(
      "An error occurred while executing the state 'pass' (entered at the event id #2). The JSONPath '$.no_such_jsonpath' specified for the field 'value.$' could not be found in the input '{\"a\":1}'",
    );
  });

  it('quotes the context object for a missing $$ path', () => {
    const e = error(() => applyPayloadTemplate({ 'value.$': '$$.Execution.Input.nope' }, scope, where, 'Parameters', ids));
    expect(e.causeText).toContain("The JSONPath '$$.Execution.Input.nope' specified for the field 'value.$' could not be found in the input '{\"Execution\"");
  });

  it('propagates intrinsic failures', () => {
    expect(error(() => applyPayloadTemplate({ 'x.$': 'States.MathAdd($.name, 1)' }, scope, where, 'Parameters', ids)).causeText).toMatch(/Invalid arguments in States\.MathAdd$/);
  });
});

describe('applyResultPath', () => {
  const input = { a: { keep: true }, list: [1, 2] };
  it.each([
    [undefined, 'R'],
    ['$', 'R'],
    [null, input],
    ['$.r', { ...input, r: 'R' }],
    ['$.a.b.c', { a: { keep: true, b: { c: 'R' } }, list: [1, 2] }],
    ['$.list[1]', { a: { keep: true }, list: [1, 'R'] }],
  ])('%s', (path, expected) => {
    expect(applyResultPath(input, 'R', path as string | null | undefined, where)).toEqual(expected);
  });

  it('does not modify the input', () => {
    const before = JSON.stringify(input);
    applyResultPath(input, 'R', '$.a.b', where);
    expect(JSON.stringify(input)).toBe(before);
  });

  it('fails with States.ResultPathMatchFailure when the input has no room for the result', () => {
    const e = error(() => applyResultPath('just a string', 1, '$.x', where));
    expect(e.error).toBe('States.ResultPathMatchFailure');
    expect(e.causeText).toContain("Unable to apply ResultPath '$.x'");
    expect(error(() => applyResultPath({ a: 5 }, 1, '$.a.b', where)).error).toBe('States.ResultPathMatchFailure');
  });
});

describe('evaluateAssignJsonPath', () => {
  it('reads $ from the result when there is one and treats non-.$ strings as literals', () => {
    const out = evaluateAssignJsonPath(
      { 'answer.$': '$.answer', literal: '$.no.such.path', 'old.$': '$prefix', 'ctx.$': '$$.Task.Token', nested: { 'n.$': '$.answer' } },
      { ...scope, result: { answer: 42 } },
      where,
      ids,
    );
    expect(out).toEqual({ answer: 42, literal: '$.no.such.path', old: 'resized/', ctx: 'tok', nested: { n: 42 } });
  });

  it('reads $ from the input without a result', () => {
    expect(evaluateAssignJsonPath({ 'n.$': '$.name' }, scope, where, ids)).toEqual({ n: 'cat.jpg' });
  });
});
