/**
 * The event-pattern language (pure logic), with the examples of the
 * EventBridge user guide: "Comparison operators for use in event patterns",
 * "Event patterns" and "Event patterns on arrays".
 */
import { describe, expect, it } from 'vitest';
import { compilePattern, compilePatternText, EventPatternError, matchesPattern } from '../../../harness/emulator/event-pattern/index.ts';
import { matchesBody } from '../../../harness/emulator/sns/filter-policy.ts';

const matches = (pattern: unknown, event: unknown) => matchesPattern(compilePattern(pattern), event);

const EC2_EVENT = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2017-12-22T18:43:48Z',
  region: 'us-west-1',
  resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  detail: {
    'instance-id': 'i-1234567890abcdef0',
    state: 'terminated',
    'c-count': 5,
    'd-count': 3,
    'x-limit': 301.8,
    'source-ip': '10.0.0.123',
    FileName: 'photo.PNG',
    tags: ['prod', 'web'],
    location: null,
    empty: '',
  },
};

describe('event patterns: values', () => {
  it.each([
    ['exact string', { source: ['aws.ec2'] }, true],
    ['exact string, no match', { source: ['aws.s3'] }, false],
    ['values of an array are ORed', { source: ['aws.s3', 'aws.ec2'] }, true],
    ['fields are ANDed', { source: ['aws.ec2'], 'detail-type': ['nope'] }, false],
    ['nested fields', { detail: { state: ['terminated'] } }, true],
    ['numbers compare as numbers', { detail: { 'x-limit': [3.018e2] } }, true],
    ['a number does not match its string', { detail: { 'c-count': ['5'] } }, false],
    ['null matches null', { detail: { location: [null] } }, true],
    ['empty string', { detail: { empty: [''] } }, true],
    ['an event array matches when any element does', { detail: { tags: ['web'] } }, true],
    ['resources is an array', { resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'] }, true],
    ['a missing field never matches a value', { detail: { missing: ['x'] } }, false],
    ['an object is not a leaf value', { detail: ['x'] }, false],
  ])('%s', (_what, pattern, want) => {
    expect(matches(pattern, EC2_EVENT)).toBe(want);
  });
});

const OPERATOR_CASES: Array<[string, Record<string, unknown>, boolean]> = [
    ['prefix', { time: [{ prefix: '2017-12-22' }] }, true],
    ['prefix, no match', { time: [{ prefix: '2018' }] }, false],
    ['prefix ignoring case', { detail: { state: [{ prefix: { 'equals-ignore-case': 'TERM' } }] } }, true],
    ['suffix', { detail: { FileName: [{ suffix: '.PNG' }] } }, true],
    ['suffix is case sensitive', { detail: { FileName: [{ suffix: '.png' }] } }, false],
    ['suffix ignoring case', { detail: { FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] } }, true],
    ['equals-ignore-case', { 'detail-type': [{ 'equals-ignore-case': 'ec2 instance state-change notification' }] }, true],
    ['wildcard', { detail: { FileName: [{ wildcard: 'ph*.PNG' }] } }, true],
    ['wildcard anchors both ends', { detail: { FileName: [{ wildcard: 'hoto*' }] } }, false],
    ['wildcard with an escaped star', { detail: { FileName: [{ wildcard: 'photo\\*' }] } }, false],
    ['anything-but a string', { detail: { state: [{ 'anything-but': 'initializing' }] } }, true],
    ['anything-but the value', { detail: { state: [{ 'anything-but': 'terminated' }] } }, false],
    ['anything-but a number', { detail: { 'c-count': [{ 'anything-but': 5 }] } }, false],
    ['anything-but a list of numbers', { detail: { 'c-count': [{ 'anything-but': [1, 2, 3] }] } }, true],
    ['anything-but a list of strings', { detail: { state: [{ 'anything-but': ['stopped', 'terminated'] }] } }, false],
    ['anything-but a prefix', { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } }, true],
    ['anything-but a prefix that matches', { detail: { state: [{ 'anything-but': { prefix: 'term' } }] } }, false],
    ['anything-but a suffix', { detail: { FileName: [{ 'anything-but': { suffix: '.PNG' } }] } }, false],
    ['anything-but ignoring case', { detail: { state: [{ 'anything-but': { 'equals-ignore-case': ['TERMINATED'] } }] } }, false],
    ['anything-but a wildcard', { detail: { FileName: [{ 'anything-but': { wildcard: '*/lib/*' } }] } }, true],
    ['anything-but does not match a missing field', { detail: { missing: [{ 'anything-but': 'x' }] } }, false],
    ['numeric range', { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] } }, true],
    ['numeric upper bound is exclusive with <', { detail: { 'c-count': [{ numeric: ['>', 0, '<', 5] }] } }, false],
    ['numeric equals', { detail: { 'x-limit': [{ numeric: ['=', 301.8] }] } }, true],
    ['numeric only matches numbers', { detail: { state: [{ numeric: ['>', 0] }] } }, false],
    ['cidr', { detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } }, true],
    ['cidr outside', { detail: { 'source-ip': [{ cidr: '10.0.1.0/24' }] } }, false],
    ['exists', { detail: { state: [{ exists: true }] } }, true],
    ['exists false on a missing field', { detail: { missing: [{ exists: false }] } }, true],
    ['exists false on a present field', { detail: { state: [{ exists: false }] } }, false],
    ['exists only looks at leaves', { detail: [{ exists: true }] }, false],
    ['exists false where the parent is missing', { nothere: { deeper: [{ exists: false }] } }, true],
    ['exactly', { detail: { state: [{ exactly: 'terminated' }] } }, true],
    ['anything-but a list of prefixes', { detail: { state: [{ 'anything-but': { prefix: ['init', 'term'] } }] } }, false],
    ['anything-but a list of suffixes', { detail: { FileName: [{ 'anything-but': { suffix: ['.jpg', '.gif'] } }] } }, true],
    ['wildcard with several stars', { detail: { FileName: [{ wildcard: '*o*.P*' }] } }, true],
    ['numeric does not match a numeric string', { detail: { 'source-ip': [{ numeric: ['>', 0] }] } }, false],
];

