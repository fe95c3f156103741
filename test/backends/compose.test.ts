/** Compose command building, project naming, failure diagnosis and the always-`down` session — no engine needed. */
import { describe, expect, it } from 'vitest';
import { RehearseError } from '../../harness/core/index.ts';
import {
  baseArgs,
  ComposeSession,
  defaultProject,
  diagnoseUpFailure,
  downArgs,
  lsArgs,
  parseComposeLs,
  parsePortOutput,
  portArgs,
  projectName,
  upArgs,
  type ComposeProject,
} from '../../harness/backends/compose.ts';
import { COMPOSE_FILE } from '../../harness/backends/images.ts';
import { fakeDocker, FakeProcess } from './fake-docker.ts';

const project: ComposeProject = { file: '/repo/docker-compose.yml', projectName: 'rehearse-localstack-7', profiles: ['localstack'], env: { X: '1' } };
const base = ['compose', '--file', '/repo/docker-compose.yml', '--project-name', 'rehearse-localstack-7', '--profile', 'localstack'];

describe('compose commands', () => {
  it('names projects the way Compose accepts, unique per run', () => {
    expect(projectName('localstack', 123)).toBe('rehearse-localstack-123');
    expect(projectName('Step Functions Local!', 'A_b')).toBe('rehearse-step-functions-local-a_b');
    expect(projectName('stepfunctions-local')).toBe('rehearse-stepfunctions-local');
    for (const name of [projectName('x y', 1), projectName('--weird--', 2)]) expect(name).toMatch(/^[a-z0-9][a-z0-9_-]*$/);
  });

  it('builds up / down / port exactly', () => {
    expect(baseArgs(project)).toEqual(base);
    expect(baseArgs({ ...project, profiles: ['stepfunctions-local', 'rehearse'] }).slice(-4)).toEqual(['--profile', 'stepfunctions-local', '--profile', 'rehearse']);
    expect(upArgs(project)).toEqual([...base, 'up', '--detach', '--wait', '--wait-timeout', '180', '--remove-orphans']);
    expect(upArgs(project, { waitTimeoutSeconds: 30, build: true, services: ['localstack'] })).toEqual([
      ...base, 'up', '--detach', '--wait', '--wait-timeout', '30', '--remove-orphans', '--build', 'localstack',
    ]);
    expect(downArgs(project)).toEqual([...base, 'down', '--volumes', '--remove-orphans', '--timeout', '10']);
    expect(portArgs(project, 'localstack', 4566)).toEqual([...base, 'port', 'localstack', '4566']);
    expect(defaultProject(['rehearse'])).toEqual({ file: COMPOSE_FILE, projectName: 'rehearse', profiles: ['rehearse'], env: {} });
  });

  it('finds leftover rehearse projects for `rehearse down --all`', () => {
    expect(lsArgs()).toEqual(['compose', 'ls', '--all', '--format', 'json', '--filter', 'name=rehearse']);
    const out = JSON.stringify([
      { Name: 'rehearse', Status: 'running(1)', ConfigFiles: '/repo/docker-compose.yml' },
      { Name: 'rehearse-localstack-4242', Status: 'exited(1)', ConfigFiles: '/repo/docker-compose.yml' },
      { Name: 'rehearsed-other-app', Status: 'running(2)', ConfigFiles: '/x.yml' },
      { Name: 'myapp', Status: 'running(1)', ConfigFiles: '/y.yml' },
    ]);
    expect(parseComposeLs(out)).toEqual(['rehearse', 'rehearse-localstack-4242']);
    expect(parseComposeLs('\n')).toEqual([]);
    expect(() => parseComposeLs('NAME STATUS')).toThrow(/unexpected `docker compose ls` output/);
  });

  it('reads host ports from `docker compose port`', () => {
    expect(parsePortOutput('127.0.0.1:49153\n')).toBe(49153);
    expect(parsePortOutput('0.0.0.0:4566')).toBe(4566);
    expect(parsePortOutput('[::]:8083\n')).toBe(8083);
    expect(() => parsePortOutput('')).toThrow(/unexpected `docker compose port` output/);
  });
});

