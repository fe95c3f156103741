/**
 * The typed boundary to dynalite (https://github.com/architect/dynalite), the
 * library that implements DynamoDB's hard part here: the expression grammar
 * (condition, update, projection, key-condition and filter expressions), the
 * type rules and DynamoDB's own validation messages, the item store with its
 * secondary indexes, Query and Scan. We mount it in-process: its request
 * validations and actions are called directly with its store (a memory-level
 * or LevelDB database), never through its HTTP server, so errors become
 * AwsServiceErrors and the shared protocol layer serialises them.
 */
import { createRequire } from 'node:module';
import { fastAttributeValueCheck, type ValidateAttributeValue } from './attribute-value-check.ts';
import { satisfiesConstraints } from './constraints.ts';
import { fastCheckTypes, type CheckTypes } from './member-types.ts';

const require = createRequire(import.meta.url);

/** A DynamoDB AttributeValue in DynamoDB JSON (`{"S": "x"}`, `{"N": "1"}`…). */
export interface AttributeValue {
  S?: string;
  N?: string;
  B?: string;
  SS?: string[];
  NS?: string[];
  BS?: string[];
  M?: Record<string, AttributeValue>;
  L?: AttributeValue[];
  NULL?: boolean;
  BOOL?: boolean;
}
export type Item = Record<string, AttributeValue>;

/** What dynalite calls back with: `statusCode` + `body` for an AWS error, anything else is its bug. */
export interface DynaliteError extends Error {
  statusCode?: number;
  body?: { __type: string; message?: string; Message?: string };
}

type Callback<T> = (err: DynaliteError | null | undefined, result?: T) => void;

/** One prefixed key space of the store (`table~`, `item-<table>~`, `index-global~<table>~<index>~`). */
export interface SubDb {
  get(key: string, cb: Callback<unknown>): void;
  put(key: string, value: unknown, cb: Callback<void>): void;
  del(key: string, cb: Callback<void>): void;
}

/** The abstract-level database under the store (memory-level, or classic-level on disk). */
export interface LevelDb {
  get(key: string): Promise<unknown>;
  put(key: string, value: unknown): Promise<void>;
  del(key: string): Promise<void>;
  batch(ops: Array<{ type: 'put'; key: string; value: unknown } | { type: 'del'; key: string }>): Promise<void>;
  clear(range?: { gte?: string; lt?: string }): Promise<void>;
  keys(range?: { gte?: string; gt?: string; lt?: string }): AsyncIterable<string>;
  iterator(range?: { gte?: string; lt?: string }): AsyncIterable<[string, unknown]>;
}

export interface DynaliteStore {
  options: { maxItemSize: number };
  db: LevelDb;
  tableDb: SubDb;
  getItemDb(table: string): SubDb;
  getIndexDb(kind: 'local' | 'global', table: string, index: string): SubDb;
  getTable(name: string, checkStatus: boolean, cb: Callback<TableRecord>): void;
  lifecycleManager: { gracefulClose(cb: (err?: Error | null) => void): void };
}

export interface KeySchemaElement {
  AttributeName: string;
  KeyType: 'HASH' | 'RANGE';
}
export interface AttributeDefinition {
  AttributeName: string;
  AttributeType: 'S' | 'N' | 'B';
}
export interface Projection {
  ProjectionType?: 'ALL' | 'KEYS_ONLY' | 'INCLUDE';
  NonKeyAttributes?: string[];
}
export interface SecondaryIndex {
  IndexName: string;
  KeySchema: KeySchemaElement[];
  Projection: Projection;
  IndexArn?: string;
  IndexStatus?: string;
  IndexSizeBytes?: number;
  ItemCount?: number;
  ProvisionedThroughput?: Record<string, number>;
}

/** The table description dynalite stores under `table~<name>` (plus the members we keep beside it). */
export interface TableRecord {
  TableName: string;
  TableArn: string;
  TableId: string;
  TableStatus: string;
  KeySchema: KeySchemaElement[];
  AttributeDefinitions: AttributeDefinition[];
  CreationDateTime: number;
  ItemCount: number;
  TableSizeBytes: number;
  ProvisionedThroughput: Record<string, number>;
  BillingModeSummary?: { BillingMode: string; LastUpdateToPayPerRequestDateTime?: number };
  TableThroughputModeSummary?: Record<string, unknown>;
  LocalSecondaryIndexes?: SecondaryIndex[];
  GlobalSecondaryIndexes?: SecondaryIndex[];
  StreamSpecification?: { StreamEnabled: boolean; StreamViewType?: string };
  LatestStreamArn?: string;
  LatestStreamLabel?: string;
  SSEDescription?: Record<string, unknown>;
  TableClassSummary?: { TableClass: string };
  DeletionProtectionEnabled?: boolean;
  /** Ours: the TimeToLiveSpecification (dynalite has no TTL). */
  Ttl?: { AttributeName: string; Enabled: boolean };
  /** Ours: tags, kept with the table so DeleteTable removes them and a restart keeps them. */
  Tags?: Array<{ Key: string; Value: string }>;
}

