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
  checkTypes(data: unknown, types: Record<string, unknown>): Record<string, unknown>;
  checkValidations(data: Record<string, unknown>, types: Record<string, unknown>, custom: ActionValidation['custom'], store: DynaliteStore): void;
  validateAttributeValue(value: AttributeValue): string | undefined;
}

interface DbModule {
  create(options: { path?: string; maxItemSizeKb?: number; createTableMs?: number; deleteTableMs?: number; updateTableMs?: number }): DynaliteStore;
  validateKey(key: Item, table: TableRecord): DynaliteError | undefined;
  validateItem(item: Item, table: TableRecord): DynaliteError | undefined;
  createKey(item: Item, table: TableRecord): string;
  checkConditional(data: Record<string, unknown>, existing: Item | undefined): DynaliteError | undefined;
  itemSize(item: Item): number;
  updateIndexes(store: DynaliteStore, table: TableRecord, existing: Item | null | undefined, item: Item | null | undefined, cb: Callback<void>): void;
  validationError(message: string): DynaliteError;
}

const validations = require('dynalite/validations/index.js') as ValidationsModule;
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
export function validate(spec: ActionValidation, input: unknown, store: DynaliteStore): Record<string, unknown> {
  const data = validations.checkTypes(input, spec.types);
  validations.checkValidations(data, spec.types, spec.custom, store);
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

export function createDynaliteStore(path: string | undefined): DynaliteStore {
  // Table state changes are ours (tables are ACTIVE at once); dynalite's own timers are never started.
  return dynaliteDb.create({ ...(path === undefined ? {} : { path }), createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
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
export const validateItem = dynaliteDb.validateItem;
export const createKey = dynaliteDb.createKey;
export const checkConditional = dynaliteDb.checkConditional;
export const itemSize = dynaliteDb.itemSize;
export const validationError = dynaliteDb.validationError;
export const validateAttributeValue = validations.validateAttributeValue;