describe('event patterns: operators', () => {
  it.each(OPERATOR_CASES)('%s', (_what, pattern, want) => {
    expect(matches(pattern, EC2_EVENT)).toBe(want);
  });

  // The issue asks for one matcher: an SNS filter policy on the message body (scope MessageBody) decides the same.
  it.each(OPERATOR_CASES.filter(([, p]) => !JSON.stringify(p).includes('wildcard')))('SNS filter policy agrees: %s', (_what, pattern, want) => {
    expect(matchesBody(pattern, EC2_EVENT)).toBe(want);
  });

  it('cidr matches IPv6 addresses and IPv4-mapped ones', () => {
    expect(matches({ ip: [{ cidr: '2001:db8::/32' }] }, { ip: '2001:db8:0:0:1::1' })).toBe(true);
    expect(matches({ ip: [{ cidr: '10.0.0.0/8' }] }, { ip: '::ffff:10.1.2.3' })).toBe(true);
    expect(matches({ ip: [{ cidr: '10.0.0.0/8' }] }, { ip: 'not-an-ip' })).toBe(false);
  });
});

describe('event patterns: $or and arrays', () => {
  it('$or needs one alternative, and ANDs with its siblings', () => {
    const pattern = {
      source: ['aws.ec2'],
      $or: [{ detail: { 'c-count': [{ numeric: ['>', 10] }] } }, { detail: { 'd-count': [{ numeric: ['<', 10] }] } }],
    };
    expect(matches(pattern, EC2_EVENT)).toBe(true);
    expect(matches({ ...pattern, source: ['aws.s3'] }, EC2_EVENT)).toBe(false);
    expect(matches({ detail: { $or: [{ state: ['x'] }, { state: ['y'] }] } }, EC2_EVENT)).toBe(false);
  });

  it('fields of one sub-pattern must match within the same array element', () => {
    const event = { detail: { items: [{ kind: 'a', size: 1 }, { kind: 'b', size: 2 }] } };
    expect(matches({ detail: { items: { kind: ['a'], size: [1] } } }, event)).toBe(true);
    expect(matches({ detail: { items: { kind: ['a'], size: [2] } } }, event)).toBe(false);
  });

  it('matches S3 events routed through EventBridge', () => {
    const event = { source: 'aws.s3', 'detail-type': 'Object Created', detail: { bucket: { name: 'images' }, object: { key: 'raw/cat.jpg', size: 100 } } };
    expect(matches({ source: ['aws.s3'], detail: { bucket: { name: ['images'] }, object: { key: [{ prefix: 'raw/' }] } } }, event)).toBe(true);
  });
});

