/**
 * DynamoDB in scenarios, over the AWS SDK only (DESIGN.md principle 1):
 * `given.items` put before the run, the evidence `then.items` and
 * `then.tables` are checked against, and the table contents the HTML report
 * shows. Items are plain JSON marshalled as the Document client marshals them
 * (numbers, strings, booleans, null, lists, maps); read back the same way,
 * with sets as sorted arrays and binary as base64 text, so a file can say
 * what it expects.
 */
import { DescribeTableCommand, ListTablesCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, GetCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { CheckResult } from './results.ts';
import type { ThenSpec } from './schema.ts';
import { checkCount } from './matchers.ts';
import { brief, matchValue } from './value-match.ts';

/** An item as a scenario file writes it. */
export type PlainItem = Record<string, unknown>;

/** A table's contents at the end of a scenario (the HTML report's "items written"). */
export interface TableContents {
  table: string;
  count: number;
  /** The first items in key order (at most ITEMS_SHOWN), as plain JSON. */
  items: PlainItem[];
}

export interface ItemEvidence {
  /** What is stored under the expected item's key; undefined when nothing is. */
  item?: PlainItem;
  /** Why the item could not be looked up (no such table, the expectation lacks a key attribute). */
  problem?: string;
}

export interface TableEvidence {
  /** `then.items.<table>[i]` → what was found. */
  items: Map<string, ItemEvidence>;
  /** Table → item count, or why it is unknown. */
  counts: Map<string, number | string>;
}

const ITEMS_SHOWN = 20;
/** An expected item with this key is asserted absent: `{ pk: "x", $absent: true }`. */
const ABSENT = '$absent';

/** Sets as sorted arrays, bytes as base64: JSON a scenario can write. */
function plain(value: unknown): unknown {
  if (value instanceof Set) return [...value].map(plain).sort((a, b) => (String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0));
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map(plain);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}

/**
 * `: tables on the endpoint: a, b` for a message about a table that does not
 * exist — a name built from `${AWS::StackName}` is easy to get wrong, and the
 * list shows what the deploy made of it.
 */
async function knownTables(ddb: DynamoDBClient): Promise<string> {
  try {
    const names: string[] = [];
    let start: string | undefined;
    do {
      const page = await ddb.send(new ListTablesCommand({ ExclusiveStartTableName: start }));
      names.push(...(page.TableNames ?? []));
      start = page.LastEvaluatedTableName;
    } while (start);
    return names.length === 0 ? ' (the endpoint has no table)' : ` (tables on the endpoint: ${names.join(', ')})`;
  } catch {
    return '';
  }
}

const isNotFound = (e: unknown) => (e as { name?: string }).name === 'ResourceNotFoundException';

/** given.items: every item put, 25 per BatchWriteItem, UnprocessedItems retried. */
export async function putGivenItems(ddb: DynamoDBClient, doc: DynamoDBDocumentClient, items: Record<string, PlainItem[]>): Promise<void> {
  for (const [table, list] of Object.entries(items)) {
    try {
      await putTableItems(doc, table, list);
    } catch (e) {
      if (!isNotFound(e)) throw e;
      throw new Error(`items.${table}: no table named ${table}${await knownTables(ddb)}`, { cause: e });
    }
  }
}

async function putTableItems(doc: DynamoDBDocumentClient, table: string, list: PlainItem[]): Promise<void> {
  for (let i = 0; i < list.length; i += 25) {
    let request: Record<string, Array<Record<string, unknown>>> | undefined = { [table]: list.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } })) };
    for (let attempt = 0; request && Object.keys(request).length > 0; attempt++) {
      if (attempt === 10) throw new Error(`given.items.${table}: items still unprocessed after 10 BatchWriteItem calls`);
      const out = await doc.send(new BatchWriteCommand({ RequestItems: request as never }));
      request = out.UnprocessedItems as typeof request;
    }
  }
}

/** The key attribute names of each table `then` names (DescribeTable). */
async function keysOf(ddb: DynamoDBClient, table: string): Promise<string[] | string> {
  try {
    const { Table } = await ddb.send(new DescribeTableCommand({ TableName: table }));
    return (Table?.KeySchema ?? []).map((k) => k.AttributeName!);
  } catch (e) {
    return `table ${table}: ${(e as Error).name}: ${(e as Error).message}${isNotFound(e) ? await knownTables(ddb) : ''}`;
  }
}

async function countItems(doc: DynamoDBDocumentClient, table: string): Promise<number> {
  let count = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(new ScanCommand({ TableName: table, Select: 'COUNT', ...(start ? { ExclusiveStartKey: start } : {}) }));
    count += page.Count ?? 0;
    start = page.LastEvaluatedKey;
  } while (start);
  return count;
}