describe('diagnoseUpFailure', () => {
  const fail = (stderr: string, extra: { timedOut?: boolean } = {}) =>
    diagnoseUpFailure({ stderr, stdout: '', exitCode: 1, timedOut: extra.timedOut ?? false }, project);

  it('names a missing image and how to get it', () => {
    const e = fail('Error response from daemon: pull access denied for localstack/localstack, repository does not exist or may require docker login\n failed to resolve reference "docker.io/localstack/localstack:2026.06.0"');
    expect(e).toBeInstanceOf(RehearseError);
    expect(e.code).toBe('ERR_BACKEND_UNAVAILABLE');
    expect(e.message).toMatch(/Docker image localstack\/localstack:2026\.06\.0 is missing/);
    expect(e.hint).toMatch(/docker pull localstack\/localstack:2026\.06\.0/);
    expect(e.hint).toMatch(/docker\/images\.json/);
  });

  it('recognises LocalStack refusing to start without a valid token (exit 55)', () => {
    const e = fail('container rehearse-localstack-7-localstack-1 exited (55)');
    expect(e.message).toMatch(/LOCALSTACK_AUTH_TOKEN is missing, invalid or expired/);
    expect(e.hint).toMatch(/app\.localstack\.cloud/);
  });

  it('says which port variable to change when a port is taken', () => {
    const e = fail('Error response from daemon: driver failed programming external connectivity: Bind for 127.0.0.1:4566 failed: port is already allocated');
    expect(e.message).toMatch(/host port .* already taken/);
    expect(e.hint).toMatch(/REHEARSE_LOCALSTACK_PORT/);
  });

  it('maps a lost daemon to the no-engine message, timeouts and the rest to a message with the last lines', () => {
    expect(fail('Cannot connect to the Docker daemon at unix:///var/run/docker.sock').message).toMatch(/no Docker engine reachable.*--backend embedded/);
    expect(fail('', { timedOut: true }).message).toMatch(/did not finish in time/);
    const e = fail('line one\ncontainer rehearse-x-1 is unhealthy\n');
    expect(e.message).toMatch(/docker compose up \(localstack\) failed: line one \| container rehearse-x-1 is unhealthy/);
    expect(e.hint).toMatch(/docker compose -p rehearse-localstack-7 logs/);
  });
});

