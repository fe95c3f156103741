/**
 * `--data-dir` for EventBridge: buses, rules (patterns, schedules, state,
 * tags) and targets survive a restart. They change seldom, so each change
 * rewrites one file (temp file + rename, so a crash leaves the old or the new
 * file, never half of one). Events in flight (a retry waiting) are not kept:
 * like a restart of any delivery worker, they are lost.
 *
 *   <dataDir>/events/buses.json
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StoreContents } from './models.ts';

export class EventsDisk {
  private readonly dir: string;
  private readonly file: string;

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'events');
    this.file = join(this.dir, 'buses.json');
  }

  load(): StoreContents | undefined {
    if (!existsSync(this.file)) return undefined;
    return JSON.parse(readFileSync(this.file, 'utf8')) as StoreContents;
  }

  save(contents: StoreContents): void {
    mkdirSync(this.dir, { recursive: true });
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify({ version: 1, ...contents }));
    renameSync(tmp, this.file);
  }
}