describe('event patterns: what EventBridge refuses, and why', () => {
  it.each([
    ['a string where an array belongs', '{"source":"aws.ec2"}', '"source" must be an object or an array at source'],
    ['an empty array', '{"source":[]}', 'Empty arrays are not allowed at source'],
    ['an empty object', '{"detail":{}}', 'Empty objects are not allowed at detail'],
    ['not an object', '["aws.ec2"]', 'Filter is not an object'],
    ['an unknown operator', '{"a":[{"contains":"x"}]}', 'Unrecognized match type contains at a[0].contains'],
    ['two keys in a match expression', '{"a":[{"prefix":"x","suffix":"y"}]}', 'Only one key allowed in match expression at a[0]'],
    ['a nested array value', '{"a":[["x"]]}', 'Match value must be String, number, true, false, or null at a[0]'],
    ['a prefix that is not a string', '{"a":[{"prefix":1}]}', 'prefix match pattern must be a string at a[0].prefix'],
    ['exists not boolean', '{"a":[{"exists":"yes"}]}', 'exists match pattern must be either true or false. at a[0].exists'],
    ['numeric not an array', '{"a":[{"numeric":5}]}', 'Value of numeric must be an array. at a[0].numeric'],
    ['numeric with a bad operator', '{"a":[{"numeric":["!=",5]}]}', 'Unrecognized numeric range operator: != at a[0].numeric'],
    ['numeric with a string bound', '{"a":[{"numeric":[">","5"]}]}', 'Value of > must be numeric at a[0].numeric'],
    ['numeric range upside down', '{"a":[{"numeric":[">",10,"<",5]}]}', 'Bottom must be less than top at a[0].numeric'],
    ['numeric range with a second lower bound', '{"a":[{"numeric":[">",1,">",5]}]}', 'Bad numeric range operator: > at a[0].numeric'],
    ['mixed anything-but list', '{"a":[{"anything-but":["x",1]}]}', 'Inside anything but list, either all values are number or string, mixed type is not supported at a[0].anything-but'],
    ['anything-but of a boolean', '{"a":[{"anything-but":true}]}', 'Value of anything-but must be an array or single string/number value. at a[0].anything-but'],
    ['anything-but with an unknown test', '{"a":[{"anything-but":{"numeric":[">",1]}}]}', 'Unsupported anything-but pattern: numeric at a[0].anything-but.numeric'],
    ['anything-but an empty prefix', '{"a":[{"anything-but":{"prefix":""}}]}', 'Null prefix/suffix not allowed at a[0].anything-but.prefix'],
    ['consecutive wildcards', '{"a":[{"wildcard":"a**b"}]}', 'Consecutive wildcard characters at pos 2 at a[0].wildcard'],
    ['a bad CIDR', '{"a":[{"cidr":"10.0.0.0/99"}]}', 'Nonsensical CIDR IP: 10.0.0.0/99 at a[0].cidr'],
    ['$or with one alternative', '{"$or":[{"a":["x"]}]}', 'There must have at least 2 Objects in $or relationship. at $or'],
    ['$or not an array', '{"$or":{"a":["x"]}}', 'It must be an Array followed with $or. at $or'],
    ['a match type as a field inside $or', '{"$or":[{"prefix":["x"]},{"a":["y"]}]}', 'prefix is Ruler reserved fieldName which cannot be used inside $or. at $or[0].prefix'],
    ['not JSON', '{"source": [', 'Filter is not valid JSON'],
  ])('%s', (_what, text, reason) => {
    let thrown: unknown;
    try {
      compilePatternText(text);
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(EventPatternError);
    expect((thrown as Error).message).toContain(reason);
  });

  it('a dialect can leave operators out (SNS has no wildcard)', () => {
    expect(() => compilePattern({ a: [{ wildcard: 'x*' }] }, { unsupported: ['wildcard'] })).toThrow('Unrecognized match type wildcard');
  });
});
