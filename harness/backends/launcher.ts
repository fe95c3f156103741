/**
 * Starting docker-compose.yml's services for a backend, by one of two
 * launchers sharing the same compose file (one source of truth):
 * - `compose`: `docker compose up --detach --wait` through execa (ComposeSession);
 * - `testcontainers`: testcontainers' DockerComposeEnvironment, whose Ryuk
 *   reaper also removes the containers if this process is killed outright.
 * testcontainers is imported only when chosen: it is heavy, and v12 fails to
 * import on Node 20 (we pin v11).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { RehearseError } from '../core/index.ts';
import { ComposeSession, diagnoseUpFailure, type ComposeProject, type ComposeSessionOptions } from './compose.ts';
import { requireCompose, requireEngine } from './docker-engine.ts';
import { serializeMockConfig, type MockConfigFile } from './mock-config.ts';
import type { CommandRunner } from './run-command.ts';

export type Launcher = 'compose' | 'testcontainers';

export interface LaunchOptions extends Pick<ComposeSessionOptions, 'process' | 'stdout' | 'stderr'> {
  launcher?: Launcher;
  /** Injected command runner (tests). */
  run?: CommandRunner;
  waitTimeoutSeconds?: number;
  /** Rebuild the rehearse image before starting. */
  build?: boolean;
}

export interface Launched {
  /** Host port per `service:containerPort`. */
  ports: Record<string, number>;
  down(): Promise<void>;
}

/** Writes a MockConfigFile where the compose file mounts it from; returns the path and its cleanup. */
export function writeMockConfig(config: MockConfigFile): { path: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'rehearse-mocks-'));
  const path = join(dir, 'MockConfigFile.json');
  writeFileSync(path, serializeMockConfig(config));
  return { path, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function launch(
  backend: string,
  project: ComposeProject,
  published: Array<{ service: string; port: number }>,
  options: LaunchOptions = {},
): Promise<Launched> {
  await requireEngine(`the ${backend} backend`, { run: options.run, env: project.env });
  await requireCompose({ run: options.run, env: project.env });
  if ((options.launcher ?? 'compose') === 'testcontainers') return launchWithTestcontainers(project, published, options);

  const session = new ComposeSession(project, options);
  await session.up({ waitTimeoutSeconds: options.waitTimeoutSeconds, build: options.build });
  try {
    const ports: Record<string, number> = {};
    for (const p of published) ports[`${p.service}:${p.port}`] = await session.hostPort(p.service, p.port);
    return { ports, down: () => session.down() };
  } catch (e) {
    await session.down();
    throw e;
  }
}

/**
 * Launches, then waits until `ready` says the containers really serve. On any
 * failure the project is taken down and the mock config removed, so no backend
 * leaves containers or temp files behind.
 */
export async function launchServing(
  backend: string,
  project: ComposeProject,
  published: Array<{ service: string; port: number }>,
  options: LaunchOptions,
  mocks: { remove: () => void } | undefined,
  ready: (launched: Launched) => Promise<void>,
): Promise<Launched> {
  let launched: Launched;
  try {
    launched = await launch(backend, project, published, options);
  } catch (e) {
    mocks?.remove();
    throw e;
  }
  try {
    await ready(launched);
  } catch (e) {
    await launched.down();
    mocks?.remove();
    throw e;
  }
  return launched;
}

/** testcontainers is an optional peer dependency (it pulls a Docker client, gRPC and SSH in): installed by whoever chooses it. */
async function importTestcontainers(): Promise<typeof import('testcontainers')> {
  try {
    return await import('testcontainers');
  } catch (e) {
    if ((e as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw e;
    throw new RehearseError('ERR_BACKEND_UNAVAILABLE', "the testcontainers launcher needs the testcontainers package, which is not installed", {
      cause: e,
      hint: 'npm install -D testcontainers@11 (v12 does not load on Node 20), or use the default compose launcher',
    });
  }
}

async function launchWithTestcontainers(project: ComposeProject, published: Array<{ service: string; port: number }>, options: LaunchOptions): Promise<Launched> {
  const tc = await importTestcontainers();
  let env = new tc.DockerComposeEnvironment(dirname(project.file), basename(project.file))
    .withProjectName(project.projectName)
    .withProfiles(...project.profiles)
    .withEnvironment(project.env)
    // The compose healthchecks are the readiness truth, as with `up --wait`.
    .withDefaultWaitStrategy(tc.Wait.forHealthCheck())
    .withStartupTimeout((options.waitTimeoutSeconds ?? 180) * 1000);
  if (options.build) env = env.withBuild();
  let started: Awaited<ReturnType<typeof env.up>>;
  try {
    started = await env.up();
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    throw diagnoseUpFailure({ stderr: message, stdout: '', exitCode: 1, timedOut: false }, project);
  }
  try {
    const ports: Record<string, number> = {};
    for (const p of published) ports[`${p.service}:${p.port}`] = started.getContainer(`${p.service}-1`).getMappedPort(p.port);
    return { ports, down: async () => void (await started.down({ removeVolumes: true })) };
  } catch (e) {
    await started.down({ removeVolumes: true });
    throw new RehearseError('ERR_BACKEND_UNAVAILABLE', `testcontainers started ${project.profiles.join(', ')} but ${(e as Error).message}`, { cause: e });
  }
}
