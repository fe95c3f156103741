/** Values keep the text they were parsed from (TestState echoes it as AWS does). */
import { describe, expect, it } from 'vitest';
import { parseKeepingText, textOf } from '../../harness/asl/json-text.ts';

describe('parseKeepingText / textOf', () => {
  it('gives back the original text of the value and of every nested object and array', () => {
    const text = '{ "a" : [1, 2,  3], "b": {"c": "x\\"y", "d": [ ]}, "e": null }';
    const v = parseKeepingText(text) as { a: number[]; b: { c: string; d: unknown[] } };
    expect(textOf(v)).toBe(text);
    expect(textOf(v.a)).toBe('[1, 2,  3]');
    expect(textOf(v.b)).toBe('{"c": "x\\"y", "d": [ ]}');
    expect(textOf(v.b.d)).toBe('[ ]');
  });

  it('serialises values it did not parse, and primitives', () => {
    expect(textOf({ built: [1, 2] })).toBe('{"built":[1,2]}');
    expect(textOf(parseKeepingText(' "s" '))).toBe('"s"');
    expect(textOf(undefined)).toBe('null');
  });
});