/** A request validation: member types (dynalite's shape language) plus a custom check returning a message. */
export interface ActionValidation {
  types: Record<string, unknown>;
  custom?: (data: Record<string, unknown>, store: DynaliteStore) => string | undefined;
}

interface ValidationsModule {
  checkTypes: CheckTypes;
  checkValidations(data: Record<string, unknown>, types: Record<string, unknown>, custom: ActionValidation['custom'], store: DynaliteStore): void;
  validateAttributeValue: ValidateAttributeValue;
  findDuplicate(values: unknown[]): unknown;
}

type QueryTable = (
  store: DynaliteStore,
  table: TableRecord,
  data: Record<string, unknown>,
  opts: RangeOptions,
  isLocal: boolean,
  fetchFromItemDb: boolean,
  startKeyNames: string[],
  cb: Callback<Record<string, unknown>>,
) => void;

/** A key range relative to one key space, as dynalite's actions build it. */
interface RangeOptions {
  gte?: string;
  gt?: string;
  lte?: string;
  lt?: string;
  reverse?: boolean;
  /** Items to read at most; -1: no limit. */
  limit?: number;
}

interface DbModule {
  create(options: { path?: string; maxItemSizeKb?: number; createTableMs?: number; deleteTableMs?: number; updateTableMs?: number }): DynaliteStore;
  queryTable: QueryTable;
  matchesExprFilter(item: Item, expression: unknown): boolean;
  matchesFilter(item: Item, filter: unknown, conditionalOperator: unknown): boolean;
  mapPaths(paths: unknown, item: Item): Item;
  validateKey(key: Item, table: TableRecord): DynaliteError | undefined;
  validateKeyPaths(nestedPaths: unknown, table: TableRecord): DynaliteError | undefined;
  addConsumedCapacity(data: Record<string, unknown>, isRead: boolean, newItem: Item | undefined, oldItem?: Item): Record<string, unknown> | undefined;
  validateItem(item: Item, table: TableRecord): DynaliteError | undefined;
  createKey(item: Item, table: TableRecord, keySchema?: KeySchemaElement[]): string;
  checkConditional(data: Record<string, unknown>, existing: Item | undefined): DynaliteError | undefined;
  itemSize(item: Item, compress?: boolean, addMetaSize?: boolean, rangeKey?: string): number;
  updateIndexes(store: DynaliteStore, table: TableRecord, existing: Item | null | undefined, item: Item | null | undefined, cb: Callback<void>): void;
  validationError(message: string): DynaliteError;
}

/**
 * In memory, dynalite keeps values as JSON: every write encodes an item and
 * every read decodes it again — most of a Query's cost (bench/dynamodb.ts).
 * dynalite builds its MemoryLevel itself, so the class it takes from
 * memory-level (read once, when dynalite/db loads below) is swapped for one
 * storing the objects as they are (an identity value encoding). Safe because
 * nothing changes a stored value in place: dynalite clones an item before
 * updating it, and this service copies a table record before changing it.
 * The LevelDB store under --data-dir is untouched (it must encode to disk).
 */
const IDENTITY_ENCODING = { name: 'rehearse-object', format: 'utf8', encode: (v: unknown) => v, decode: (v: unknown) => v };
const memoryLevel = require('memory-level') as { MemoryLevel: new (options?: Record<string, unknown>) => object };
const BaseMemoryLevel = memoryLevel.MemoryLevel;
memoryLevel.MemoryLevel = class ObjectMemoryLevel extends BaseMemoryLevel {
  constructor(options: Record<string, unknown> = {}) {
    super({ ...options, storeEncoding: 'utf8', valueEncoding: IDENTITY_ENCODING });
  }
};

const validations = require('dynalite/validations/index.js') as ValidationsModule;
// Each action's validation calls it through the module's exports (attribute-value-check.ts).
validations.validateAttributeValue = fastAttributeValueCheck(validations.validateAttributeValue, validations.findDuplicate);
const checkTypes = fastCheckTypes(validations.checkTypes);
const dynaliteDb = require('dynalite/db/index.js') as DbModule;

