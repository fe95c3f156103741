/**
 * createBackend: spec parsing, and the commands the Docker backends run, with a
 * scripted `docker` (pure logic; the real thing runs in test/docker/engine.test.ts
 * when an engine is reachable).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { RehearseError } from '../../harness/core/index.ts';
import { createBackend, endpointFor, parseBackendSpec, type DockerBackend } from '../../harness/backends/index.ts';
import { downArgs } from '../../harness/backends/compose.ts';
import { fakeDocker, FakeProcess } from './fake-docker.ts';

/** Answers the readiness probes the way a started LocalStack / Step Functions Local does; records requests. */
function fakeServing() {
  const seen: Array<{ url: string; target?: string }> = [];
  const fetch = (async (url: string | URL | Request, init?: RequestInit) => {
    const target = (init?.headers as Record<string, string> | undefined)?.['x-amz-target'];
    seen.push({ url: String(url), ...(target ? { target } : {}) });
    const body = String(url).endsWith('/_localstack/health')
      ? JSON.stringify({ services: { s3: 'available', secretsmanager: 'available', stepfunctions: 'running', lambda: 'available', sns: 'available' } })
      : JSON.stringify({ stateMachines: [] });
    return new Response(body, { status: 200 });
  }) as typeof globalThis.fetch;
  return { seen, readiness: { fetch, intervalMs: 1 } };
}

const noEngine = { DOCKER_HOST: 'unix:///nonexistent/rehearse-test.sock', LOCALSTACK_AUTH_TOKEN: 'ls-test' };

describe('parseBackendSpec', () => {
  it('accepts the four kinds', () => {
    expect(parseBackendSpec('embedded')).toEqual({ kind: 'embedded' });
    expect(parseBackendSpec('localstack')).toEqual({ kind: 'localstack' });
    expect(parseBackendSpec('stepfunctions-local')).toEqual({ kind: 'stepfunctions-local' });
    expect(parseBackendSpec('endpoint=http://127.0.0.1:4566/')).toEqual({ kind: 'endpoint', url: 'http://127.0.0.1:4566' });
  });

  it('rejects bad specs with ERR_BAD_INPUT and a way forward', () => {
    const err = (s: string) => {
      try {
        parseBackendSpec(s);
      } catch (e) {
        expect(e).toBeInstanceOf(RehearseError);
        expect((e as RehearseError).code).toBe('ERR_BAD_INPUT');
        return (e as Error).message;
      }
      throw new Error(`accepted ${s}`);
    };
    expect(err('localstak')).toMatch(/unknown backend "localstak".*did you mean localstack\?/);
    expect(err('endpoint')).toMatch(/needs a URL: --backend endpoint=http/);
    expect(err('http://127.0.0.1:4566')).toMatch(/write --backend endpoint=http:\/\/127\.0\.0\.1:4566/);
    expect(err('endpoint=ftp://x')).toMatch(/scheme must be http or https, not ftp/);
    expect(err('endpoint=http://h:1/path')).toMatch(/origin only/);
    expect(err('endpoint=not a url')).toMatch(/not a URL/);
  });
});

describe('Docker backends without an engine', () => {
  it.each(['localstack', 'stepfunctions-local'])('%s fails with ERR_BACKEND_UNAVAILABLE (exit 3) naming the embedded backend', async (spec) => {
    const err = await createBackend(spec, { env: noEngine }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RehearseError);
    expect((err as RehearseError).code).toBe('ERR_BACKEND_UNAVAILABLE');
    expect((err as Error).message).toMatch(new RegExp(`no Docker engine reachable for the ${spec} backend.*--backend embedded`));
  });
});

