/**
 * Starting an execution environment's process. `child_process.spawn` forks
 * the calling process, and the fork copies its page tables: 1.5 ms at 46 MB
 * resident, 9.5 ms at 188 MB, 19.5 ms at 464 MB — time the harness's one
 * thread (the endpoint, the engine, the runner) spends blocked, 2.8 s of a
 * suite's 142 cold starts. So the harness asks a small process of its own
 * (bootstrap/spawner.mjs, forked once, when the first environment starts)
 * to spawn them.
 *
 * What the environment sees is unchanged: the same command, arguments,
 * variables and directory, no stdin. Its stdout and stderr are Unix sockets
 * whose other end is here, handed to it as they are, so its output reaches
 * this process directly and, like a pipe's, before anything it sends next
 * (ExecutionEnvironment relies on that to give each invocation its own log).
 * The spawner's output and exit status come over its IPC channel. Where the
 * spawner cannot run, the process is spawned here as before.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { unlinkSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import type { LaunchCommand } from './launch.ts';
import { StandbyPool } from './standby.ts';

/** What an environment hears from its process. */
export interface ProcessEvents {
  output(stream: 'stdout' | 'stderr', text: string): void;
  /** It could not be started (a missing interpreter or bootstrap). */
  error(err: Error): void;
  exit(code: number | null, signal: string | null): void;
  /** It exited and its output has all arrived (a process it started may keep the streams open longer). */
  close(): void;
}

export interface EnvironmentProcess {
  readonly pid: number | undefined;
  /** It has exited. */
  readonly exited: boolean;
  /** SIGKILL (a no-op once it has exited). */
  kill(): void;
}

const SPAWNER = join(dirname(fileURLToPath(import.meta.url)), 'bootstrap', 'spawner.mjs');

/** SIGKILL from here; false when there is no such process any more (its exit report is on its way). */
function killNow(pid: number): boolean {
  try {
    process.kill(pid, 'SIGKILL');
    return true;
  } catch {
    return false;
  }
}

type SpawnerMessage =
  | { op: 'spawned'; id: number; pid: number }
  | { op: 'error'; id: number; message: string }
  | { op: 'exit'; id: number; code: number | null; signal: string | null };

export class Spawned implements EnvironmentProcess {
  pid: number | undefined;
  exited = false;
  private openStreams = 2;
  private closed = false;
  /** An unassigned standby's output streams, unreferenced until it is assigned. */
  private readonly unreferenced: Socket[] = [];

  constructor(
    readonly id: number,
    private events: ProcessEvents,
    private readonly spawner: Spawner,
    /** A standby not yet assigned: its output streams keep nothing alive. */
    private standby: boolean,
  ) {}

  /** A standby process becomes an environment's: what it reports from now on goes to `events`. */
  handTo(events: ProcessEvents): void {
    this.events = events;
    this.standby = false;
    for (const socket of this.unreferenced.splice(0)) socket.ref();
  }

  kill(): void {
    if (this.exited) return;
    // At once, from here, when the pid is known (a crash fault kills the process as it takes the event,
    // before the event is answered); through the spawner before that.
    if (this.pid === undefined || !killNow(this.pid)) this.spawner.kill(this.id);
  }

  attach(stream: 'stdout' | 'stderr', socket: Socket, rest: string): void {
    if (this.standby) {
      socket.unref();
      this.unreferenced.push(socket);
    }
    if (rest) this.events.output(stream, rest);
    socket.on('data', (text: string) => this.events.output(stream, text));
    socket.once('close', () => {
      this.openStreams--;
      this.maybeClosed();
    });
  }

  onMessage(m: SpawnerMessage): void {
    if (m.op === 'spawned') this.pid = m.pid;
    else if (m.op === 'error') this.fail(new Error(m.message));
    else this.onExit(m.code, m.signal);
  }

  fail(err: Error): void {
    this.exited = true;
    this.events.error(err);
    this.spawner.forget(this.id);
  }

  onExit(code: number | null, signal: string | null): void {
    if (this.exited) return;
    this.exited = true;
    this.events.exit(code, signal);
    this.maybeClosed();
  }

  private maybeClosed(): void {
    if (this.closed || !this.exited || this.openStreams > 0) return;
    this.closed = true;
    this.spawner.forget(this.id);
    this.events.close();
  }
}

export class Spawner {
  private readonly processes = new Map<number, Spawned>();
  /** Processes that keep the harness alive until they exit: every one but a standby not yet assigned. */
  private readonly holding = new Set<number>();
  private nextId = 1;
  readonly standbys = new StandbyPool(this);

  private constructor(
    private readonly child: ChildProcess,
    private readonly server: Server,
    private readonly socketPath: string,
  ) {
    child.on('message', (m: SpawnerMessage) => this.processes.get(m.id)?.onMessage(m));
    child.once('exit', () => this.lost());
    // A message it could not take (it is exiting): its exit reports the processes.
    child.on('error', () => undefined);
    server.on('connection', (socket) => this.accept(socket));
    // Idle, neither keeps the harness alive; the channel does while a process has not reported its exit
    // (the harness may be waiting for nothing else: spawn() and forget() ref and unref it).
    child.unref();
    child.channel?.unref();
    server.unref();
  }

