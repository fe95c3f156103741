/**
 * Is a Docker engine reachable? `docker info` with a short timeout answers it
 * for every setup (local socket, rootless, Docker Desktop, `docker context`,
 * DOCKER_HOST) without us guessing socket paths. A missing engine is the one
 * error every Docker-backed command shares: exit 3 with a way forward.
 */
import { RehearseError } from '../core/index.ts';
import { execaRunner, type CommandRunner } from './run-command.ts';

export type EngineStatus =
  | { reachable: true; serverVersion: string }
  | { reachable: false; reason: string };

export interface DetectEngineOptions {
  run?: CommandRunner;
  env?: Record<string, string | undefined>;
  /** `docker info` gives up after this long (a hung remote daemon must not hang us). */
  timeoutMs?: number;
}

export const ENGINE_HINT = 'use `--backend embedded` instead (the default; it needs no Docker)';

/** The first meaningful line of docker's error output. */
function firstLine(text: string): string {
  return (
    text
      .split('\n')
      .map((l) => l.trim())
      .find((l) => l.length > 0) ?? ''
  );
}

export async function detectEngine(options: DetectEngineOptions = {}): Promise<EngineStatus> {
  const run = options.run ?? execaRunner;
  const timeoutMs = options.timeoutMs ?? 5000;
  const r = await run('docker', ['info', '--format', '{{.ServerVersion}}'], { env: options.env, timeoutMs });
  if (r.notFound) return { reachable: false, reason: 'the `docker` command is not installed' };
  if (r.timedOut) return { reachable: false, reason: `\`docker info\` did not answer within ${timeoutMs / 1000} s` };
  const version = r.stdout.trim();
  if (r.exitCode === 0 && version.length > 0) return { reachable: true, serverVersion: version };
  const why = firstLine(r.stderr) || firstLine(r.stdout) || `\`docker info\` exited with code ${String(r.exitCode)}`;
  return { reachable: false, reason: why };
}

/**
 * Throws ERR_BACKEND_UNAVAILABLE (exit 3): one line saying there is no engine,
 * why, and that the embedded backend needs none. `purpose` names what wanted it
 * ("the localstack backend", "rehearse down").
 */
export async function requireEngine(purpose: string, options: DetectEngineOptions = {}): Promise<string> {
  const status = await detectEngine(options);
  if (status.reachable) return status.serverVersion;
  throw new RehearseError('ERR_BACKEND_UNAVAILABLE', `no Docker engine reachable for ${purpose}: ${status.reason.replace(/[.?]$/, "")}; ${ENGINE_HINT}`);
}

/** Docker Compose v2 (`docker compose`), which `up --wait` needs. */
export async function requireCompose(options: DetectEngineOptions = {}): Promise<string> {
  const run = options.run ?? execaRunner;
  const r = await run('docker', ['compose', 'version', '--short'], { env: options.env, timeoutMs: options.timeoutMs ?? 5000 });
  const version = r.stdout.trim();
  if (r.exitCode === 0 && /^v?\d+\.\d+/.test(version)) {
    const major = Number(/^v?(\d+)/.exec(version)![1]);
    const minor = Number(/^v?\d+\.(\d+)/.exec(version)![1]);
    // `up --wait` arrived in Compose 2.1; `--wait-timeout` in 2.17.
    if (major > 2 || (major === 2 && minor >= 17)) return version;
    throw new RehearseError('ERR_BACKEND_UNAVAILABLE', `Docker Compose ${version} is too old (need ≥ 2.17 for \`up --wait --wait-timeout\`)`, {
      hint: 'Update Docker Desktop or the docker-compose-plugin package.',
    });
  }
  throw new RehearseError('ERR_BACKEND_UNAVAILABLE', 'the Docker Compose v2 plugin (`docker compose`) is not installed', {
    hint: 'Install the docker-compose-plugin package (or Docker Desktop), or use `--backend embedded`.',
  });
}
