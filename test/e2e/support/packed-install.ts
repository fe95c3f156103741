/**
 * Rehearse as a user gets it: `npm pack` of this working tree, installed with
 * `npm install -D ./rehearse-aws-*.tgz` into a project outside the repository.
 *
 * Packing and installing cost tens of seconds, so they happen once per
 * content hash of what the package is made from (scripts/build.ts
 * sourceHash), cached in `$TMPDIR/rehearse-packed/<hash>/` and shared by every
 * test file and every later run until a source changes. Processes racing for
 * the same hash wait on one lock; a cache nobody used for a day is removed.
 *
 * A test gets its own project with `createPackedProject()`: a fresh temporary
 * directory (outside the repository, so nothing resolves from our own
 * node_modules or workflows/), whose node_modules is a link to the installed
 * one — installing the package there for real is what `installedPackage()`
 * did once. Do not `npm install` into such a project: the link is shared.
 *
 *   await using project = await createPackedProject({ files: { 'template.yaml': '…' } });
 *   const r = await project.rehearse(['init']);
 *   expect(r.exitCode).toBe(0);
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { execa, type Options } from 'execa';
import { build, isStale, REPO_ROOT, sourceHash } from '../../../scripts/build.ts';

export const PACKAGE_NAME = 'rehearse-aws';
const CACHE_ROOT = join(tmpdir(), 'rehearse-packed');
/** A cache unused this long (another hash, another worktree) is removed when a new one is made. */
const UNUSED_CACHE_MS = 24 * 3600_000;
const LOCK_WAIT_MS = 10 * 60_000;

export interface InstalledPackage {
  hash: string;
  /** The `npm pack` output. */
  tarball: string;
  /** The tarball's size in bytes and its number of files, as `npm pack --json` reported them. */
  size: number;
  entryCount: number;
  /** The files the tarball holds, package-relative. */
  files: string[];
  /** The project the tarball was installed into (`npm install -D ./tarball`); its node_modules is what projects link to. */
  installDir: string;
  /** How long packing and installing took when the cache was made. */
  packMs: number;
  installMs: number;
  /** Whether this process found it made already (by an earlier run or another test file). */
  fromCache: boolean;
}

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved, as a terminal shows them. */
  all: string;
}

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
  input?: string;
}

export interface PackedProject extends AsyncDisposable {
  /** The project's root, in the system temp directory. */
  dir: string;
  pkg: InstalledPackage;
  /** `npx rehearse ARGS` in the project (node_modules/.bin/rehearse run directly; `npx` only adds npm's own start-up). */
  rehearse(args: string[], options?: RunOptions): Promise<CliResult>;
  /** Any command in the project, with the same environment as `rehearse`. */
  exec(command: string, args: string[], options?: RunOptions): Promise<CliResult>;
  /** Writes files (paths relative to the project; folders are made). */
  write(files: Record<string, string | Uint8Array>): Promise<void>;
  read(path: string): string;
  path(...segments: string[]): string;
  dispose(): Promise<void>;
}

let memo: Promise<InstalledPackage> | undefined;

/** The package packed from this working tree and installed once (per content hash, across processes and runs). */
export function installedPackage(): Promise<InstalledPackage> {
  memo ??= prepare();
  return memo;
}

