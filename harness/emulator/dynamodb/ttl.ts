/**
 * Time to Live on the one Clock (virtual time included).
 *
 * DynamoDB deletes an item once its TTL attribute — a Number holding epoch
 * seconds — is below the current time, "typically within two days", and
 * leaves alone values more than five years in the past (taken for a
 * milliseconds mistake). Until then AWS still returns expired items.
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/howitworks-ttl.html
 *
 * Our rule, deterministic where AWS is not: an expired item is deleted by the
 * first DynamoDB request that arrives at or after its expiry on the Clock,
 * before that request runs. So `advanceClock` past an expiry and the next read
 * no longer sees the item, on virtual time as on real time; no background
 * timer runs (virtual time never jumps for TTL's sake). The service keeps an
 * index of the expiry of every item of every TTL-enabled table, built from the
 * store when TTL is enabled or the endpoint starts.
 */
import type { Clock } from '../../core/index.ts';
import type { Item, TableRecord } from './dynalite.ts';
import type { DynamoDbStore } from './models.ts';

const FIVE_YEARS_S = 5 * 365 * 86_400;

/** The epoch second an item expires at under TTL attribute `attribute`, or undefined (no TTL value). */
export function expiryOf(item: Item | undefined, attribute: string): number | undefined {
  const v = item?.[attribute]?.N;
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

export class TimeToLive {
  /** table → storage key → expiry (epoch seconds). */
  private readonly expiries = new Map<string, Map<string, number>>();
  /** Earliest expiry in the index (epoch seconds); Infinity when nothing can expire. */
  private next = Infinity;
  private loaded: Promise<void> | undefined;
  /** The index is built (the load above has finished, and no clear() came since). */
  private indexed = false;

  constructor(
    private readonly clock: Clock,
    private readonly store: DynamoDbStore,
  ) {}

  /** Indexes every TTL-enabled table once (first request after start or reset). */
  private load(): Promise<void> {
    if (!this.loaded) {
      const loading = (async () => {
        for (const table of await this.store.tables()) if (table.Ttl?.Enabled) await this.index(table);
      })();
      this.loaded = loading;
      loading.then(
        () => {
          if (this.loaded === loading) this.indexed = true;
        },
        () => {},
      );
    }
    return this.loaded;
  }

  /**
   * The sweep below when one may be due; undefined — no promise, no turn of
   * the microtask queue — when the index is built and nothing has expired yet,
   * which is every request of a table without TTL.
   */
  sweepIfDue(): Promise<void> | undefined {
    if (this.indexed && this.clock.now() / 1000 < this.next) return undefined;
    return this.sweep();
  }

  /** (Re)builds one table's index from its items: TTL was just enabled, or the endpoint started. */
  async index(table: TableRecord): Promise<void> {
    const attribute = table.Ttl?.AttributeName;
    const entries = new Map<string, number>();
    this.expiries.set(table.TableName, entries);
    if (!attribute || !table.Ttl?.Enabled) return;
    for await (const [key, item] of this.store.items(table.TableName)) {
      const at = expiryOf(item, attribute);
      if (at !== undefined) {
        entries.set(key, at);
        if (at < this.next) this.next = at;
      }
    }
  }

  forget(table: string): void {
    this.expiries.delete(table);
  }

  /** After a write: `item` is what the table now holds under `key` (undefined once deleted). */
  noteWritten(table: TableRecord, key: string, item: Item | undefined): void {
    const entries = this.expiries.get(table.TableName);
    if (!entries || !table.Ttl?.Enabled) return;
    const at = expiryOf(item, table.Ttl.AttributeName);
    if (at === undefined) {
      entries.delete(key);
      return;
    }
    entries.set(key, at);
    if (at < this.next) this.next = at;
  }

  /** Deletes every item whose expiry the Clock has reached (the rule above); cheap when none is due. */
  async sweep(): Promise<void> {
    await this.load();
    const now = this.clock.now() / 1000;
    if (now < this.next) return;
    let next = Infinity;
    for (const [name, entries] of this.expiries) {
      const due = [...entries].filter(([, at]) => at <= now);
      if (due.length > 0) {
        await this.store.withTables([name], async () => {
          const table = await this.store.findTable(name);
          if (!table?.Ttl?.Enabled) return;
          for (const [key] of due) {
            // Re-read under the lock: a write since indexing may have moved the expiry.
            const item = await this.store.getItem(name, key);
            const at = expiryOf(item, table.Ttl.AttributeName);
            if (at !== undefined && at > now) {
              entries.set(key, at);
              continue;
            }
            if (at !== undefined && at >= now - FIVE_YEARS_S) await this.store.setItem(table, key, undefined);
            entries.delete(key);
          }
        });
      }
      for (const [, at] of entries) if (at > now && at < next) next = at;
    }
    this.next = next;
  }

  /** Forgets the index (reset); rebuilt from the store on the next request. */
  clear(): void {
    this.expiries.clear();
    this.next = Infinity;
    this.loaded = undefined;
    this.indexed = false;
  }
}
