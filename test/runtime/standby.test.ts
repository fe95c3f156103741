/**
 * Standby processes (harness/runtime/standby.ts): a Node process booted ahead
 * of a cold start that becomes the environment must be indistinguishable,
 * from inside the handler, from one spawned for it — variables, directory,
 * arguments, no IPC channel, the time zone and NODE_OPTIONS of the function —
 * and serve exactly one environment (module state is fresh each cold start).
 * Real processes through the real spawner and Runtime API.
 */
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REAL_CLOCK } from '../../harness/core/index.ts';
import { NODE_BOOTSTRAP, type LaunchCommand } from '../../harness/runtime/launch.ts';
import { standbyCounts } from '../../harness/runtime/spawner.ts';
import { bootReadsDirectory, standbyLaunch } from '../../harness/runtime/standby.ts';
import type { FunctionSpec } from '../../harness/runtime/index.ts';
import { startRuntime, type RuntimeFixture } from './support.ts';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '../..');

interface Facts {
  invocations: number;
  pid: number;
  env: Record<string, string>;
  cwd: string;
  argv1: string;
  execArgv: string[];
  send: string;
  connected: boolean | null;
  offsetMinutes: number;
  preloaded: string | null;
}

async function facts(rt: RuntimeFixture, spec: FunctionSpec): Promise<Facts> {
  const r = await rt.invoke(spec, {});
  expect(r.status, r.payload).toBe('success');
  return JSON.parse(r.payload) as Facts;
}

/** Waits (wall clock, bounded) until a standby is waiting: prepareAhead starts it after the handler check. */
async function standbyWaiting(): Promise<void> {
  const deadline = REAL_CLOCK.now() + 10_000;
  while (standbyCounts().waiting === 0) {
    if (REAL_CLOCK.now() > deadline) throw new Error('no standby process started');
    await REAL_CLOCK.sleep(10);
  }
}

/** Variables that differ between any two environments of one function. */
const PER_ENVIRONMENT = ['AWS_LAMBDA_RUNTIME_API', 'AWS_LAMBDA_LOG_STREAM_NAME', '_X_AMZN_TRACE_ID'];
const comparable = (env: Record<string, string>) => Object.fromEntries(Object.entries(env).filter(([k]) => !PER_ENVIRONMENT.includes(k)));

describe('the kind of a standby', () => {
  const launch = (memory: number, env: Record<string, string>, cwd = '/code/a'): LaunchCommand => ({
    command: process.execPath,
    args: [`--max-old-space-size=${memory}`, NODE_BOOTSTRAP],
    env: { PATH: '/usr/bin', AWS_LAMBDA_FUNCTION_NAME: cwd, LANG: 'en_US.UTF-8', ...env },
    cwd,
  });

  it('is shared by functions that boot alike, whatever their own variables and directory', () => {
    const a = standbyLaunch(launch(115, { GREETING: 'hi', NODE_OPTIONS: '--enable-source-maps' }, '/code/a'));
    const b = standbyLaunch(launch(115, { OTHER: 'x', NODE_OPTIONS: '--enable-source-maps' }, '/code/b'));
    expect(a?.key).toBe(b?.key);
    // Only what Node reads while booting is in the standby's own variables.
    expect(a?.launch.env).toEqual({ LANG: 'en_US.UTF-8', NODE_OPTIONS: '--enable-source-maps' });
  });

  it('differs by heap limit, boot-time variables, and the directory when NODE_OPTIONS names a relative path', () => {
    const base = standbyLaunch(launch(115, {}))!.key;
    expect(standbyLaunch(launch(230, {}))!.key).not.toBe(base);
    expect(standbyLaunch(launch(115, { TZ: 'Europe/Paris' }))!.key).not.toBe(base);
    expect(standbyLaunch(launch(115, { UV_THREADPOOL_SIZE: '8' }))!.key).not.toBe(base);
    const relA = standbyLaunch(launch(115, { NODE_OPTIONS: '--require ./otel.cjs' }, '/code/a'))!;
    const relB = standbyLaunch(launch(115, { NODE_OPTIONS: '--require ./otel.cjs' }, '/code/b'))!;
    expect(relA.key).not.toBe(relB.key);
    expect(relA.launch.cwd).toBe('/code/a');
  });

  it('reads NODE_OPTIONS for values Node resolves from its directory', () => {
    expect(bootReadsDirectory(undefined)).toBe(false);
    expect(bootReadsDirectory('--enable-source-maps --no-warnings')).toBe(false);
    expect(bootReadsDirectory('--require /opt/otel.cjs')).toBe(false);
    expect(bootReadsDirectory('--require=/opt/otel.cjs')).toBe(false);
    expect(bootReadsDirectory('--require ./otel.cjs')).toBe(true);
    expect(bootReadsDirectory('--import=otel-package')).toBe(true);
    expect(bootReadsDirectory('-r ../x.js')).toBe(true);
  });

  it('is none for a process that is not a Node environment', () => {
    expect(standbyLaunch({ command: '/usr/bin/python3', args: ['bootstrap.py'], env: {}, cwd: tmpdir() })).toBeUndefined();
    expect(standbyLaunch({ command: process.execPath, args: ['other.mjs'], env: {}, cwd: tmpdir() })).toBeUndefined();
  });
});