  static start(): Spawner {
    const name = `rehearse-spawner-${process.pid}-${randomBytes(4).toString('hex')}`;
    // Linux: an abstract socket, which leaves no file behind however the process ends.
    const socketPath = process.platform === 'linux' ? `\0${name}` : join(tmpdir(), `${name}.sock`);
    const server = createServer();
    server.listen(socketPath);
    if (process.platform !== 'linux') {
      process.once('exit', () => {
        try {
          unlinkSync(socketPath);
        } catch {
          // already gone
        }
      });
    }
    const child = spawn(process.execPath, [SPAWNER], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    return new Spawner(child, server, socketPath);
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null && this.child.connected;
  }

  /** Starts a process; a `standby` one (standby.ts) gets an IPC channel and waits for `assign`. */
  spawn(launch: LaunchCommand, events: ProcessEvents, standby = false): Spawned {
    const id = this.nextId++;
    const p = new Spawned(id, events, this, standby);
    this.processes.set(id, p);
    // A standby waiting for its environment keeps nothing alive; an environment's process does until it exits.
    if (!standby) this.hold(id);
    this.child.send({ op: 'spawn', id, command: launch.command, args: launch.args, cwd: launch.cwd, env: launch.env, socketPath: this.socketPath, standby });
    return p;
  }

  /** A standby process becomes the environment `launch` describes (its variables, directory and bootstrap). */
  assign(p: Spawned, launch: LaunchCommand, events: ProcessEvents): void {
    p.handTo(events);
    this.hold(p.id);
    this.child.send({ op: 'assign', id: p.id, env: launch.env, cwd: launch.cwd, bootstrap: launch.args[launch.args.length - 1] });
  }

  kill(id: number): void {
    if (this.alive) this.child.send({ op: 'kill', id });
  }

  forget(id: number): void {
    this.processes.delete(id);
    if (this.holding.delete(id) && this.holding.size === 0) this.child.channel?.unref();
  }

  private hold(id: number): void {
    this.holding.add(id);
    this.child.channel?.ref();
  }

  /** `<id> <stream>\n` first, then the process's output. */
  private accept(socket: Socket): void {
    socket.setEncoding('utf8');
    let head = '';
    const onData = (text: string) => {
      head += text;
      const nl = head.indexOf('\n');
      if (nl < 0) return;
      socket.off('data', onData);
      const [id, stream] = head.slice(0, nl).split(' ');
      const p = this.processes.get(Number(id));
      if (!p || (stream !== 'stdout' && stream !== 'stderr')) return void socket.destroy();
      p.attach(stream, socket, head.slice(nl + 1));
    };
    socket.on('data', onData);
    socket.on('error', () => undefined);
  }

  /** The spawner died: its processes are orphans now, stopped here and reported gone. */
  private lost(): void {
    for (const p of [...this.processes.values()]) {
      if (p.pid !== undefined && !p.exited) killNow(p.pid);
      p.onExit(null, 'SIGKILL');
    }
    this.server.close();
  }
}

let shared: Spawner | undefined;

/** Direct: the same process spawned from this one (the spawner could not start). */
function spawnHere(launch: LaunchCommand, events: ProcessEvents): EnvironmentProcess {
  const child = spawn(launch.command, launch.args, { cwd: launch.cwd, env: launch.env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.setEncoding('utf8');
  child.stderr!.setEncoding('utf8');
  child.stdout!.on('data', (d: string) => events.output('stdout', d));
  child.stderr!.on('data', (d: string) => events.output('stderr', d));
  child.once('error', (e) => events.error(e));
  child.once('exit', (code, signal) => events.exit(code, signal));
  child.once('close', () => events.close());
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  return {
    get pid() {
      return child.pid;
    },
    get exited() {
      return exited();
    },
    kill: () => {
      if (!exited()) child.kill('SIGKILL');
    },
  };
}

/** The shared spawner, started if it is not running (again if it died); undefined where it cannot start. */
export function startSpawner(): Spawner | undefined {
  if (shared?.alive) return shared;
  try {
    shared = Spawner.start();
  } catch {
    shared = undefined;
  }
  return shared;
}

/** `REHEARSE_STANDBY=0`: every environment's process is spawned when its cold start comes (standby.ts). */
const standbys = () => process.env.REHEARSE_STANDBY !== '0';

/** Starts an environment's process: a standby of its kind when one waits, else through the shared spawner, else here. */
export function startProcess(launch: LaunchCommand, events: ProcessEvents): EnvironmentProcess {
  const spawner = startSpawner();
  if (!spawner) return spawnHere(launch, events);
  return (standbys() ? spawner.standbys.take(launch, events) : undefined) ?? spawner.spawn(launch, events);
}

/** Standbys waiting now, and how many became environments in this process. */
export function standbyCounts(): { waiting: number; taken: number } {
  const pool = shared?.alive ? shared.standbys : undefined;
  return { waiting: pool?.size ?? 0, taken: pool?.taken ?? 0 };
}

/** The standbys the last `rehearse run` needed, started now; this run's needs are kept for the next (standby.ts). */
export function warmRememberedStandbys(project: string): void {
  if (standbys()) startSpawner()?.standbys.warmRemembered(project);
}

/** Has a standby ready for environments started like `launch` (a function was created or changed). */
export function warmStandby(launch: LaunchCommand): void {
  if (standbys()) startSpawner()?.standbys.warm(launch);
}
