/**
 * The two remembered results in the DynamoDB request path against dynalite's
 * own functions: the attribute value check (attribute-value-check.ts, the
 * same message and the same rewritten value, first call and remembered) and
 * an item's database key (dynalite.ts's createKey, the same string for every
 * key value, whatever was asked before).
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { fastAttributeValueCheck, type ValidateAttributeValue } from '../../../harness/emulator/dynamodb/attribute-value-check.ts';
import { createKey, type AttributeValue, type Item, type TableRecord } from '../../../harness/emulator/dynamodb/dynalite.ts';

const require = createRequire(import.meta.url);
const dynaliteValidations = require('dynalite/validations/index.js') as { findDuplicate(values: unknown[]): unknown };
// The module's own function, before dynalite.ts installs the shortcut: read from a fresh copy of the module.
const freshPath = require.resolve('dynalite/validations/index.js');
const installed = require.cache[freshPath];
delete require.cache[freshPath];
const original = (require(freshPath) as { validateAttributeValue: ValidateAttributeValue }).validateAttributeValue;
require.cache[freshPath] = installed;

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

const VALUES: unknown[] = [
  { S: 'x' }, { S: '' }, { B: 'AAEC' }, { BOOL: false }, { NULL: true }, { NULL: false },
  { N: '1' }, { N: '1.50' }, { N: '-0.000' }, { N: '0012' }, { N: '1e3' }, { N: '-1E-3' }, { N: '9'.repeat(38) }, { N: '9'.repeat(39) },
  { N: '1e125' }, { N: '1e126' }, { N: '1e-130' }, { N: '1e-131' }, { N: '' }, { N: 'abc' }, { N: ' 1' }, { N: '1.50' },
  { SS: ['a', 'b'] }, { SS: [] }, { SS: ['a', 'a'] }, { BS: ['AA==', 'AA=='] }, { BS: [] },
  { NS: ['1', '2'] }, { NS: ['1', '1.0'] }, { NS: ['1', 'x'] }, { NS: [] }, { NS: ['01', '2.50'] },
  { M: { a: { N: '01.10' }, b: { L: [{ N: '2.0' }, { S: 'x' }] } } }, { M: { a: { N: 'bad' } } }, { M: {} }, { M: { a: {} } },
  { L: [] }, { L: [{ NS: ['3', '3.00'] }] }, { L: [{ M: { deep: { SS: ['x', 'x'] } } }] },
  {}, { S: 'a', N: '1' }, { N: '1', S: 'a' }, { X: 'y' }, { NULL: true, BOOL: true },
];

describe('attribute value check', () => {
  it('gives dynalite’s message and rewrite for every value, first time and remembered', () => {
    const fast = fastAttributeValueCheck(original, dynaliteValidations.findDuplicate);
    let refused = 0;
    for (let round = 0; round < 2; round++) {
      for (const value of VALUES) {
        const mine = clone(value) as AttributeValue;
        const theirs = clone(value) as AttributeValue;
        const expected = original(theirs);
        expect(fast(mine), JSON.stringify(value)).toBe(expected);
        expect(mine, JSON.stringify(value)).toEqual(theirs);
        if (expected !== undefined) refused++;
      }
    }
    // Both sides of the corpus are exercised.
    expect(refused).toBeGreaterThan(20);
    expect(refused).toBeLessThan(VALUES.length * 2 - 20);
  });
});

const table = (hash: string, range?: string): TableRecord =>
  ({
    TableName: 't',
    KeySchema: [{ AttributeName: 'h', KeyType: 'HASH' }, ...(range ? [{ AttributeName: 'r', KeyType: 'RANGE' as const }] : [])],
    AttributeDefinitions: [{ AttributeName: 'h', AttributeType: hash }, ...(range ? [{ AttributeName: 'r', AttributeType: range }] : [])],
  }) as unknown as TableRecord;

describe('createKey', () => {
  it('is dynalite’s key for every key value and schema, asked in any order', () => {
    const tables = [table('S'), table('N'), table('B'), table('S', 'S'), table('S', 'N'), table('N', 'B')];
    const values: Record<string, string[]> = { S: ['a', '1:a', '', 'ü', 'a\u0000b'], N: ['0', '1', '1.0', '-5.5', '1e10'], B: ['AAEC', 'AA=='] };
    let compared = 0;
    for (let round = 0; round < 2; round++) {
      for (const t of tables) {
        const [h, r] = t.AttributeDefinitions.map((d) => d.AttributeType);
        for (const hv of values[h!]!) {
          for (const rv of r ? values[r]! : [undefined]) {
            const item = { h: { [h!]: hv }, ...(rv !== undefined ? { r: { [r!]: rv } } : {}), other: { S: 'x' } } as unknown as Item;
            // A key schema that is equal but not the table's own takes dynalite's function unremembered.
            expect(createKey(item, t), JSON.stringify(item)).toBe(createKey(item, t, [...t.KeySchema]));
            compared++;
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(100);
  });

  it('answers a key of the wrong shape as dynalite does', () => {
    const t = table('S', 'S');
    const bad = { h: { S: 'a' } } as unknown as Item;
    expect(() => createKey(bad, t)).toThrow();
    expect(() => createKey(bad, t, [...t.KeySchema])).toThrow();
  });
});