/** The data-plane actions dynalite implements and we run as they are. */
export type ItemAction = 'getItem' | 'putItem' | 'updateItem' | 'deleteItem' | 'query' | 'scan' | 'batchWriteItem';
/** Every request shape dynalite can validate (the control plane's too: we reuse its messages). */
export type ValidatedOperation = ItemAction | 'batchGetItem' | 'createTable' | 'deleteTable' | 'describeTable' | 'listTables' | 'updateTable' | 'describeTimeToLive' | 'tagResource' | 'untagResource' | 'listTagsOfResource';

type Action = (store: DynaliteStore, data: Record<string, unknown>, cb: Callback<Record<string, unknown>>) => void;
const actions = new Map<ItemAction, Action>();
const validationSpecs = new Map<string, ActionValidation>();

export function validationOf(operation: ValidatedOperation): ActionValidation {
  let spec = validationSpecs.get(operation);
  if (!spec) {
    spec = require(`dynalite/validations/${operation}.js`) as ActionValidation;
    validationSpecs.set(operation, spec);
  }
  return spec;
}

/**
 * Checks `input` against `spec` as DynamoDB does: member types first
 * (SerializationException), then constraints and the operation's own rules
 * (ValidationException with DynamoDB's wording). Returns the typed copy with
 * parsed expressions attached (`_condition`, `_updates`, `_projection`…);
 * throws a DynaliteError.
 */
export function validate(spec: ActionValidation, input: Record<string, unknown>, store: DynaliteStore): Record<string, unknown> {
  const data = checkTypes(input, spec.types);
  if (!satisfiesConstraints(data, spec.types)) validations.checkValidations(data, spec.types, spec.custom, store);
  else if (spec.custom) {
    // What dynalite's checkValidations does once the constraints pass.
    const msg = spec.custom(data, store);
    if (msg) throw dynaliteDb.validationError(msg);
  }
  return data;
}

export function runAction(action: ItemAction, store: DynaliteStore, data: Record<string, unknown>): Promise<Record<string, unknown>> {
  let fn = actions.get(action);
  if (!fn) {
    fn = require(`dynalite/actions/${action}.js`) as Action;
    actions.set(action, fn);
  }
  const run = fn;
  return new Promise((resolve, reject) => {
    run(store, data, (err, result) => (err ? reject(err) : resolve(result ?? {})));
  });
}

/** DynamoDB stops reading a Query or Scan page at 1 MB (API_Query, "Limit"). */
const PAGE_BYTES = 1024 * 1024;
/** Items read from the database per batch. */
const BATCH = 128;

/**
 * An item's size as a page counts it (dynalite's `itemSize(item, true, true,
 * rangeKey)`), remembered per stored object: in memory the store hands back
 * the same object until the item is written again (a write stores a new one).
 */
const pageSizes = new WeakMap<Item, { rangeKey: string | undefined; size: number }>();
function pageSize(item: Item, rangeKey: string | undefined): number {
  const known = pageSizes.get(item);
  if (known && known.rangeKey === rangeKey) return known.size;
  const size = dynaliteDb.itemSize(item, true, true, rangeKey);
  pageSizes.set(item, { rangeKey, size });
  return size;
}

/**
 * dynalite's `queryTable` (the read loop of Query and Scan, after all their
 * validation) with the same results, reading the database in batches
 * instead of through a Node stream and a lazy pipeline per item — which cost
 * about 1 ms per 100 items here (bench/dynamodb.ts). Query and Scan call it
 * through the module's exports, so replacing the export is enough.
 */
