/**
 * `--data-dir` for SQS: queues and their messages — in flight ones with their
 * receipt handles, receive counts and visibility deadlines — survive a
 * restart. Every change is appended to a journal as it happens (one JSON line,
 * written before the request is answered); at startup, after a reset or
 * restore, and every JOURNAL_LIMIT lines the whole state is written to
 * queues.json (temp file + rename) and the journal starts over. A line cut
 * short by a crash is ignored.
 *
 *   <dataDir>/sqs/queues.json     every queue's state() at the last compaction
 *   <dataDir>/sqs/journal.jsonl   what changed since
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { SqsMessage } from './models.ts';
import type { DedupEntry, Queue, QueueJournal, QueueState } from './queue.ts';

const JOURNAL_LIMIT = 20_000;

type Meta = Omit<QueueState, 'messages' | 'dedup'>;
type Line =
  | { t: 'queue'; meta: Meta }
  | { t: 'delete'; q: string }
  | { t: 'add'; q: string; m: SqsMessage }
  | { t: 'change'; q: string; id: string; receiveCount: number; visibleAt: number; firstReceiveTimestamp?: number; receiptHandle?: string }
  | { t: 'remove'; q: string; id: string }
  | { t: 'purge'; q: string; at: number }
  | { t: 'dedup'; q: string; key: string; entry: DedupEntry };

interface Working {
  meta: Meta;
  messages: Map<string, SqsMessage>;
  dedup: Map<string, DedupEntry>;
}

export class SqsDisk implements QueueJournal {
  private readonly dir: string;
  private readonly stateFile: string;
  private readonly journalFile: string;
  private fd: number | undefined;
  private lines = 0;

  constructor(
    dataDir: string,
    /** Every queue's state now (for compactions). */
    private readonly current: () => QueueState[],
  ) {
    this.dir = join(dataDir, 'sqs');
    this.stateFile = join(this.dir, 'queues.json');
    this.journalFile = join(this.dir, 'journal.jsonl');
  }

  /** The queues as they were when the endpoint last ran. */
  load(): QueueState[] {
    const queues = new Map<string, Working>();
    if (existsSync(this.stateFile)) {
      const saved = JSON.parse(readFileSync(this.stateFile, 'utf8')) as { queues: QueueState[] };
      for (const s of saved.queues) {
        const { messages, dedup, ...rest } = s;
        queues.set(s.name, { meta: rest, messages: new Map(messages.map((m) => [m.messageId, m])), dedup: new Map(dedup) });
      }
    }
    if (existsSync(this.journalFile)) {
      for (const text of readFileSync(this.journalFile, 'utf8').split('\n')) {
        if (text.trim() === '') continue;
        let line: Line;
        try {
          line = JSON.parse(text) as Line;
        } catch {
          continue; // the last line of a crash
        }
        apply(queues, line);
      }
    }
    return [...queues.values()].map((w) => ({ ...w.meta, messages: [...w.messages.values()], dedup: [...w.dedup] }));
  }

  /** Writes the whole state and starts a new journal. */
  compact(): void {
    mkdirSync(this.dir, { recursive: true });
    if (this.fd !== undefined) closeSync(this.fd);
    const tmp = `${this.stateFile}.tmp`;
    writeFileSync(tmp, JSON.stringify({ version: 1, queues: this.current() }));
    renameSync(tmp, this.stateFile);
    this.fd = openSync(this.journalFile, 'w');
    this.lines = 0;
  }

  close(): void {
    this.compact();
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  private append(line: Line): void {
    if (this.fd === undefined) return;
    writeSync(this.fd, `${JSON.stringify(line)}\n`);
    if (++this.lines >= JOURNAL_LIMIT) this.compact();
  }

  queueChanged(q: Queue): void {
    this.append(q.isClosed ? { t: 'delete', q: q.name } : { t: 'queue', meta: q.meta() });
  }

  messageAdded(q: Queue, m: SqsMessage): void {
    this.append({ t: 'add', q: q.name, m });
  }

  messageChanged(q: Queue, m: SqsMessage): void {
    this.append({
      t: 'change',
      q: q.name,
      id: m.messageId,
      receiveCount: m.receiveCount,
      visibleAt: m.visibleAt,
      ...(m.firstReceiveTimestamp !== undefined ? { firstReceiveTimestamp: m.firstReceiveTimestamp } : {}),
      ...(m.receiptHandle !== undefined ? { receiptHandle: m.receiptHandle } : {}),
    });
  }

  messageRemoved(q: Queue, m: SqsMessage): void {
    this.append({ t: 'remove', q: q.name, id: m.messageId });
  }

  purged(q: Queue): void {
    this.append({ t: 'purge', q: q.name, at: q.lastPurgeAt ?? 0 });
  }

  deduplicated(q: Queue, key: string, entry: DedupEntry): void {
    this.append({ t: 'dedup', q: q.name, key, entry });
  }
}

function apply(queues: Map<string, Working>, line: Line): void {
  if (line.t === 'queue') {
    const w = queues.get(line.meta.name);
    if (w) w.meta = line.meta;
    else queues.set(line.meta.name, { meta: line.meta, messages: new Map(), dedup: new Map() });
    return;
  }
  if (line.t === 'delete') {
    queues.delete(line.q);
    return;
  }
  const w = queues.get(line.q);
  if (!w) return;
  switch (line.t) {
    case 'add':
      w.messages.set(line.m.messageId, line.m);
      if (line.m.sequenceNumber !== undefined && BigInt(line.m.sequenceNumber) > BigInt(w.meta.sequence)) w.meta.sequence = line.m.sequenceNumber;
      break;
    case 'change': {
      const m = w.messages.get(line.id);
      if (!m) break;
      m.receiveCount = line.receiveCount;
      m.visibleAt = line.visibleAt;
      if (line.firstReceiveTimestamp !== undefined) m.firstReceiveTimestamp = line.firstReceiveTimestamp;
      if (line.receiptHandle !== undefined) m.receiptHandle = line.receiptHandle;
      break;
    }
    case 'remove':
      w.messages.delete(line.id);
      break;
    case 'purge':
      w.messages.clear();
      w.meta.lastPurgeAt = line.at;
      break;
    case 'dedup':
      w.dedup.set(line.key, line.entry);
      break;
  }
}
