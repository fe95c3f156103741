/**
 * The response encoder gives byte for byte what JSON.stringify gives, for
 * every output shape that holds items, and never answers an item's old text
 * once a write has stored a new object (pure logic; the HTTP tests in
 * sdk.test.ts cover the same through the SDK).
 */
import { describe, expect, it } from 'vitest';
import { outputJson } from '../../../harness/emulator/dynamodb/wire.ts';

const item = (n: number) => ({ pk: { S: `p\u00e9"${n}` }, sk: { N: String(n) }, tags: { SS: ['a', 'b'] }, m: { M: { l: { L: [{ NULL: true }, { BOOL: false }] } } } });

describe('DynamoDB response encoding', () => {
  const outputs: Array<[string, Record<string, unknown>]> = [
    ['GetItem', { Item: item(1), ConsumedCapacity: undefined }],
    ['GetItem (no item)', {}],
    ['PutItem ALL_OLD', { Attributes: item(2) }],
    ['Query', { Items: [item(1), item(2), item(3)], Count: 3, ScannedCount: 5, LastEvaluatedKey: { pk: { S: 'p' }, sk: { N: '3' } } }],
    ['Query COUNT', { Count: 7, ScannedCount: 7 }],
    ['Scan (empty page)', { Items: [], Count: 0, ScannedCount: 0 }],
    ['BatchGetItem', { Responses: { a: [item(1)], b: [] }, UnprocessedKeys: {} }],
    ['TransactGetItems', { Responses: [{ Item: item(4) }, {}] }],
    ['DescribeTable', { Table: { TableName: 't', KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], CreationDateTime: 1767225600, ItemCount: 0 } }],
    ['members that are not items keep their JSON', { Item: null, Items: 'x', Responses: 3, Attributes: [1] }],
  ];
  for (const [what, output] of outputs) {
    it(what, () => {
      expect(outputJson(output)).toBe(JSON.stringify(output));
    });
  }

  it('an item object answered twice gives the same text; a new object (a write stores one) gives its own', () => {
    const stored = item(9);
    expect(outputJson({ Item: stored })).toBe(outputJson({ Item: stored }));
    const rewritten = { ...stored, sk: { N: '10' } };
    expect(outputJson({ Items: [rewritten, stored] })).toBe(JSON.stringify({ Items: [rewritten, stored] }));
  });
});
