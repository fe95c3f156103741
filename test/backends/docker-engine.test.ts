/** Engine and Compose detection: scripted answers for each failure, plus the real `docker` client against a socket that does not exist. */
import { describe, expect, it } from 'vitest';
import { RehearseError } from '../../harness/core/index.ts';
import { detectEngine, requireCompose, requireEngine } from '../../harness/backends/docker-engine.ts';
import { fakeDocker } from './fake-docker.ts';

describe('detectEngine', () => {
  it('reports the server version when `docker info` answers', async () => {
    const docker = fakeDocker();
    expect(await detectEngine({ run: docker.run })).toEqual({ reachable: true, serverVersion: '28.2.2' });
    expect(docker.calls[0]!.args).toEqual(['info', '--format', '{{.ServerVersion}}']);
  });

  it('says why not: no docker command, no answer in time, daemon down', async () => {
    expect(await detectEngine({ run: fakeDocker(() => ({ notFound: true, exitCode: undefined })).run })).toEqual({
      reachable: false,
      reason: 'the `docker` command is not installed',
    });
    expect(await detectEngine({ run: fakeDocker(() => ({ timedOut: true, exitCode: undefined })).run, timeoutMs: 2000 })).toEqual({
      reachable: false,
      reason: '`docker info` did not answer within 2 s',
    });
    const down = fakeDocker(() => ({ exitCode: 1, stdout: '\n', stderr: '\nCannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?\n' }));
    expect(await detectEngine({ run: down.run })).toEqual({
      reachable: false,
      reason: 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?',
    });
  });

  it('finds no engine behind a socket that does not exist (real docker client, or none installed)', async () => {
    const status = await detectEngine({ env: { DOCKER_HOST: 'unix:///nonexistent/rehearse-test.sock' } });
    expect(status.reachable).toBe(false);
  });
});

describe('requireEngine / requireCompose', () => {
  it('throws ERR_BACKEND_UNAVAILABLE (exit 3) in one line pointing at the embedded backend', async () => {
    const err = await requireEngine('the localstack backend', { run: fakeDocker(() => ({ exitCode: 1, stderr: 'Cannot connect to the Docker daemon at unix:///x.sock. Is the docker daemon running?' })).run }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RehearseError);
    expect((err as RehearseError).code).toBe('ERR_BACKEND_UNAVAILABLE');
    expect((err as RehearseError).message).toBe(
      'no Docker engine reachable for the localstack backend: Cannot connect to the Docker daemon at unix:///x.sock. Is the docker daemon running; use `--backend embedded` instead (the default; it needs no Docker)',
    );
    expect((err as RehearseError).message).not.toContain('\n');
  });

  it('needs Compose v2 ≥ 2.17 and says how to get it', async () => {
    expect(await requireCompose({ run: fakeDocker().run })).toBe('2.39.1');
    await expect(requireCompose({ run: fakeDocker((a) => (a[1] === 'version' ? { exitCode: 0, stdout: 'v2.12.0' } : undefined)).run })).rejects.toThrow(/2\.12\.0 is too old/);
    await expect(requireCompose({ run: fakeDocker((a) => (a[1] === 'version' ? { exitCode: 1, stderr: "docker: unknown command: docker compose" } : undefined)).run })).rejects.toThrow(
      /Docker Compose v2 plugin .* is not installed/,
    );
  });
});