const queryTable: QueryTable = (store, table, data, opts, isLocal, fetchFromItemDb, startKeyNames, cb) => {
  const name = data.TableName as string;
  const prefix = data.IndexName ? `index-${isLocal ? 'local' : 'global'}~${name}~${data.IndexName as string}~` : `item-${name}~`;
  const range: Record<string, unknown> = { reverse: opts.reverse === true };
  if (opts.gte !== undefined) range.gte = prefix + opts.gte;
  else if (opts.gt !== undefined) range.gt = prefix + opts.gt;
  else range.gte = prefix;
  if (opts.lte !== undefined) range.lte = prefix + opts.lte;
  else if (opts.lt !== undefined) range.lt = prefix + opts.lt;
  else range.lt = `${prefix}\xFF`;
  if (opts.limit !== undefined && opts.limit >= 0) range.limit = opts.limit;
  const limit = data.Limit as number | undefined;
  const capacity = data.ReturnConsumedCapacity === 'TOTAL' || data.ReturnConsumedCapacity === 'INDEXES';
  const rangeKey = table.KeySchema[1]?.AttributeName;
  const itemDb = store.getItemDb(name);
  (async () => {
    const iterator = (store.db as unknown as { values(r: unknown): { nextv(n: number): Promise<unknown[]>; close(): Promise<void> } }).values(range);
    let items: Item[] = [];
    let count = 0;
    let size = 0;
    let tableCapacity = 0;
    let indexCapacity = 0;
    try {
      read: for (;;) {
        const batch = (await iterator.nextv(BATCH)) as Item[];
        if (batch.length === 0) break;
        for (const found of batch) {
          let val = found;
          if (fetchFromItemDb) {
            if (capacity) indexCapacity += dynaliteDb.itemSize(found);
            val = (await getRaw(itemDb, dynaliteDb.createKey(found, table))) as Item;
            if (capacity) tableCapacity += dynaliteDb.itemSize(val);
          }
          if ((limit !== undefined && count >= limit) || size >= PAGE_BYTES) break read;
          if (capacity && !fetchFromItemDb) {
            if (data.IndexName) indexCapacity += dynaliteDb.itemSize(val);
            else tableCapacity += dynaliteDb.itemSize(val);
          }
          count++;
          size += pageSize(val, rangeKey);
          items.push(val);
        }
      }
    } finally {
      await iterator.close();
    }
    const lastItem = items[items.length - 1];
    const filter = (data.QueryFilter ?? data.ScanFilter) as unknown;
    const parsedFilter = data._filter as { expression: unknown } | undefined;
    if (parsedFilter) items = items.filter((v) => dynaliteDb.matchesExprFilter(v, parsedFilter.expression));
    else if (filter) items = items.filter((v) => dynaliteDb.matchesFilter(v, filter, data.ConditionalOperator));
    const result: Record<string, unknown> = { ScannedCount: count };
    if ((limit !== undefined && count >= limit) || size >= PAGE_BYTES) {
      if (limit !== undefined) items.splice(limit);
      if (lastItem) result.LastEvaluatedKey = Object.fromEntries(startKeyNames.map((attr) => [attr, lastItem[attr]]));
    }
    const paths = (data._projection as { paths?: unknown } | undefined)?.paths ?? data.AttributesToGet;
    if (paths) items = items.map((v) => dynaliteDb.mapPaths(paths, v));
    result.Count = items.length;
    if (data.Select !== 'COUNT') result.Items = items;
    if (capacity) {
      const units = (bytes: number) => Math.ceil(bytes / 1024 / 4) * (data.ConsistentRead ? 1 : 0.5);
      const consumed: Record<string, unknown> = { CapacityUnits: units(tableCapacity) + units(indexCapacity), TableName: name };
      if (data.ReturnConsumedCapacity === 'INDEXES') {
        consumed.Table = { CapacityUnits: units(tableCapacity) };
        if (data.IndexName) consumed[isLocal ? 'LocalSecondaryIndexes' : 'GlobalSecondaryIndexes'] = { [data.IndexName as string]: { CapacityUnits: units(indexCapacity) } };
      }
      result.ConsumedCapacity = consumed;
    }
    return result;
  })().then(
    (result) => cb(null, result),
    (err: DynaliteError) => cb(err),
  );
};
dynaliteDb.queryTable = queryTable;

/**
 * dynalite's `createKey` (the item's place in the database: an MD5 prefix of
 * the partition key, then each key value in sortable form), remembered per
 * table and key value. It is a pure function of the two, and its MD5 and
 * big-number work were a tenth of the endpoint's time on a PutItem +
 * GetItem (bench/dynamodb.ts). Every action calls it through the module's
 * exports; an index's key schema, or a key whose values are not strings
 * (dynalite's own error then), goes to the original.
 */
