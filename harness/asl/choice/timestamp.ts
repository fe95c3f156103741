/**
 * Timestamps as Choice rules and Wait states read them: RFC 3339 with an
 * uppercase `T` between date and time and `Z` or a numeric offset
 * (https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html —
 * "Timestamps must conform to RFC3339 profile of ISO 8601 …").
 * Parsed to epoch nanoseconds (bigint) so fractional seconds compare exactly.
 */
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.(\d{1,9}))?(Z|([+-])(\d{2}):(\d{2}))$/;

/** Parses a timestamp to an exact comparable number (epoch seconds * 1e9 + nanos); undefined when invalid. */
export function parseTimestamp(text: unknown): bigint | undefined {
  if (typeof text !== 'string') return undefined;
  const m = TIMESTAMP.exec(text);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6]].map(Number) as [number, number, number, number, number, number];
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  if (day > daysInMonth) return undefined;
  let offsetMinutes = 0;
  if (m[9] !== 'Z') {
    const oh = Number(m[11]);
    const om = Number(m[12]);
    if (oh > 23 || om > 59) return undefined;
    offsetMinutes = (m[10] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  const seconds = Date.UTC(year, month - 1, day, hour, minute, second) / 1000 - offsetMinutes * 60;
  const nanos = BigInt((m[8] ?? '').padEnd(9, '0') || '0');
  return BigInt(seconds) * 1_000_000_000n + nanos;
}

export function isTimestamp(v: unknown): boolean {
  return parseTimestamp(v) !== undefined;
}