describe('localstack backend (scripted docker)', () => {
  it('says the token is missing, and how to get one, before pulling anything', async () => {
    const docker = fakeDocker();
    const err = await createBackend('localstack', { env: {}, run: docker.run, process: new FakeProcess() }).catch((e: unknown) => e);
    expect((err as RehearseError).code).toBe('ERR_BACKEND_UNAVAILABLE');
    expect((err as Error).message).toMatch(/LOCALSTACK_AUTH_TOKEN is not set/);
    expect((err as RehearseError).hint).toMatch(/app\.localstack\.cloud.*export LOCALSTACK_AUTH_TOKEN/);
    expect(docker.calls.some((c) => c.args.includes('up'))).toBe(false);
  });

  it('starts the localstack profile on a free port with the token and the mock config, and takes it down on dispose', async () => {
    const docker = fakeDocker();
    const serving = fakeServing();
    const backend = (await createBackend('localstack', {
      readiness: serving.readiness,
      env: { LOCALSTACK_AUTH_TOKEN: 'ls-secret' },
      run: docker.run,
      process: new FakeProcess(),
      projectName: 'rehearse-localstack-t1',
      mockConfig: { StateMachines: { sm: { TestCases: { t: { A: 'R' } } } }, MockedResponses: { R: { '0': { Return: 1 } } } },
    })) as DockerBackend;
    const up = docker.calls.find((c) => c.args.includes('up'))!;
    expect(up.args).toEqual(expect.arrayContaining(['--project-name', 'rehearse-localstack-t1', '--profile', 'localstack', 'up', '--wait']));
    expect(up.env).toMatchObject({ LOCALSTACK_AUTH_TOKEN: 'ls-secret', REHEARSE_LOCALSTACK_PORT: '0' });
    const mockPath = up.env!.REHEARSE_SFN_MOCK_CONFIG!;
    expect(JSON.parse(readFileSync(mockPath, 'utf8'))).toMatchObject({ StateMachines: { sm: {} } });
    expect(backend).toMatchObject({ name: 'localstack', endpoint: 'http://127.0.0.1:49153', region: 'us-east-1', projectName: 'rehearse-localstack-t1' });
    expect(serving.seen).toEqual([{ url: 'http://127.0.0.1:49153/_localstack/health' }]);
    expect(backend.capabilities).toMatchObject({ virtualTime: false, functionFaults: 'mock-config', observations: false });
    expect(backend.controlUrl).toBeUndefined();
    expect(endpointFor(backend, 'states')).toBe('http://127.0.0.1:49153');
    await backend.dispose();
    await backend[Symbol.asyncDispose]();
    expect(docker.calls.filter((c) => c.args.includes('down'))).toHaveLength(1);
    expect(docker.calls.at(-1)!.args.slice(-5)).toEqual(downArgs({ file: '', projectName: '', profiles: [], env: {} }).slice(-5));
    expect(() => readFileSync(mockPath)).toThrow(/ENOENT/);
  });

  it('reports a missing image by name and leaves nothing behind', async () => {
    const docker = fakeDocker((args) =>
      args.includes('up') ? { exitCode: 1, stderr: 'Error response from daemon: manifest for localstack/localstack:2026.06.0 not found: manifest unknown' } : undefined,
    );
    const err = await createBackend('localstack', { env: { LOCALSTACK_AUTH_TOKEN: 'x' }, run: docker.run, process: new FakeProcess(), readiness: fakeServing().readiness }).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/Docker image localstack\/localstack:2026\.06\.0 is missing/);
    expect(docker.calls.at(-1)!.args).toContain('down');
  });
});

describe('stepfunctions-local backend (scripted docker)', () => {
  it('serves states from Step Functions Local and everything else (plus /_rehearse) from the rehearse container', async () => {
    const docker = fakeDocker();
    const serving = fakeServing();
    await using backend = (await createBackend('stepfunctions-local', { env: {}, run: docker.run, process: new FakeProcess(), readiness: serving.readiness })) as DockerBackend;
    expect(serving.seen).toEqual([{ url: 'http://127.0.0.1:49154', target: 'AWSStepFunctions.ListStateMachines' }]);
    const up = docker.calls.find((c) => c.args.includes('up'))!;
    expect(up.args).toEqual(expect.arrayContaining(['--profile', 'stepfunctions-local']));
    expect(up.env).toMatchObject({ REHEARSE_PORT: '0', REHEARSE_SFN_PORT: '0' });
    expect(up.env!.REHEARSE_SFN_MOCK_CONFIG).toMatch(/docker\/mocks\/MockConfigFile\.json$/);
    expect(docker.calls.filter((c) => c.args.includes('port')).map((c) => c.args.slice(-2))).toEqual([
      ['rehearse', '4566'],
      ['stepfunctions-local', '8083'],
    ]);
    expect(backend.endpoint).toBe('http://127.0.0.1:49153');
    expect(endpointFor(backend, 'states')).toBe('http://127.0.0.1:49154');
    expect(endpointFor(backend, 's3')).toBe('http://127.0.0.1:49153');
    expect(backend.controlUrl).toBe('http://127.0.0.1:49153/_rehearse');
    expect(backend.capabilities.functionFaults).toBe('control-api');
    expect(backend.projectName).toBe(`rehearse-stepfunctions-local-${process.pid}`);
  });
});

describe('a backend that never starts serving', () => {
  it('is taken down and reported with the last problem', async () => {
    const docker = fakeDocker();
    const fetch = (async () => new Response('{"services":{"s3":"initializing"}}', { status: 200 })) as typeof globalThis.fetch;
    const err = await createBackend('localstack', {
      env: { LOCALSTACK_AUTH_TOKEN: 'x' },
      run: docker.run,
      process: new FakeProcess(),
      readiness: { fetch, timeoutMs: 50, intervalMs: 10 },
    }).catch((e: unknown) => e);
    expect((err as RehearseError).code).toBe('ERR_BACKEND_UNAVAILABLE');
    expect((err as Error).message).toMatch(/LocalStack at http:\/\/127\.0\.0\.1:49153\/_localstack\/health did not start serving within 0\.05 s \(last: HTTP 200 .*initializing/);
    expect(docker.calls.at(-1)!.args).toContain('down');
  });
});
