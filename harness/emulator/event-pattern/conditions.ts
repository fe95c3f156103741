/**
 * The leaf conditions of an event pattern — what one element of a pattern
 * array says about one value of the event: an exact value, `prefix`,
 * `suffix`, `equals-ignore-case`, `wildcard`, `numeric`, `cidr`, `exists`
 * and the `anything-but` family. Each is tested against one JSON leaf value;
 * a field holding an array offers each of its elements in turn.
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
 */
import ipaddr from 'ipaddr.js';

/** A JSON leaf: what an event field holds once arrays are looked through. */
export type Leaf = string | number | boolean | null;

export interface NumericRange {
  lower?: { value: number; inclusive: boolean };
  upper?: { value: number; inclusive: boolean };
}

/** The string tests `anything-but` may negate. */
export type StringTest =
  | { kind: 'prefix'; value: string; ignoreCase: boolean }
  | { kind: 'suffix'; value: string; ignoreCase: boolean }
  | { kind: 'equals-ignore-case'; value: string }
  | { kind: 'wildcard'; regex: RegExp };

export type Condition =
  | { kind: 'exact'; value: Leaf }
  | StringTest
  | { kind: 'numeric'; range: NumericRange }
  | { kind: 'cidr'; range: [ipaddr.IPv4 | ipaddr.IPv6, number] }
  | { kind: 'exists'; exists: boolean }
  /** Anything but these strings, or (numbers: true) anything but these numbers. */
  | { kind: 'anything-but'; values: ReadonlyArray<string | number>; numbers: boolean }
  /** Anything but a string that passes one of these tests. */
  | { kind: 'anything-but-test'; tests: StringTest[] };

function stringTest(t: StringTest, v: string): boolean {
  switch (t.kind) {
    case 'prefix':
      return t.ignoreCase ? v.toLowerCase().startsWith(t.value.toLowerCase()) : v.startsWith(t.value);
    case 'suffix':
      return t.ignoreCase ? v.toLowerCase().endsWith(t.value.toLowerCase()) : v.endsWith(t.value);
    case 'equals-ignore-case':
      return v.toLowerCase() === t.value.toLowerCase();
    case 'wildcard':
      return t.regex.test(v);
  }
}

function inRange(r: NumericRange, n: number): boolean {
  if (r.lower && (r.lower.inclusive ? n < r.lower.value : n <= r.lower.value)) return false;
  if (r.upper && (r.upper.inclusive ? n > r.upper.value : n >= r.upper.value)) return false;
  return true;
}

/** An IP address as event fields carry it: dotted-quad IPv4 or any IPv6 form. */
function ipOf(v: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  if (ipaddr.IPv4.isValidFourPartDecimal(v)) return ipaddr.IPv4.parse(v);
  if (ipaddr.IPv6.isValid(v)) return ipaddr.IPv6.parse(v);
  return undefined;
}

function inCidr(range: [ipaddr.IPv4 | ipaddr.IPv6, number], v: string): boolean {
  let ip = ipOf(v);
  if (!ip) return false;
  const [net] = range;
  if (ip.kind() !== net.kind()) {
    // ::ffff:10.0.0.1 is the IPv4 address 10.0.0.1.
    if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address();
    else return false;
  }
  return ip.kind() === net.kind() && ip.match(range);
}

/**
 * Whether a present leaf value satisfies a condition. Numbers compare as
 * numbers (`300` matches `3.0e2`) and only match numbers; string operators
 * only match strings; `exists` is decided by the caller, from presence.
 */
export function testLeaf(c: Condition, v: Leaf): boolean {
  switch (c.kind) {
    case 'exact':
      return v === c.value;
    case 'prefix':
    case 'suffix':
    case 'equals-ignore-case':
    case 'wildcard':
      return typeof v === 'string' && stringTest(c, v);
    case 'numeric':
      return typeof v === 'number' && inRange(c.range, v);
    case 'cidr':
      return typeof v === 'string' && inCidr(c.range, v);
    case 'exists':
      return c.exists;
    case 'anything-but':
      // A numeric list only ever judges numbers; a string list judges every value
      // (a number or a boolean is not one of the banned strings).
      if (c.numbers) return typeof v === 'number' && !c.values.includes(v);
      return typeof v !== 'string' || !c.values.includes(v);
    case 'anything-but-test':
      return typeof v !== 'string' || !c.tests.some((t) => stringTest(t, v));
  }
}
