/**
 * The DynamoDB store: dynalite's database (memory-level, or LevelDB under
 * `<dataDir>/dynamodb` so a restart loses nothing) holding table records,
 * items and secondary indexes, plus what this service keeps beside it: one
 * write lock per table (a transaction checks and applies with no other write
 * in between) and the idempotency tokens of TransactWriteItems.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  closeStore,
  createDynaliteStore,
  delRaw,
  getRaw,
  getTable,
  putRaw,
  updateIndexes,
  type DynaliteStore,
  type Item,
  type TableRecord,
} from './dynalite.ts';

/** Prefixes dynalite gives each key space in the one database (db/index.js `getSubDb`). */
const TABLE_PREFIX = 'table~';
const itemPrefix = (table: string) => `item-${table}~`;
const indexPrefix = (kind: 'local' | 'global', table: string, index: string) => `index-${kind}~${table}~${index}~`;
/** Above every character a key of ours can hold (hex digits, table names, `~`, `/`). */
const END = '\xff';

/** FIFO mutex per name; `acquire` takes several in sorted order so two transactions never deadlock. */
class KeyedMutex {
  private readonly tails = new Map<string, Promise<void>>();

  /**
   * The lock of one name nobody holds, taken at once (null when it is held):
   * most writes touch one table with no other write in flight, and this
   * spares them the promise turns of the queue (bench/dynamodb.ts).
   */
  tryAcquireOne(name: string): (() => void) | null {
    if (this.tails.has(name)) return null;
    let release!: () => void;
    const tail = new Promise<void>((resolve) => (release = resolve));
    this.tails.set(name, tail);
    return () => {
      release();
      if (this.tails.get(name) === tail) this.tails.delete(name);
    };
  }

  async acquire(names: Iterable<string>): Promise<() => void> {
    const sorted = [...new Set(names)].sort();
    const releases: Array<() => void> = [];
    for (const name of sorted) releases.push(await this.lockOne(name));
    return () => {
      for (const r of releases.reverse()) r();
    };
  }

  private async lockOne(name: string): Promise<() => void> {
    const previous = this.tails.get(name) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => mine);
    this.tails.set(name, tail);
    await previous;
    return () => {
      release();
      if (this.tails.get(name) === tail) this.tails.delete(name);
    };
  }
}

/** A completed TransactWriteItems, remembered by its ClientRequestToken. */
export interface IdempotentWrite {
  /** Canonical JSON of the request, to tell a retry from a different request with the same token. */
  request: string;
  /** Clock ms when the token stops counting (AWS: 10 minutes). */
  expiresAt: number;
}

export interface DynamoDbContents {
  entries: Array<[string, unknown]>;
  idempotency: Array<[string, IdempotentWrite]>;
}

export class DynamoDbStore {
  private dynalite: DynaliteStore;
  private readonly locks = new KeyedMutex();
  readonly idempotency = new Map<string, IdempotentWrite>();

  /**
   * Table records by name, as stored: every item request reads its table's
   * record (PutItem twice: ours, then dynalite's action), a database read
   * each that cost more than the item's own (bench/dynamodb.ts). A record is
   * remembered by whichever read finds it first (a restored snapshot or a
   * restart on --data-dir fills the database underneath, not this map).
   * Every write of a record goes through this class (putTable, dropTable,
   * clear, replaceAll), which keeps the map true; a record is never changed
   * in place (operations.ts changes a copy, then puts it).
   */
  private readonly records = new Map<string, TableRecord>();
  /** Moves before and after every write of records: a read that overlaps one may hold the old record, and is not remembered. */
  private recordWrites = 0;

  constructor(private readonly dataDir: string | undefined) {
    this.dynalite = createDynaliteStore(this.path());
    const storedTable = this.dynalite.getTable.bind(this.dynalite);
    // dynalite's actions ask for their table through the store: answer them from the map too.
    this.dynalite.getTable = (name, checkStatus, cb) => {
      // As dynalite's: `getTable(name, cb)` checks the status (its `checkStatus` is then the callback, truthy).
      const done = typeof checkStatus === 'function' ? (checkStatus as typeof cb) : cb;
      const check = Boolean(checkStatus);
      const known = this.records.get(name);
      if (known && !(check && (known.TableStatus === 'CREATING' || known.TableStatus === 'DELETING'))) return done(null, known);
      const writes = this.recordWrites;
      storedTable(name, check, (err, table) => {
        if (!err && table) this.remember(table, writes);
        done(err, table);
      });
    };
  }

  private remember(table: TableRecord, writesWhenRead: number): void {
    if (this.recordWrites === writesWhenRead) this.records.set(table.TableName, table);
  }

