/** awsQuery un-flattening, message attribute validation and filter policies (pure logic). */
import { describe, expect, it } from 'vitest';
import { entries, members, stringMap } from '../../../harness/emulator/sns/params.ts';
import { readMessageAttributes } from '../../../harness/emulator/sns/operations.ts';
import { matchesAttributes, matchesBody } from '../../../harness/emulator/sns/filter-policy.ts';

describe('awsQuery parameters', () => {
  it('groups members and entries by index, in numeric order', () => {
    const p = {
      'Tags.member.10.Key': 'k10',
      'Tags.member.2.Key': 'k2',
      'Tags.member.2.Value': 'v2',
      'TagKeys.member.1': 'a',
      'Attributes.entry.1.key': 'DisplayName',
      'Attributes.entry.1.value': 'D',
      'Other': 'x',
    };
    expect(members(p, 'Tags')).toEqual([{ Key: 'k2', Value: 'v2' }, { Key: 'k10' }]);
    expect(members(p, 'TagKeys')).toEqual([{ '': 'a' }]);
    expect(entries(p, 'Attributes')).toEqual([{ key: 'DisplayName', value: 'D' }]);
    expect(stringMap(p, 'Attributes')).toEqual(new Map([['DisplayName', 'D']]));
  });

  it('reads MessageAttributes as SDK v3, the CLI and boto3 send them and rejects bad ones with ParameterValueInvalid', () => {
    const attrs = readMessageAttributes(
      {
        'MessageAttributes.entry.1.Name': 'a',
        'MessageAttributes.entry.1.Value.DataType': 'String',
        'MessageAttributes.entry.1.Value.StringValue': 'x',
        'MessageAttributes.entry.2.Name': 'b',
        'MessageAttributes.entry.2.Value.DataType': 'Binary',
        'MessageAttributes.entry.2.Value.BinaryValue': 'AAE=',
      },
      'MessageAttributes',
    );
    expect(attrs).toEqual({ a: { DataType: 'String', StringValue: 'x' }, b: { DataType: 'Binary', BinaryValue: 'AAE=' } });
    const bad = (extra: Record<string, string>) => () => readMessageAttributes({ 'M.entry.1.Name': 'n', ...extra }, 'M');
    expect(bad({ 'M.entry.1.Value.DataType': 'Number', 'M.entry.1.Value.StringValue': 'x1' })).toThrow(/cast message attribute 'n'/);
    expect(bad({ 'M.entry.1.Value.DataType': 'String' })).toThrow(/non-empty message attribute value/);
    expect(bad({ 'M.entry.1.Value.StringValue': 'x' })).toThrow(/non-empty message attribute type/);
    expect(bad({ 'M.entry.1.Value.DataType': 'String.Array', 'M.entry.1.Value.StringValue': '{}' })).toThrow(/must be an array/);
  });
});

describe('filter policies', () => {
  const attrs = {
    kind: { DataType: 'String', StringValue: 'resized' },
    width: { DataType: 'Number', StringValue: '1200' },
    tags: { DataType: 'String.Array', StringValue: '["x","y"]' },
  };
  it('matches on message attributes', () => {
    expect(matchesAttributes({ kind: ['resized', 'failed'] }, attrs)).toBe(true);
    expect(matchesAttributes({ kind: ['failed'] }, attrs)).toBe(false);
    expect(matchesAttributes({ width: [{ numeric: ['>', 1000, '<=', 1200] }] }, attrs)).toBe(true);
    expect(matchesAttributes({ width: [1200] }, attrs)).toBe(true);
    expect(matchesAttributes({ kind: [{ 'anything-but': ['failed'] }] }, attrs)).toBe(true);
    expect(matchesAttributes({ kind: [{ prefix: 'res' }], width: [{ numeric: ['<', 10] }] }, attrs)).toBe(false);
    expect(matchesAttributes({ missing: [{ exists: false }] }, attrs)).toBe(true);
    expect(matchesAttributes({ missing: ['x'] }, attrs)).toBe(false);
    expect(matchesAttributes({ tags: ['y'] }, attrs)).toBe(true);
    expect(matchesAttributes({ kind: [{ 'equals-ignore-case': 'RESIZED' }] }, attrs)).toBe(true);
  });
  it('matches on the message body, nested', () => {
    const body = { image: { format: 'png', width: 900 }, status: 'ok' };
    expect(matchesBody({ image: { format: ['png'] } }, body)).toBe(true);
    expect(matchesBody({ image: { width: [{ numeric: ['>', 1000] }] } }, body)).toBe(false);
    expect(matchesBody({ status: [{ suffix: 'k' }] }, body)).toBe(true);
  });
});