const originalCreateKey = dynaliteDb.createKey;
const KEY_MEMO_SIZE = 10_000;
interface KeyMemo {
  hash: [string, string];
  range: [string, string] | undefined;
  keys: Map<string, string>;
}
const keyMemos = new WeakMap<TableRecord, KeyMemo>();
function keyMemoOf(table: TableRecord): KeyMemo {
  let memo = keyMemos.get(table);
  if (!memo) {
    const typed = (i: number): [string, string] | undefined => {
      const name = table.KeySchema[i]?.AttributeName;
      const type = table.AttributeDefinitions.find((d) => d.AttributeName === name)?.AttributeType;
      return name !== undefined && type !== undefined ? [name, type] : undefined;
    };
    memo = { hash: typed(0)!, range: typed(1), keys: new Map() };
    keyMemos.set(table, memo);
  }
  return memo;
}
dynaliteDb.createKey = (item, table, keySchema) => {
  if ((keySchema != null && keySchema !== table.KeySchema) || table.KeySchema.length > 2) return originalCreateKey(item, table, keySchema);
  const memo = keyMemoOf(table);
  const hash = (item[memo.hash[0]] as Record<string, unknown> | undefined)?.[memo.hash[1]];
  const range = memo.range ? (item[memo.range[0]] as Record<string, unknown> | undefined)?.[memo.range[1]] : '';
  if (typeof hash !== 'string' || typeof range !== 'string') return originalCreateKey(item, table);
  const id = `${hash.length}:${hash}${range}`;
  let key = memo.keys.get(id);
  if (key === undefined) {
    key = originalCreateKey(item, table);
    if (memo.keys.size >= KEY_MEMO_SIZE) memo.keys.clear();
    memo.keys.set(id, key);
  }
  return key;
};

export function createDynaliteStore(path: string | undefined): DynaliteStore {
  // Table state changes are ours (tables are ACTIVE at once); dynalite's own timers are never started.
  const store = dynaliteDb.create({ ...(path === undefined ? {} : { path }), createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  if (path === undefined) answerInMicrotasks(store.db as unknown as CallbackDb);
  return store;
}

type CallbackDb = Record<'get' | 'put' | 'del' | 'batch', (...args: unknown[]) => unknown>;

/**
 * dynalite answers every database call through `setImmediate`, a turn of
 * the event loop each: a PutItem makes four, which cost more than the put
 * itself (bench/dynamodb.ts). In memory there is no I/O to wait for, so the
 * callbacks run when the promise settles instead — still asynchronously, in
 * the same order. (The LevelDB store keeps dynalite's own wrappers, which
 * also track pending writes for a graceful close.)
 */
function answerInMicrotasks(db: CallbackDb): void {
  const level = Object.getPrototypeOf(db) as CallbackDb;
  for (const method of ['get', 'put', 'del', 'batch'] as const) {
    const original = level[method]!.bind(db) as (...args: unknown[]) => Promise<unknown>;
    db[method] = (...args: unknown[]) => {
      const cb = typeof args[args.length - 1] === 'function' ? (args.pop() as (err: unknown, value?: unknown) => void) : undefined;
      const done = original(...args);
      if (!cb) return done;
      done.then(
        (value) => cb(null, value),
        (err: unknown) => cb(err),
      );
      return undefined;
    };
  }
}

export function getTable(store: DynaliteStore, name: string, checkStatus: boolean): Promise<TableRecord> {
  return new Promise((resolve, reject) => store.getTable(name, checkStatus, (err, table) => (err ? reject(err) : resolve(table!))));
}

export function updateIndexes(store: DynaliteStore, table: TableRecord, existing: Item | undefined, item: Item | undefined): Promise<void> {
  return new Promise((resolve, reject) => dynaliteDb.updateIndexes(store, table, existing, item, (err) => (err ? reject(err) : resolve())));
}

export function getRaw(db: SubDb, key: string): Promise<unknown> {
  return new Promise((resolve, reject) => db.get(key, (err, v) => (err && err.name !== 'NotFoundError' ? reject(err) : resolve(v ?? undefined))));
}

export function putRaw(db: SubDb, key: string, value: unknown): Promise<void> {
  return new Promise((resolve, reject) => db.put(key, value, (err) => (err ? reject(err) : resolve())));
}

export function delRaw(db: SubDb, key: string): Promise<void> {
  return new Promise((resolve, reject) => db.del(key, (err) => (err ? reject(err) : resolve())));
}

export function closeStore(store: DynaliteStore): Promise<void> {
  return new Promise((resolve, reject) => store.lifecycleManager.gracefulClose((err) => (err ? reject(err) : resolve())));
}

export const validateKey = dynaliteDb.validateKey;
export const validateKeyPaths = dynaliteDb.validateKeyPaths;
export const mapPaths = dynaliteDb.mapPaths;
export const addConsumedCapacity = dynaliteDb.addConsumedCapacity;
export const validateItem = dynaliteDb.validateItem;
export const createKey = dynaliteDb.createKey;
export const checkConditional = dynaliteDb.checkConditional;
export const itemSize = dynaliteDb.itemSize;
export const validationError = dynaliteDb.validationError;
export const validateAttributeValue = validations.validateAttributeValue;
