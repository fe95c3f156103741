/**
 * GetItem and PutItem, the two requests a workflow's notebook makes most, as
 * dynalite's own actions (dynalite/actions/getItem.js, putItem.js) run them —
 * the same checks in the same order, with dynalite's functions, so results
 * and errors are dynalite's — given the table record the caller already
 * holds, and without what this service makes redundant: the action's second
 * read of the table record, its per-item lock (every write here holds its
 * table's lock, models.ts) and an index update for a table with no index.
 * Together those were a third of a PutItem + GetItem (bench/dynamodb.ts).
 */
import {
  addConsumedCapacity,
  checkConditional,
  createKey,
  getRaw,
  mapPaths,
  putRaw,
  updateIndexes,
  validateItem,
  validateKey,
  validateKeyPaths,
  type DynaliteStore,
  type Item,
  type TableRecord,
} from './dynalite.ts';

type Data = Record<string, unknown>;

export async function getItem(store: DynaliteStore, table: TableRecord, data: Data): Promise<Data> {
  const invalidKey = validateKey(data.Key as Item, table);
  if (invalidKey) throw invalidKey;
  const projection = data._projection as { paths: unknown; nestedPaths?: unknown } | undefined;
  const invalidPath = validateKeyPaths(projection?.nestedPaths, table);
  if (invalidPath) throw invalidPath;
  const item = (await getRaw(store.getItemDb(table.TableName), createKey(data.Key as Item, table))) as Item | undefined;
  const out: Data = {};
  const paths = projection ? projection.paths : data.AttributesToGet;
  if (item) out.Item = paths ? mapPaths(paths, item) : item;
  out.ConsumedCapacity = addConsumedCapacity(data, true, item);
  return out;
}

/** The caller holds the table's write lock. */
export async function putItem(store: DynaliteStore, table: TableRecord, data: Data): Promise<Data> {
  const item = data.Item as Item;
  const invalid = validateItem(item, table);
  if (invalid) throw invalid;
  const db = store.getItemDb(table.TableName);
  const key = createKey(item, table);
  const existing = (await getRaw(db, key)) as Item | undefined;
  const failed = checkConditional(data, existing);
  if (failed) throw failed;
  const out: Data = {};
  if (existing && data.ReturnValues === 'ALL_OLD') out.Attributes = existing;
  out.ConsumedCapacity = addConsumedCapacity(data, false, existing, item);
  if (table.LocalSecondaryIndexes?.length || table.GlobalSecondaryIndexes?.length) await updateIndexes(store, table, existing, item);
  await putRaw(db, key, item);
  return out;
}
