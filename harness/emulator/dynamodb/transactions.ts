/**
 * TransactWriteItems and TransactGetItems, which dynalite lacks, built on its
 * validations, condition evaluation and actions.
 *
 * All or nothing: every condition is evaluated against the items as they are
 * before the transaction, holding the write locks of every table involved, so
 * no other write interleaves. If any fails, nothing is written and
 * TransactionCanceledException lists one reason per action, in request order
 * (`None` for the others). Otherwise the actions are applied; one failing
 * while applied (an update expression hitting a type mismatch, an item
 * growing past 400 KB) rolls back those already applied and cancels with
 * `ValidationError` for it.
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html
 */
import type { Clock } from '../../core/index.ts';
import { canonicalJson } from '../faults.ts';
import { checkConditional, createKey, runAction, validateItem, validateKey, type DynaliteStore, type Item, type ItemAction, type TableRecord } from './dynalite.ts';
import {
  IdempotentParameterMismatchException,
  TransactionCanceledException,
  ValidationException,
  fromDynalite,
  isDynaliteError,
  type CancellationReason,
} from './errors.ts';
import type { DynamoDbStore } from './models.ts';
import { TRANSACT_ACTIONS } from './requests.ts';
import type { TimeToLive } from './ttl.ts';

type WriteKind = 'Put' | 'Update' | 'Delete' | 'ConditionCheck';

interface PreparedAction<K extends string> {
  kind: K;
  /** The action's members after dynalite's validation (parsed expressions attached). */
  data: Record<string, unknown>;
  tableName: string;
}

interface Located<K extends string> extends PreparedAction<K> {
  table: TableRecord;
  key: string;
  existing: Item | undefined;
}

/** A client request token counts for 10 minutes (API_TransactWriteItems, ClientRequestToken). */
const TOKEN_LIFETIME_MS = 10 * 60_000;

const ACTION_OF: Record<Exclude<WriteKind, 'ConditionCheck'>, ItemAction> = { Put: 'putItem', Update: 'updateItem', Delete: 'deleteItem' };

export interface TransactionDeps {
  store: DynamoDbStore;
  ttl: TimeToLive;
  clock: Clock;
}

/** Runs dynalite's own rules for one action's members (expressions, attribute values, item size). */
function prepare<K extends keyof typeof TRANSACT_ACTIONS>(kind: K, members: Record<string, unknown>, engine: DynaliteStore): PreparedAction<K> {
  const data = { ...members };
  let message: string | undefined;
  try {
    message = TRANSACT_ACTIONS[kind].custom?.(data, engine);
  } catch (e) {
    throw fromDynalite(e);
  }
  if (message) throw ValidationException(message);
  return { kind, data, tableName: data.TableName as string };
}

/** Finds each action's table, checks its key against the schema, reads the item it targets. */
async function locate<K extends string>(actions: PreparedAction<K>[], store: DynamoDbStore): Promise<Located<K>[]> {
  const tables = new Map<string, TableRecord>();
  const out: Located<K>[] = [];
  const seen = new Set<string>();
  for (const a of actions) {
    let table = tables.get(a.tableName);
    if (!table) {
      try {
        table = await store.activeTable(a.tableName);
      } catch (e) {
        throw fromDynalite(e);
      }
      tables.set(a.tableName, table);
    }
    const target = (a.data.Item ?? a.data.Key) as Item;
    const invalid = a.kind === 'Put' ? validateItem(target, table) : validateKey(target, table);
    if (invalid) throw fromDynalite(invalid);
    const key = createKey(target, table);
    const identity = `${a.tableName}\u0000${key}`;
    if (seen.has(identity)) throw ValidationException('Transaction request cannot include multiple operations on one item');
    seen.add(identity);
    out.push({ ...a, table, key, existing: await store.getItem(a.tableName, key) });
  }
  return out;
}

