/**
 * Standby processes: Node processes booted ahead of need, with the flags an
 * execution environment of their kind is started with, that become an
 * environment when a cold start needs one (#16). Booting Node is about a
 * third of a small function's cold start here (~50 ms of ~150); a standby has
 * done that before the invocation comes, as AWS's own sandboxes are ready
 * before a cold start's init runs.
 *
 * What a standby carries is nothing of any function: it has loaded Node, the
 * host-prefix preload every environment gets and the bootstrap's own Node
 * modules (bootstrap/standby.mjs), then waits. Assigned, it takes the
 * environment's variables (all of them, ours removed), directory and
 * bootstrap, closes its channel and runs the bootstrap, which loads the
 * handler as in a process spawned for it. Each standby becomes at most one
 * environment, so no module state of one can reach another, and the cold
 * start is still a cold start: counted, with its init (from the assignment
 * to the first `next`) reported as Init Duration.
 *
 * What Node reads only while it boots must match, so it is part of the
 * standby's kind: the interpreter, its flags (the heap limit of the memory
 * size, tsx for a handler not precompiled) and the variables below; a
 * function whose own NODE_OPTIONS name a relative path also shares the
 * standby's directory. A function with any other combination gets standbys of
 * its own kind.
 */
import { tmpdir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import { z } from 'zod';
import { cacheFile, cacheKey, readCacheFile, trace, writeCacheFile } from '../core/index.ts';
import { NODE_BOOTSTRAP } from './launch.ts';
import type { LaunchCommand } from './launch.ts';
import type { ProcessEvents, Spawned } from './spawner.ts';

export const NODE_STANDBY = join(NODE_BOOTSTRAP, '..', 'standby.mjs');

/** Variables Node reads while it boots (options, module paths, the thread pool, the dynamic linker, OpenSSL, the locale). */
const BOOT_VARIABLES = /^(NODE_|UV_|LD_|OPENSSL_|SSL_CERT_|LANG$|LANGUAGE$|LC_|TZ$)/;

/** Standbys waiting at most, over every kind (each is a booted Node, ~40 MB), and of one kind. */
const MAX_STANDBYS = 8;
const PER_KIND = 3;

/**
 * Whether NODE_OPTIONS names something Node finds from the directory it boots
 * in: `--require ./x`, `--import pkg` (found in ./node_modules), any value
 * that is not an absolute path. `--enable-source-maps` and the like do not.
 */
export function bootReadsDirectory(nodeOptions: string | undefined): boolean {
  for (const token of (nodeOptions ?? '').split(/\s+/)) {
    if (token === '') continue;
    const eq = token.startsWith('-') ? token.indexOf('=') : -1;
    const value = token.startsWith('-') ? (eq >= 0 ? token.slice(eq + 1) : undefined) : token;
    if (value !== undefined && !isAbsolute(value.replace(/^["']|["']$/g, ''))) return true;
  }
  return false;
}

/** How a standby of this launch's kind is started, and the kind's key; undefined when the launch is not a Node environment's. */
export function standbyLaunch(launch: LaunchCommand): { key: string; launch: LaunchCommand } | undefined {
  const args = launch.args;
  if (launch.command !== process.execPath || args[args.length - 1] !== NODE_BOOTSTRAP) return undefined;
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(launch.env)) if (BOOT_VARIABLES.test(name)) env[name] = value;
  const cwd = bootReadsDirectory(env.NODE_OPTIONS) ? launch.cwd : tmpdir();
  const standby: LaunchCommand = { command: launch.command, args: [...args.slice(0, -1), NODE_STANDBY], env, cwd };
  return { key: standbyKey(standby), launch: standby };
}

const functionOf = (launch: LaunchCommand): string => launch.env.AWS_LAMBDA_FUNCTION_NAME ?? launch.cwd;

function standbyKey(standby: LaunchCommand): string {
  return JSON.stringify([standby.args, standby.env, standby.cwd]);
}

/** Output a standby wrote before it was assigned (a boot warning), kept for the environment's log; its end shows in Spawned.exited. */
class Unassigned implements ProcessEvents {
  readonly written: Array<['stdout' | 'stderr', string]> = [];
  output(stream: 'stdout' | 'stderr', text: string): void {
    this.written.push([stream, text]);
  }
  error(): void {}
  exit(): void {}
  close(): void {}
}

interface Standby {
  process: Spawned;
  events: Unassigned;
}

export interface StandbySpawner {
  spawn(launch: LaunchCommand, events: ProcessEvents, standby: boolean): Spawned;
  assign(p: Spawned, launch: LaunchCommand, events: ProcessEvents): void;
}

/**
 * How many standbys of each kind the last run in a project needed, kept in
 * the cache folder per project directory (so another project's runs, or the
 * test suite's, do not decide this one's): the next `rehearse run` there starts that many as it starts, while it
 * still reads scenario files and checks templates on one core and the other
 * is idle (at CreateFunction they would take CPU from the deploy and the
 * first invocations), and starts none of a kind it did not cold-start.
 */
const kindsFile = (project: string): string => cacheFile('standby', `${cacheKey(project)}.json`);

/** A kind of an earlier run: its standby launch and how many of its functions cold-started. */
const RememberedKind = z.object({
  launch: z.object({ command: z.string(), args: z.array(z.string()), env: z.record(z.string(), z.string()), cwd: z.string() }),
  count: z.number().int().min(0),
});
type RememberedKind = z.infer<typeof RememberedKind>;

/** The kinds of the last run still valid for this Node and this install (a damaged file counts as none). */
function rememberedKinds(project: string): RememberedKind[] {
  const text = readCacheFile(kindsFile(project));
  if (text === undefined) return [];
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return [];
  }
  const parsed = z.array(RememberedKind).safeParse(json);
  if (!parsed.success) return [];
  return parsed.data.filter((k) => k.launch.command === process.execPath && k.launch.args[k.launch.args.length - 1] === NODE_STANDBY);
}

/** What this process knows of a kind's demand. */
interface Demand {
  launch: LaunchCommand;
  /** Functions of the kind that cold-started in this process, each on each endpoint it ran on. */
  coldStarted: Set<string>;
  /** The last run's count (kindsFile), when the kind was in it. */
  remembered?: number;
}

/**
 * Standbys by kind: as many waiting as the kind's functions that cold-start
 * (a scenario that cold-starts two small functions finds two), one for a
 * kind never seen, at most PER_KIND of a kind and MAX_STANDBYS in all.
 */
export class StandbyPool {
  private readonly waiting = new Map<string, Standby[]>();
  private readonly demand = new Map<string, Demand>();
  private saveAtExit = false;
  /** Standbys that became environments, in this process. */
  taken = 0;

  constructor(private readonly spawner: StandbySpawner) {}

  /**
   * A standby of this launch's kind turned into its process, or undefined
   * (none waiting; not a Node launch). No other standby starts in its place
   * now: that would take CPU from the cold start under way and from the
   * handlers that follow; the next one is started by `warm` (a function
   * created, a snapshot restored).
   */
  take(launch: LaunchCommand, events: ProcessEvents): Spawned | undefined {
    const kind = standbyLaunch(launch);
    if (!kind) return undefined;
    // Per endpoint: two suite workers cold-start the same function each.
    const endpoint = (launch.env.AWS_LAMBDA_RUNTIME_API ?? '').split('/')[0];
    this.demandOf(kind.key, kind.launch).coldStarted.add(`${functionOf(launch)} at ${endpoint}`);
    const standby = this.live(kind.key).shift();
    if (!standby) return undefined;
    this.spawner.assign(standby.process, launch, events);
    this.taken++;
    for (const [stream, text] of standby.events.written) events.output(stream, text);
    trace(`standby process ${standby.process.pid} becomes ${functionOf(launch)}`);
    return standby.process;
  }

  /** Has this launch's kind's standbys waiting (a function was just created, or a restore will cold-start it again). */
  warm(launch: LaunchCommand): void {
    const kind = standbyLaunch(launch);
    if (!kind) return;
    const d = this.demandOf(kind.key, kind.launch);
    // A kind the last run never needed waits for a cold start to ask; an unknown one gets one.
    this.fill(kind.key, kind.launch, Math.max(d.coldStarted.size, d.remembered ?? 1));
  }

  /** Starts the standbys the last run in `project` needed (kindsFile); what this run needs is written there as it exits. */
  warmRemembered(project: string): void {
    if (!this.saveAtExit) {
      this.saveAtExit = true;
      process.once('exit', () => this.save(project));
    }
    for (const { launch, count } of rememberedKinds(project)) {
      const key = standbyKey(launch);
      this.demandOf(key, launch).remembered = count;
      this.fill(key, launch, count);
    }
  }

  /** Standbys waiting now. */
  get size(): number {
    let n = 0;
    for (const key of this.waiting.keys()) n += this.live(key).length;
    return n;
  }

  /** The kind's waiting standbys that are still alive (dead ones are dropped). */
  private live(key: string): Standby[] {
    let list = this.waiting.get(key);
    if (!list) this.waiting.set(key, (list = []));
    for (let i = list.length - 1; i >= 0; i--) if (list[i]!.process.exited) list.splice(i, 1);
    return list;
  }

  private fill(key: string, launch: LaunchCommand, count: number): void {
    const list = this.live(key);
    let total = this.size;
    while (list.length < Math.min(count, PER_KIND) && total < MAX_STANDBYS) {
      const events = new Unassigned();
      list.push({ process: this.spawner.spawn(launch, events, true), events });
      total++;
    }
  }

  private demandOf(key: string, launch: LaunchCommand): Demand {
    let d = this.demand.get(key);
    if (!d) this.demand.set(key, (d = { launch, coldStarted: new Set() }));
    return d;
  }

  /** This run's kinds, the ones it cold-started most first, for the next run. */
  private save(project: string): void {
    const kinds: RememberedKind[] = [...this.demand.values()]
      .map((d) => ({ launch: d.launch, count: Math.min(d.coldStarted.size, PER_KIND) }))
      .sort((a, b) => b.count - a.count)
      .slice(0, MAX_STANDBYS);
    writeCacheFile(kindsFile(project), JSON.stringify(kinds));
  }
}