  private path(): string | undefined {
    if (this.dataDir === undefined) return undefined;
    const dir = join(this.dataDir, 'dynamodb');
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  /** dynalite's store, for its validations and actions. */
  get engine(): DynaliteStore {
    return this.dynalite;
  }

  /** Runs `fn` holding the write locks of `tables`. */
  async withTables<T>(tables: readonly string[], fn: () => Promise<T>): Promise<T> {
    const release = (tables.length === 1 ? this.locks.tryAcquireOne(tables[0]!) : null) ?? (await this.locks.acquire(tables));
    try {
      return await fn();
    } finally {
      release();
    }
  }

  /** The table record (any status), or undefined. */
  async findTable(name: string): Promise<TableRecord | undefined> {
    const known = this.records.get(name);
    if (known) return known;
    const writes = this.recordWrites;
    const t = (await getRaw(this.dynalite.tableDb, name)) as TableRecord | undefined;
    if (!(t && typeof t === 'object' && typeof t.TableStatus === 'string')) return undefined;
    this.remember(t, writes);
    return t;
  }

  /** The table for a data-plane call; dynalite's ResourceNotFoundException when it does not exist. */
  activeTable(name: string): Promise<TableRecord> {
    return getTable(this.dynalite, name, true);
  }

  async putTable(table: TableRecord): Promise<void> {
    this.recordWrites++;
    this.records.delete(table.TableName);
    await putRaw(this.dynalite.tableDb, table.TableName, table);
    this.recordWrites++;
    this.records.set(table.TableName, table);
  }

  async tableNames(after?: string): Promise<string[]> {
    const names: string[] = [];
    for await (const key of this.dynalite.db.keys({ ...(after === undefined ? { gte: TABLE_PREFIX } : { gt: TABLE_PREFIX + after }), lt: TABLE_PREFIX + END })) {
      names.push(key.slice(TABLE_PREFIX.length));
    }
    return names;
  }

  async tables(): Promise<TableRecord[]> {
    const out: TableRecord[] = [];
    for (const name of await this.tableNames()) {
      const t = await this.findTable(name);
      if (t) out.push(t);
    }
    return out;
  }

  /** Every stored item of a table with its storage key, in key order. */
  async *items(table: string): AsyncGenerator<[string, Item]> {
    const prefix = itemPrefix(table);
    for await (const [key, value] of this.dynalite.db.iterator({ gte: prefix, lt: prefix + END })) {
      yield [key.slice(prefix.length), value as Item];
    }
  }

  /** How many entries a key space holds, and (items only) their size as DynamoDB counts it. */
  async count(prefix: string): Promise<number> {
    let n = 0;
    for await (const _ of this.dynalite.db.keys({ gte: prefix, lt: prefix + END })) n++;
    return n;
  }

  itemPrefix(table: string): string {
    return itemPrefix(table);
  }

  indexPrefix(kind: 'local' | 'global', table: string, index: string): string {
    return indexPrefix(kind, table, index);
  }

  getItem(table: string, key: string): Promise<Item | undefined> {
    return getRaw(this.dynalite.getItemDb(table), key) as Promise<Item | undefined>;
  }

  /** Writes or removes one item with its index entries, with no condition (transaction rollback, TTL, given items). */
  async setItem(table: TableRecord, key: string, item: Item | undefined): Promise<void> {
    const db = this.dynalite.getItemDb(table.TableName);
    const existing = (await getRaw(db, key)) as Item | undefined;
    await updateIndexes(this.dynalite, table, existing, item);
    if (item) await putRaw(db, key, item);
    else if (existing) await delRaw(db, key);
  }

  /** Fills one index from the table's items (a GSI added by UpdateTable). */
  async backfillIndex(table: TableRecord, index: NonNullable<TableRecord['GlobalSecondaryIndexes']>[number]): Promise<void> {
    const only: TableRecord = { ...table, LocalSecondaryIndexes: [], GlobalSecondaryIndexes: [index] };
    for await (const [, item] of this.items(table.TableName)) await updateIndexes(this.dynalite, only, undefined, item);
  }

  /** Removes a table's items, index entries and record. */
  async dropTable(table: TableRecord): Promise<void> {
    const db = this.dynalite.db;
    await db.clear({ gte: itemPrefix(table.TableName), lt: itemPrefix(table.TableName) + END });
    for (const [kind, list] of [['local', table.LocalSecondaryIndexes], ['global', table.GlobalSecondaryIndexes]] as const) {
      for (const index of list ?? []) await this.dropIndex(kind, table.TableName, index.IndexName);
    }
    this.recordWrites++;
    this.records.delete(table.TableName);
    await delRaw(this.dynalite.tableDb, table.TableName);
    this.recordWrites++;
  }

  dropIndex(kind: 'local' | 'global', table: string, index: string): Promise<void> {
    const prefix = indexPrefix(kind, table, index);
    return this.dynalite.db.clear({ gte: prefix, lt: prefix + END });
  }

  /** Forgets every table and item (control API reset). */
  async clear(): Promise<void> {
    this.idempotency.clear();
    this.recordWrites++;
    this.records.clear();
    await this.dynalite.db.clear();
    this.recordWrites++;
  }

  /** Every entry of the database (tables, items, index entries) and the idempotency tokens, copied (snapshots). */
  async copy(): Promise<DynamoDbContents> {
    const entries: Array<[string, unknown]> = [];
    for await (const [key, value] of this.dynalite.db.iterator()) entries.push([key, structuredClone(value)]);
    return { entries, idempotency: structuredClone([...this.idempotency]) };
  }

  /** Replaces the whole database and the idempotency tokens with a copy of `from` (from copy()). */
  async replaceAll(from: DynamoDbContents): Promise<void> {
    await this.clear();
    await this.dynalite.db.batch(from.entries.map(([key, value]) => ({ type: 'put' as const, key, value: structuredClone(value) })));
    for (const [token, write] of from.idempotency) this.idempotency.set(token, { ...write });
  }

  close(): Promise<void> {
    return closeStore(this.dynalite);
  }
}