function failedCondition(a: Located<string>): CancellationReason | undefined {
  if (!checkConditional(a.data, a.existing)) return undefined;
  const reason: CancellationReason = { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' };
  if (a.data.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' && a.existing) reason.Item = a.existing;
  return reason;
}

export async function transactWriteItems(deps: TransactionDeps, data: Record<string, unknown>, original: Record<string, unknown>): Promise<Record<string, unknown>> {
  const { store, ttl, clock } = deps;
  const actions = (data.TransactItems as Array<Record<string, Record<string, unknown> | undefined>>).map((entry) => {
    const kinds = (Object.keys(entry) as WriteKind[]).filter((k) => entry[k] != null);
    if (kinds.length !== 1) throw ValidationException('TransactItems can only contain one of Check, Put, Update or Delete');
    return prepare(kinds[0]!, entry[kinds[0]!]!, store.engine);
  });

  const token = data.ClientRequestToken as string | undefined;
  const { ClientRequestToken: _ignored, ...request } = original;
  const fingerprint = canonicalJson(request);

  return store.withTables(
    actions.map((a) => a.tableName),
    async () => {
      const now = clock.now();
      for (const [t, entry] of store.idempotency) if (entry.expiresAt <= now) store.idempotency.delete(t);
      const previous = token === undefined ? undefined : store.idempotency.get(token);
      if (previous) {
        if (previous.request !== fingerprint) throw IdempotentParameterMismatchException();
        // A retry of a transaction that succeeded: success, nothing written twice.
        return {};
      }
      const located = await locate(actions, store);
      const reasons = located.map((a) => failedCondition(a) ?? { Code: 'None' });
      if (reasons.some((r) => r.Code !== 'None')) throw TransactionCanceledException(reasons);

      const applied: Located<WriteKind>[] = [];
      for (const [i, a] of located.entries()) {
        if (a.kind === 'ConditionCheck') continue;
        // Conditions were checked above, against the state before the transaction.
        const { _condition: _c, ConditionExpression: _e, ReturnValuesOnConditionCheckFailure: _r, ...unconditional } = a.data;
        try {
          await runAction(ACTION_OF[a.kind], store.engine, unconditional);
          applied.push(a);
        } catch (e) {
          for (const done of applied.reverse()) await store.setItem(done.table, done.key, done.existing);
          if (!isDynaliteError(e)) throw e;
          const failed = reasons.map((): CancellationReason => ({ Code: 'None' }));
          failed[i] = { Code: 'ValidationError', Message: e.body.message ?? e.message };
          throw TransactionCanceledException(failed);
        }
      }
      for (const a of applied) ttl.noteWritten(a.table, a.key, a.kind === 'Delete' ? undefined : a.kind === 'Put' ? (a.data.Item as Item) : await store.getItem(a.tableName, a.key));
      if (token !== undefined) store.idempotency.set(token, { request: fingerprint, expiresAt: now + TOKEN_LIFETIME_MS });
      return consumedCapacity(data.ReturnConsumedCapacity, located, 2);
    },
  );
}

export async function transactGetItems(deps: TransactionDeps, data: Record<string, unknown>): Promise<Record<string, unknown>> {
  const { store } = deps;
  const actions = (data.TransactItems as Array<{ Get: Record<string, unknown> }>).map((entry) => prepare('Get', entry.Get, store.engine));
  // The write locks make the reads one snapshot: no transaction commits halfway through them.
  return store.withTables(
    actions.map((a) => a.tableName),
    async () => {
      const located = await locate(actions, store);
      const responses: Array<Record<string, unknown>> = [];
      for (const a of located) {
        const { ReturnConsumedCapacity: _rc, ...get } = a.data;
        const out = await runAction('getItem', store.engine, get);
        responses.push(out.Item === undefined ? {} : { Item: out.Item });
      }
      return { Responses: responses, ...consumedCapacity(data.ReturnConsumedCapacity, located, 2) };
    },
  );
}

/** Transactional reads and writes cost twice their plain units (per 4 KB read, 1 KB written; counted per action here). */
function consumedCapacity(requested: unknown, actions: Located<string>[], unitsPerAction: number): Record<string, unknown> {
  if (requested !== 'TOTAL' && requested !== 'INDEXES') return {};
  const perTable = new Map<string, number>();
  for (const a of actions) perTable.set(a.tableName, (perTable.get(a.tableName) ?? 0) + unitsPerAction);
  return {
    ConsumedCapacity: [...perTable].map(([TableName, CapacityUnits]) => ({
      TableName,
      CapacityUnits,
      ...(requested === 'INDEXES' ? { Table: { CapacityUnits } } : {}),
    })),
  };
}