describe('ComposeSession', () => {
  it('runs up --wait, then down on dispose, and removes its signal hooks', async () => {
    const docker = fakeDocker();
    const proc = new FakeProcess();
    {
      await using session = new ComposeSession(project, { run: docker.run, runSync: docker.runSync, process: proc });
      await session.up();
      expect(session.isUp).toBe(true);
      expect(proc.listenerCount('SIGINT')).toBe(1);
      expect(proc.listenerCount('exit')).toBe(1);
      expect(await session.hostPort('localstack', 4566)).toBe(49153);
    }
    expect(docker.calls.map((c) => c.args.slice(base.length, base.length + 1)[0])).toEqual(['up', 'port', 'down']);
    expect(docker.calls[0]!.env).toEqual({ X: '1' });
    expect(proc.listenerCount('SIGINT') + proc.listenerCount('SIGTERM') + proc.listenerCount('exit')).toBe(0);
  });

  it('takes the project down and throws the diagnosis when up fails', async () => {
    const docker = fakeDocker((args) => (args.includes('up') ? { exitCode: 1, stderr: 'container rehearse-localstack-7-localstack-1 exited (55)' } : undefined));
    const session = new ComposeSession(project, { run: docker.run, runSync: docker.runSync, process: new FakeProcess() });
    await expect(session.up()).rejects.toThrow(/LOCALSTACK_AUTH_TOKEN/);
    expect(docker.calls.map((c) => c.args[base.length])).toEqual(['up', 'down']);
  });

  it('on Ctrl-C runs down, then re-raises the signal when nobody else handles it', async () => {
    const docker = fakeDocker();
    const proc = new FakeProcess();
    const session = new ComposeSession(project, { run: docker.run, runSync: docker.runSync, process: proc });
    await session.up();
    proc.emit('SIGINT', 'SIGINT');
    await new Promise((r) => setTimeout(r, 10));
    expect(docker.calls.at(-1)!.args).toEqual(downArgs(project));
    expect(proc.killed).toEqual(['SIGINT']);
    // A second down (dispose after the interrupt) does nothing more.
    await session.down();
    expect(docker.calls.filter((c) => c.args.includes('down'))).toHaveLength(1);
  });

  it('leaves the signal to another handler (the CLI) when there is one', async () => {
    const docker = fakeDocker();
    const proc = new FakeProcess();
    proc.on('SIGTERM', () => {});
    const session = new ComposeSession(project, { run: docker.run, runSync: docker.runSync, process: proc });
    await session.up();
    proc.emit('SIGTERM', 'SIGTERM');
    await new Promise((r) => setTimeout(r, 10));
    expect(docker.calls.some((c) => c.args.includes('down'))).toBe(true);
    expect(proc.killed).toEqual([]);
  });

  it('an interrupt during a slow up removes what up created once it returns', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const calls: string[] = [];
    const proc = new FakeProcess();
    proc.on('SIGINT', () => {});
    const session = new ComposeSession(project, {
      process: proc,
      run: async (_f, args) => {
        const op = args[base.length]!;
        calls.push(op);
        if (op === 'up') await gate;
        return { exitCode: 0, stdout: '', stderr: '', timedOut: false, notFound: false };
      },
    });
    const starting = session.up();
    proc.emit('SIGINT', 'SIGINT');
    await new Promise((r) => setTimeout(r, 10));
    release();
    await expect(starting).rejects.toThrow(/interrupted while starting localstack; the containers were removed/);
    expect(calls).toEqual(['up', 'down', 'down']);
  });

  it('as a last resort runs down synchronously on process exit', async () => {
    const docker = fakeDocker();
    const proc = new FakeProcess();
    const session = new ComposeSession(project, { run: docker.run, runSync: docker.runSync, process: proc });
    await session.up();
    proc.emit('exit', 0);
    expect(docker.sync.map((c) => c.args)).toEqual([downArgs(project, 5)]);
  });

  it('with keep (rehearse up) leaves the containers running and unhooks once healthy', async () => {
    const docker = fakeDocker();
    const proc = new FakeProcess();
    const session = new ComposeSession(project, { run: docker.run, runSync: docker.runSync, process: proc });
    await session.up({ keep: true });
    expect(proc.listenerCount('SIGINT') + proc.listenerCount('exit')).toBe(0);
    proc.emit('exit', 0);
    expect(docker.sync).toEqual([]);
    expect(docker.calls.some((c) => c.args.includes('down'))).toBe(false);
  });

  it('reports a failing down with the command to run by hand', async () => {
    const docker = fakeDocker((args) => (args.includes('down') ? { exitCode: 1, stderr: 'permission denied' } : undefined));
    const session = new ComposeSession(project, { run: docker.run, runSync: docker.runSync, process: new FakeProcess() });
    await session.up();
    await expect(session.down()).rejects.toThrow(/docker compose down failed for project rehearse-localstack-7: permission denied/);
  });
});

describe('ComposeSession when the runner itself throws', () => {
  it('still runs down and rethrows', async () => {
    const ops: string[] = [];
    const session = new ComposeSession(project, {
      process: new FakeProcess(),
      run: async (_f, args) => {
        const op = args[base.length]!;
        ops.push(op);
        if (op === 'up') throw new Error('spawn EAGAIN');
        return { exitCode: 0, stdout: '', stderr: '', timedOut: false, notFound: false };
      },
    });
    await expect(session.up()).rejects.toThrow(/spawn EAGAIN/);
    expect(ops).toEqual(['up', 'down']);
  });
});