describe('a cold start from a standby process', () => {
  it('sees the variables, directory, arguments and channel a spawned process sees', async () => {
    await using rt = await startRuntime();
    const spec = rt.spec('facts', { handler: 'process-facts.handler', environment: { GREETING: 'hello' }, memorySizeMb: 333 });
    rt.runtime.prepareAhead(spec);
    await standbyWaiting();
    const before = standbyCounts().taken;
    // Two at once: the first takes the one standby of this kind, the second is spawned for itself.
    const [a, b] = await Promise.all([facts(rt, spec), facts(rt, spec)]);
    expect(standbyCounts().taken - before).toBe(1);
    expect(a.pid).not.toBe(b.pid);
    expect(comparable(a.env)).toEqual(comparable(b.env));
    expect(a.env.GREETING).toBe('hello');
    for (const name of ['REHEARSE_CODE_CACHE_DIR', 'NODE_CHANNEL_FD', 'NODE_CHANNEL_SERIALIZATION_MODE']) expect(a.env[name]).toBeUndefined();
    expect(a.cwd).toBe(b.cwd);
    expect(a.cwd).toBe(spec.codeDir);
    expect(a.argv1).toBe(NODE_BOOTSTRAP);
    expect(b.argv1).toBe(NODE_BOOTSTRAP);
    expect(a.execArgv).toEqual(b.execArgv);
    expect([a.send, b.send]).toEqual(['undefined', 'undefined']);
  });

  it('serves one environment: module state is fresh at every cold start', async () => {
    await using rt = await startRuntime();
    const spec = rt.spec('fresh', { handler: 'process-facts.handler', memorySizeMb: 334 });
    rt.runtime.prepareAhead(spec);
    await standbyWaiting();
    const before = standbyCounts().taken;
    const first = await facts(rt, spec);
    expect((await facts(rt, spec)).invocations).toBe(2); // warm: the same environment
    await rt.runtime.restart(); // a snapshot restore: every environment goes, standbys of its kind are started
    await standbyWaiting();
    const second = await facts(rt, spec);
    expect(first.invocations).toBe(1);
    expect(second.invocations).toBe(1);
    expect(second.pid).not.toBe(first.pid);
    expect(standbyCounts().taken - before).toBe(2);
  });

  it("boots with the function's TZ and NODE_OPTIONS, relative paths included", async () => {
    await using rt = await startRuntime();
    const spec = rt.spec('boot-options', {
      handler: 'process-facts.handler',
      memorySizeMb: 335,
      environment: { TZ: 'America/New_York', NODE_OPTIONS: '--require ./preload-flag.cjs' },
    });
    rt.runtime.prepareAhead(spec);
    await standbyWaiting();
    const before = standbyCounts().taken;
    const f = await facts(rt, spec);
    expect(standbyCounts().taken - before).toBe(1);
    expect(f.offsetMinutes).toBe(300);
    expect(f.preloaded).toBe('yes');
    expect(f.env.NODE_OPTIONS).toBe('--require ./preload-flag.cjs');
  });

  it('does not keep the harness process alive while it waits', async () => {
    const spawner = pathToFileURL(join(REPO, 'harness/runtime/spawner.ts')).href;
    const launch = pathToFileURL(join(REPO, 'harness/runtime/launch.ts')).href;
    const script = [
      `import { warmStandby, standbyCounts } from ${JSON.stringify(spawner)};`,
      `import { NODE_BOOTSTRAP } from ${JSON.stringify(launch)};`,
      `warmStandby({ command: process.execPath, args: ['--max-old-space-size=99', NODE_BOOTSTRAP], env: { AWS_LAMBDA_FUNCTION_NAME: 'f' }, cwd: process.cwd() });`,
      `console.log(standbyCounts().waiting);`,
    ].join('\n');
    const started = REAL_CLOCK.now();
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: REPO, timeout: 20_000 });
    expect(stdout.trim()).toBe('1');
    expect(REAL_CLOCK.now() - started).toBeLessThan(15_000);
  });
});