async function prepare(): Promise<InstalledPackage> {
  const hash = sourceHash();
  const dir = join(CACHE_ROOT, hash);
  const cached = readCache(dir, true);
  if (cached) return cached;
  mkdirSync(CACHE_ROOT, { recursive: true });
  let fromCache = true;
  await withLock(`${dir}.lock`, async () => {
    if (existsSync(join(dir, 'ready.json'))) return;
    fromCache = false;
    pruneUnused();
    const work = `${dir}.tmp-${process.pid}`;
    rmSync(work, { recursive: true, force: true });
    mkdirSync(join(work, 'project'), { recursive: true });
    const packStarted = performance.now();
    if (isStale()) build();
    // The build just ran (or dist/ was built from these very sources): prepack need not run it again.
    const packed = await execa('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { cwd: REPO_ROOT, env: childEnv() });
    const info = (JSON.parse(packed.stdout) as Array<{ filename: string; size: number; entryCount: number; files: Array<{ path: string }> }>)[0]!;
    const packMs = performance.now() - packStarted;
    const installStarted = performance.now();
    writeFileSync(join(work, 'project', 'package.json'), `${JSON.stringify({ name: 'rehearse-packed-install', private: true }, null, 2)}\n`);
    const installed = await execa('npm', ['install', '-D', `../${info.filename}`, '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'], {
      cwd: join(work, 'project'),
      env: childEnv(),
      reject: false,
      all: true,
    });
    if (installed.exitCode !== 0) throw new Error(`npm install -D ./${info.filename} failed (exit ${installed.exitCode}):\n${installed.all}`);
    const record = {
      hash,
      tarball: info.filename,
      size: info.size,
      entryCount: info.entryCount,
      files: info.files.map((f) => f.path),
      packMs: Math.round(packMs),
      installMs: Math.round(performance.now() - installStarted),
    };
    writeFileSync(join(work, 'ready.json'), `${JSON.stringify(record, null, 2)}\n`);
    renameSync(work, dir);
  });
  const made = readCache(dir, fromCache);
  if (!made) throw new Error(`the packed install in ${dir} is not ready after its lock was released`);
  return made;
}

function readCache(dir: string, fromCache: boolean): InstalledPackage | undefined {
  const ready = join(dir, 'ready.json');
  if (!existsSync(ready)) return undefined;
  const now = new Date();
  utimesSync(ready, now, now); // in use: not pruned
  const r = JSON.parse(readFileSync(ready, 'utf8')) as Omit<InstalledPackage, 'installDir' | 'fromCache'>;
  return { ...r, tarball: join(dir, r.tarball), installDir: join(dir, 'project'), fromCache };
}

function pruneUnused(): void {
  for (const name of readdirSync(CACHE_ROOT)) {
    const p = join(CACHE_ROOT, name);
    if (name.includes('.lock')) continue;
    const ready = join(p, 'ready.json');
    const last = existsSync(ready) ? statSync(ready).mtimeMs : statSync(p).mtimeMs;
    if (Date.now() - last > UNUSED_CACHE_MS) rmSync(p, { recursive: true, force: true });
  }
}

/** One process packs and installs; the others wait. A lock left by a process that died is taken over. */
async function withLock(lock: string, fn: () => Promise<void>): Promise<void> {
  const waitUntil = performance.now() + LOCK_WAIT_MS;
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      if (!lockHolderAlive(lock)) {
        rmSync(lock, { recursive: true, force: true });
        continue;
      }
      if (performance.now() > waitUntil) throw new Error(`waited ${LOCK_WAIT_MS / 1000}s for ${lock} (held by pid ${readFileSync(join(lock, 'pid'), 'utf8')})`, { cause: e });
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    await fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function lockHolderAlive(lock: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(join(lock, 'pid'), 'utf8'));
  } catch {
    // Made but its pid not yet written: give the holder a moment.
    const made = statSync(lock, { throwIfNoEntry: false });
    return made !== undefined && Date.now() - made.mtimeMs < 5_000;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The environment a user's shell would have: nothing of vitest's or tsx's. */
function childEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || k === 'NODE_OPTIONS' || k.startsWith('VITEST') || k.startsWith('TSX') || k.startsWith('npm_')) continue;
    env[k] = v;
  }
  return { ...env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...extra };
}

export interface PackedProjectOptions {
  /** Files to write into the project (relative paths; folders are made). */
  files?: Record<string, string | Uint8Array>;
  /** Folders or files to copy into the project: `{ from: absolute path, to: path in the project (default: its root) }`. */
  copy?: Array<{ from: string; to?: string }>;
  /** Keep the directory after dispose (debugging); also REHEARSE_KEEP_PROJECTS=1. */
  keep?: boolean;
}

/** A fresh project in the system temp directory with the packed package installed (`devDependencies: rehearse-aws`). */
export async function createPackedProject(options: PackedProjectOptions = {}): Promise<PackedProject> {
  const pkg = await installedPackage();
  const dir = await mkdtemp(join(tmpdir(), 'rehearse-project-'));
  await writeFile(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: 'rehearse-user-project', private: true, devDependencies: { [PACKAGE_NAME]: `file:${pkg.tarball}` } }, null, 2)}\n`,
  );
  symlinkSync(join(pkg.installDir, 'node_modules'), join(dir, 'node_modules'), 'dir');
  for (const c of options.copy ?? []) await cp(c.from, join(dir, c.to ?? ''), { recursive: true });
  const write = async (files: Record<string, string | Uint8Array>) => {
    for (const [rel, content] of Object.entries(files)) {
      const file = join(dir, rel);
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, content);
    }
  };
  await write(options.files ?? {});
  const exec = async (command: string, args: string[], o: RunOptions = {}): Promise<CliResult> => {
    const execOptions: Options = {
      cwd: o.cwd ? join(dir, o.cwd) : dir,
      env: childEnv(o.env),
      extendEnv: false,
      reject: false,
      all: true,
      timeout: o.timeoutMs ?? 120_000,
      ...(o.input !== undefined ? { input: o.input } : {}),
    };
    const r = await execa(command, args, execOptions);
    return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr), all: String(r.all) };
  };
  const dispose = async () => {
    if (options.keep || process.env.REHEARSE_KEEP_PROJECTS === '1') return;
    await rm(dir, { recursive: true, force: true });
  };
  return {
    dir,
    pkg,
    rehearse: (args, o) => exec(process.execPath, [join(dir, 'node_modules', '.bin', 'rehearse'), ...args], o),
    exec,
    write,
    read: (p) => readFileSync(join(dir, p), 'utf8'),
    path: (...s) => join(dir, ...s),
    dispose,
    [Symbol.asyncDispose]: dispose,
  };
}
