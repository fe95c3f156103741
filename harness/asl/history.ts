/**
 * The execution history, recorded as GetExecutionHistory returns it
 * (https://docs.aws.amazon.com/step-functions/latest/apireference/API_HistoryEvent.html).
 *
 * Hot path: state inputs/outputs are kept by reference (the engine never
 * mutates a value once it has been passed on) and serialised to JSON text only
 * when someone reads the history, so recording an event costs no clone.
 */
import type { HistoryEvent } from './api.ts';
import { StatesError } from './errors.ts';

/** A value that becomes JSON text when the event is materialised. */
export class LazyJson {
  constructor(readonly value: unknown) {}
}

export const NOT_TRUNCATED = Object.freeze({ truncated: false });

interface RawEvent {
  id: number;
  previousEventId: number;
  timestamp: number;
  type: string;
  key: string | undefined;
  details: Record<string, unknown> | undefined;
}

/** Thrown when an execution would exceed its history event limit (AWS: 25,000). */
export class HistoryLimitError extends StatesError {
  constructor(limit: number) {
    super('States.Runtime', `The execution reached the maximum number of history events (${limit}).`);
  }
}

/** `taskScheduled` → `taskScheduledEventDetails`; `PassStateEntered` → `stateEnteredEventDetails`. */
export function detailsKeyFor(type: string): string {
  const m = /^(?:Pass|Task|Choice|Wait|Succeed|Fail|Parallel|Map)(State(?:Entered|Exited))$/.exec(type);
  const base = m ? m[1]! : type;
  return `${base[0]!.toLowerCase()}${base.slice(1)}EventDetails`;
}

const keyCache = new Map<string, string>();

function materialise(raw: RawEvent, texts: WeakMap<object, string>): HistoryEvent {
  const event: HistoryEvent = { timestamp: raw.timestamp, type: raw.type, id: raw.id, previousEventId: raw.previousEventId };
  if (raw.key !== undefined && raw.details !== undefined) {
    const out: Record<string, unknown> = {};
    for (const k in raw.details) {
      const v = raw.details[k];
      if (v === undefined) continue;
      if (v instanceof LazyJson) {
        const value = v.value;
        out[k] = (typeof value === 'object' && value !== null && texts.get(value)) || JSON.stringify(value ?? null);
      } else {
        out[k] = v;
      }
    }
    event[raw.key] = out;
  }
  return event;
}

export class History {
  private readonly raw: RawEvent[] = [];
  private readonly done: HistoryEvent[] = [];
  /** Values whose JSON text AWS keeps verbatim (the execution input, passed on unchanged). */
  private readonly texts = new WeakMap<object, string>();

  /** Records `text` as how `value` is written in history while it is passed on unchanged. */
  alias(value: unknown, text: string): void {
    if (typeof value === 'object' && value !== null) this.texts.set(value, text);
  }

  constructor(
    private readonly now: () => number,
    private readonly limit: number,
    /** Told the type of every event as it is recorded (`last()` reads it: materialising costs, and most listeners need only the type). */
    private readonly onEvent: ((type: string) => void) | undefined,
  ) {}

  get length(): number {
    return this.raw.length;
  }

  /** Records an event; `details` keys whose value is undefined are left out (AWS omits absent fields). */
  add(type: string, previousEventId: number, details?: Record<string, unknown>, force = false): number {
    const id = this.raw.length + 1;
    // Keep one slot for the terminal event so the failure itself can be recorded.
    if (!force && id >= this.limit) throw new HistoryLimitError(this.limit);
    let key: string | undefined;
    if (details !== undefined) {
      key = keyCache.get(type);
      if (key === undefined) {
        key = detailsKeyFor(type);
        keyCache.set(type, key);
      }
    }
    const ev: RawEvent = { id, previousEventId, timestamp: this.now(), type, key, details };
    this.raw.push(ev);
    if (this.onEvent) this.onEvent(type);
    return id;
  }

  private event(i: number): HistoryEvent {
    while (this.done.length <= i) this.done.push(materialise(this.raw[this.done.length]!, this.texts));
    return this.done[i]!;
  }

  /** The latest event. */
  last(): HistoryEvent {
    return this.event(this.raw.length - 1);
  }

  /** Events so far, oldest first (materialised once, then cached). */
  events(): readonly HistoryEvent[] {
    if (this.raw.length > 0) this.event(this.raw.length - 1);
    return this.done;
  }
}