export async function collectTableEvidence(ddb: DynamoDBClient, doc: DynamoDBDocumentClient, then: ThenSpec): Promise<TableEvidence> {
  const items = new Map<string, ItemEvidence>();
  const counts = new Map<string, number | string>();
  for (const [table, expected] of Object.entries(then.items ?? {})) {
    const keys = await keysOf(ddb, table);
    for (const [i, want] of expected.entries()) {
      const id = `then.items.${table}[${i}]`;
      if (typeof keys === 'string') {
        items.set(id, { problem: keys });
        continue;
      }
      const missing = keys.filter((k) => want[k] === undefined);
      if (missing.length > 0) {
        items.set(id, { problem: `the expected item names no ${missing.join(' and ')}: give the key of table ${table} (${keys.join(', ')})` });
        continue;
      }
      const key = Object.fromEntries(keys.map((k) => [k, want[k]]));
      try {
        const out = await doc.send(new GetCommand({ TableName: table, Key: key, ConsistentRead: true }));
        items.set(id, out.Item ? { item: plain(out.Item) as PlainItem } : {});
      } catch (e) {
        items.set(id, { problem: `GetItem ${brief(key)} on ${table}: ${(e as Error).name}: ${(e as Error).message}` });
      }
    }
  }
  for (const table of Object.keys(then.tables ?? {})) {
    try {
      counts.set(table, await countItems(doc, table));
    } catch (e) {
      counts.set(table, `table ${table}: ${(e as Error).name}: ${(e as Error).message}${isNotFound(e) ? await knownTables(ddb) : ''}`);
    }
  }
  return { items, counts };
}

/** `null` in an expected item means "no value": the attribute is absent (or DynamoDB NULL). */
function noValueForNull(expected: unknown): unknown {
  if (expected === null) return { $any: [null, { $exists: false }] };
  if (Array.isArray(expected)) return expected.map(noValueForNull);
  if (expected && typeof expected === 'object' && !Object.keys(expected).some((k) => k.startsWith('$'))) {
    return Object.fromEntries(Object.entries(expected).map(([k, v]) => [k, noValueForNull(v)]));
  }
  return expected;
}

export function checkTables(then: ThenSpec, ev: TableEvidence): CheckResult[] {
  const out: CheckResult[] = [];
  for (const [table, expected] of Object.entries(then.items ?? {})) {
    for (const [i, want] of expected.entries()) {
      const id = `then.items.${table}[${i}]`;
      const found = ev.items.get(id) ?? {};
      const { [ABSENT]: absent, ...attributes } = want;
      if (found.problem) {
        out.push({ id, status: 'failed', message: found.problem, expected: want, actual: undefined });
        continue;
      }
      if (absent === true) {
        out.push(
          found.item
            ? { id, status: 'failed', message: `expected no item ${brief(attributes)} in ${table}, found one`, expected: 'absent', actual: found.item }
            : { id, status: 'passed', message: `no item ${brief(attributes)} in ${table}` },
        );
        continue;
      }
      if (!found.item) {
        out.push({ id, status: 'failed', message: `expected an item ${brief(attributes)} in ${table}, none has that key`, expected: want, actual: undefined });
        continue;
      }
      const mismatches = matchValue(noValueForNull(attributes), found.item);
      out.push(
        mismatches.length === 0
          ? { id, status: 'passed', message: `item ${brief(attributes, 100)} in ${table} matches` }
          : { id, status: 'failed', message: `item in ${table}: ${mismatches.map((m) => `${m.path}: ${m.message}`).join('; ')}`, expected: want, actual: found.item },
      );
    }
  }
  for (const [table, spec] of Object.entries(then.tables ?? {})) {
    const id = `then.tables.${table}.count`;
    const n = ev.counts.get(table);
    if (typeof n !== 'number') {
      out.push({ id, status: 'failed', message: n ?? `table ${table} was not counted`, expected: spec.count, actual: undefined });
      continue;
    }
    const r = checkCount(spec.count, n);
    out.push(r.ok ? { id, status: 'passed', message: `${n} item(s) in ${table}` } : { id, status: 'failed', message: `expected ${r.expected} item(s) in ${table}, got ${n}`, expected: spec.count, actual: n });
  }
  return out;
}

/** Every table with items at the end of the scenario, for the report (its first items, and how many). */
export async function tableContents(ddb: DynamoDBClient, doc: DynamoDBDocumentClient): Promise<TableContents[]> {
  const names: string[] = [];
  let start: string | undefined;
  do {
    const page = await ddb.send(new ListTablesCommand({ ...(start ? { ExclusiveStartTableName: start } : {}) }));
    names.push(...(page.TableNames ?? []));
    start = page.LastEvaluatedTableName;
  } while (start);
  const out: TableContents[] = [];
  for (const table of names) {
    const page = await doc.send(new ScanCommand({ TableName: table, Limit: ITEMS_SHOWN }));
    if (!page.Items?.length) continue;
    const count = page.LastEvaluatedKey ? await countItems(doc, table) : page.Items.length;
    out.push({ table, count, items: page.Items.map((i) => plain(i) as PlainItem) });
  }
  return out;
}
