/**
 * How a queue keeps its messages so that a receive finds the receivable ones
 * without scanning the hidden ones. Standard queues: the visible messages in
 * the order they became visible, plus a heap of hidden ones (delayed or in
 * flight) by the time they reappear. FIFO queues: one ordered list per message
 * group; a group whose first message is hidden (in flight or delayed) is
 * blocked, which is what keeps a group strictly ordered and one-at-a-time.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-queues-understanding-logic.html
 */
import type { SqsMessage } from './models.ts';

/** What a receive does with a candidate: deliver it, or it is gone (expired or dead-lettered, already removed). */
export type Verdict = 'deliver' | 'gone';

export interface MessageSet {
  readonly size: number;
  add(m: SqsMessage, now: number): void;
  remove(m: SqsMessage): void;
  get(id: string): SqsMessage | undefined;
  /** Moves `m`'s reappearance to `visibleAt`. */
  setVisibleAt(m: SqsMessage, visibleAt: number, now: number): void;
  /** Up to `max` receivable messages, in delivery order; `vet` decides each (and removes those that are gone). */
  pick(now: number, max: number, vet: (m: SqsMessage) => Verdict): SqsMessage[];
  /** The earliest future moment a message may become receivable, or undefined. */
  nextDue(now: number): number | undefined;
  values(): IterableIterator<SqsMessage>;
  clear(): void;
}

interface HiddenEntry {
  due: number;
  seq: number;
  message: SqsMessage;
}

/** A binary min-heap on (due, seq). */
class DueHeap {
  private readonly items: HiddenEntry[] = [];

  get length(): number {
    return this.items.length;
  }

  peek(): HiddenEntry | undefined {
    return this.items[0];
  }

  push(e: HiddenEntry): void {
    const a = this.items;
    a.push(e);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(a[i]!, a[p]!)) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }

  pop(): HiddenEntry | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && before(a[l]!, a[m]!)) m = l;
        if (r < a.length && before(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }

  clear(): void {
    this.items.length = 0;
  }
}

function before(x: HiddenEntry, y: HiddenEntry): boolean {
  return x.due < y.due || (x.due === y.due && x.seq < y.seq);
}

export class StandardMessages implements MessageSet {
  private readonly byId = new Map<string, SqsMessage>();
  private readonly visible = new Map<string, SqsMessage>();
  private readonly hidden = new DueHeap();
  /** Each hide gets a number; a heap entry whose number is not the message's current one is stale. */
  private readonly hiddenAs = new Map<string, number>();
  private seq = 0;

  get size(): number {
    return this.byId.size;
  }

  add(m: SqsMessage, now: number): void {
    this.byId.set(m.messageId, m);
    this.place(m, now);
  }

  get(id: string): SqsMessage | undefined {
    return this.byId.get(id);
  }

  remove(m: SqsMessage): void {
    this.byId.delete(m.messageId);
    this.visible.delete(m.messageId);
    this.hiddenAs.delete(m.messageId);
  }

  setVisibleAt(m: SqsMessage, visibleAt: number, now: number): void {
    m.visibleAt = visibleAt;
    this.visible.delete(m.messageId);
    this.place(m, now);
  }

  private place(m: SqsMessage, now: number): void {
    if (m.visibleAt <= now) {
      this.hiddenAs.delete(m.messageId);
      this.visible.set(m.messageId, m);
      return;
    }
    const seq = ++this.seq;
    this.hiddenAs.set(m.messageId, seq);
    this.hidden.push({ due: m.visibleAt, seq, message: m });
  }

  /** Hidden messages whose time has come join the visible ones. */
  private promote(now: number): void {
    for (let top = this.hidden.peek(); top && top.due <= now; top = this.hidden.peek()) {
      this.hidden.pop();
      if (this.hiddenAs.get(top.message.messageId) !== top.seq) continue;
      this.hiddenAs.delete(top.message.messageId);
      this.visible.set(top.message.messageId, top.message);
    }
  }

  pick(now: number, max: number, vet: (m: SqsMessage) => Verdict): SqsMessage[] {
    this.promote(now);
    const out: SqsMessage[] = [];
    for (const m of this.visible.values()) {
      if (out.length >= max) break;
      if (vet(m) === 'deliver') out.push(m);
    }
    return out;
  }

  nextDue(now: number): number | undefined {
    this.promote(now);
    for (let top = this.hidden.peek(); top; top = this.hidden.peek()) {
      if (this.hiddenAs.get(top.message.messageId) === top.seq) return top.due;
      this.hidden.pop();
    }
    return undefined;
  }

  values(): IterableIterator<SqsMessage> {
    return this.byId.values();
  }

  clear(): void {
    this.byId.clear();
    this.visible.clear();
    this.hidden.clear();
    this.hiddenAs.clear();
  }
}

export class FifoMessages implements MessageSet {
  private readonly byId = new Map<string, SqsMessage>();
  /** Per group, its messages in sequence order; groups in the order they are served (round robin). */
  private readonly groups = new Map<string, SqsMessage[]>();

  get size(): number {
    return this.byId.size;
  }

  add(m: SqsMessage): void {
    this.byId.set(m.messageId, m);
    const g = m.groupId ?? '';
    const list = this.groups.get(g);
    if (list) list.push(m);
    else this.groups.set(g, [m]);
  }

  get(id: string): SqsMessage | undefined {
    return this.byId.get(id);
  }

  remove(m: SqsMessage): void {
    if (!this.byId.delete(m.messageId)) return;
    const g = m.groupId ?? '';
    const list = this.groups.get(g);
    if (!list) return;
    const i = list.indexOf(m);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.groups.delete(g);
  }

  setVisibleAt(m: SqsMessage, visibleAt: number): void {
    m.visibleAt = visibleAt;
  }

  pick(now: number, max: number, vet: (m: SqsMessage) => Verdict): SqsMessage[] {
    const out: SqsMessage[] = [];
    const served: string[] = [];
    for (const [g, list] of this.groups) {
      if (out.length >= max) break;
      let took = false;
      // Messages taken in this receive are in flight only once the caller marks them; count them by position.
      let i = 0;
      while (i < list.length && out.length < max) {
        const m = list[i]!;
        if (m.visibleAt > now) break;
        const before = list.length;
        if (vet(m) === 'deliver') {
          out.push(m);
          took = true;
          i++;
        } else if (list.length === before) i++;
      }
      if (took) served.push(g);
    }
    // Groups just served go to the back, so the next receive starts with the others.
    for (const g of served) {
      const list = this.groups.get(g);
      if (!list) continue;
      this.groups.delete(g);
      this.groups.set(g, list);
    }
    return out;
  }

  nextDue(now: number): number | undefined {
    let due: number | undefined;
    for (const list of this.groups.values()) {
      const head = list[0];
      if (head && head.visibleAt > now && (due === undefined || head.visibleAt < due)) due = head.visibleAt;
    }
    return due;
  }

  values(): IterableIterator<SqsMessage> {
    return this.byId.values();
  }

  clear(): void {
    this.byId.clear();
    this.groups.clear();
  }
}
