/**
 * Docker Compose, driven through `docker compose` (execa): command building
 * (pure, tested without an engine), project naming, error diagnosis, and a
 * session that always runs `down` — on dispose, on failure, on Ctrl-C/SIGTERM,
 * and as a last resort synchronously on process exit.
 */
import { RehearseError } from '../core/index.ts';
import { ENGINE_HINT } from './docker-engine.ts';
import { COMPOSE_FILE, pinnedImages } from './images.ts';
import { execaRunner, runSync, type CommandOptions, type CommandRunner, type CommandResult } from './run-command.ts';

export type ComposeProfile = 'localstack' | 'stepfunctions-local' | 'rehearse';

export interface ComposeProject {
  /** Path of docker-compose.yml. */
  file: string;
  /** `-p`: containers, networks and volumes are named after it, and `down` removes exactly those. */
  projectName: string;
  profiles: ComposeProfile[];
  /** Variables the compose file interpolates (REHEARSE_*_PORT, REHEARSE_SFN_MOCK_CONFIG, LOCALSTACK_AUTH_TOKEN…). */
  env: Record<string, string>;
}

/** The fixed project `rehearse up` / `rehearse down` share. */
export const CLI_PROJECT = 'rehearse';

/**
 * Compose project names: lowercase letters, digits, `-` and `_`, starting with
 * a letter or digit (docs.docker.com "Specify a project name"). Backends started
 * by a scenario run get their own name so parallel runs never share containers.
 */
export function projectName(label: string, unique?: string | number): string {
  const clean = `rehearse-${label}${unique === undefined ? '' : `-${unique}`}`
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^[^a-z0-9]+|-+$/g, '');
  if (!/^[a-z0-9][a-z0-9_-]*$/.test(clean)) throw new Error(`cannot make a compose project name from ${JSON.stringify(label)}`);
  return clean;
}

export function defaultProject(profiles: ComposeProfile[], name = CLI_PROJECT, env: Record<string, string> = {}): ComposeProject {
  return { file: COMPOSE_FILE, projectName: name, profiles, env };
}

export function baseArgs(p: ComposeProject): string[] {
  const args = ['compose', '--file', p.file, '--project-name', p.projectName];
  for (const profile of p.profiles) args.push('--profile', profile);
  return args;
}

export interface UpOptions {
  /** Seconds `--wait` waits for every healthcheck (default 180: LocalStack pulls and boots slowly). */
  waitTimeoutSeconds?: number;
  /** Rebuild the rehearse image first. */
  build?: boolean;
  /** Only these services (default: every service of the profiles). */
  services?: string[];
}

export function upArgs(p: ComposeProject, options: UpOptions = {}): string[] {
  const args = [...baseArgs(p), 'up', '--detach', '--wait', '--wait-timeout', String(options.waitTimeoutSeconds ?? 180), '--remove-orphans'];
  if (options.build) args.push('--build');
  args.push(...(options.services ?? []));
  return args;
}

export function downArgs(p: ComposeProject, timeoutSeconds = 10): string[] {
  return [...baseArgs(p), 'down', '--volumes', '--remove-orphans', '--timeout', String(timeoutSeconds)];
}

export function portArgs(p: ComposeProject, service: string, containerPort: number): string[] {
  return [...baseArgs(p), 'port', service, String(containerPort)];
}

/** Every Compose project whose name starts with `rehearse` (running or stopped). */
export function lsArgs(): string[] {
  return ['compose', 'ls', '--all', '--format', 'json', '--filter', 'name=rehearse'];
}

/** Names of our projects in `docker compose ls --format json` output (`[{"Name":…,"Status":…,"ConfigFiles":…}]`). */
export function parseComposeLs(text: string): string[] {
  const trimmed = text.trim();
  if (!trimmed) return [];
  let rows: unknown;
  try {
    rows = JSON.parse(trimmed);
  } catch {
    throw new Error(`unexpected \`docker compose ls\` output: ${JSON.stringify(trimmed.slice(0, 200))}`);
  }
  if (!Array.isArray(rows)) throw new Error('unexpected `docker compose ls` output: not a JSON array');
  return rows
    .map((r) => (typeof r === 'object' && r !== null ? (r as { Name?: unknown }).Name : undefined))
    .filter((n): n is string => typeof n === 'string' && /^rehearse(?:-|$)/.test(n));
}

/** `docker compose port` prints `127.0.0.1:49153` (or `0.0.0.0:4566`, `[::]:4566`); returns the host port. */
export function parsePortOutput(text: string): number {
  const line = text.trim().split('\n')[0]?.trim() ?? '';
  const m = /:(\d+)$/.exec(line);
  if (!m) throw new Error(`unexpected \`docker compose port\` output: ${JSON.stringify(text)}`);
  return Number(m[1]);
}

/**
 * Turns a failed `docker compose up` into one clear error saying which thing is
 * missing and how to fix it: an image, the LocalStack token, a free port, the engine.
 */
export function diagnoseUpFailure(result: Pick<CommandResult, 'stderr' | 'stdout' | 'exitCode' | 'timedOut'>, p: ComposeProject): RehearseError {
  const text = `${result.stderr}\n${result.stdout}`;
  const images = Object.values(pinnedImages());
  if (result.timedOut) {
    return new RehearseError('ERR_BACKEND_UNAVAILABLE', `docker compose up (${p.profiles.join(', ')}) did not finish in time`, {
      hint: `Inspect with \`docker compose -p ${p.projectName} logs\`; the containers were removed.`,
    });
  }
  if (/Cannot connect to the Docker daemon|error during connect|docker daemon is not running/i.test(text)) {
    return new RehearseError('ERR_BACKEND_UNAVAILABLE', `no Docker engine reachable for docker compose; ${ENGINE_HINT}`);
  }
  if (/pull access denied|manifest unknown|manifest for .* not found|repository does not exist|not found: manifest|failed to resolve reference|no such image/i.test(text)) {
    const image = images.find((i) => text.includes(i)) ?? /(?:image|reference|for) "?([\w./-]+:[\w.-]+)"?/i.exec(text)?.[1] ?? 'an image';
    return new RehearseError('ERR_BACKEND_UNAVAILABLE', `Docker image ${image} is missing and could not be pulled`, {
      hint: `Run \`docker pull ${image}\` (check network access and \`docker login\`), or change its pin in docker/images.json and run \`npx tsx docker/sync-images.ts\`.`,
    });
  }
  if (/port is already allocated|address already in use|bind: .*in use/i.test(text)) {
    return new RehearseError('ERR_BACKEND_UNAVAILABLE', 'a host port the Docker backends use is already taken', {
      hint: 'Stop whatever listens there (`rehearse down` for an earlier `rehearse up`), or set REHEARSE_PORT / REHEARSE_LOCALSTACK_PORT / REHEARSE_SFN_PORT to a free port (0 = any).',
    });
  }
  // LocalStack ≥ 2026.03 exits with code 55 when the auth token is missing or invalid.
  if (/localstack[\w-]*\s+exited \(55\)/i.test(text) || (/localstack/i.test(text) && /auth(entication)? token|license/i.test(text))) {
    return new RehearseError('ERR_BACKEND_UNAVAILABLE', 'LocalStack refused to start: LOCALSTACK_AUTH_TOKEN is missing, invalid or expired (exit code 55)', {
      hint: 'Copy your token from https://app.localstack.cloud/workspace/auth-token and `export LOCALSTACK_AUTH_TOKEN=…`; or use `--backend stepfunctions-local` / `--backend embedded`, which need no token.',
    });
  }
  const first =
    text
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.length > 0)
      .slice(-3)
      .join(' | ') || `exit code ${String(result.exitCode)}`;
  return new RehearseError('ERR_BACKEND_UNAVAILABLE', `docker compose up (${p.profiles.join(', ')}) failed: ${first}`, {
    hint: `Inspect with \`docker compose -p ${p.projectName} logs\`; the containers were removed.`,
  });
}

/** What the session needs from `process` (injectable: tests drive signals on an EventEmitter). */
export interface ProcessLike {
  on(event: 'SIGINT' | 'SIGTERM' | 'exit', listener: (...args: unknown[]) => void): unknown;
  off(event: 'SIGINT' | 'SIGTERM' | 'exit', listener: (...args: unknown[]) => void): unknown;
  listenerCount(event: 'SIGINT' | 'SIGTERM' | 'exit'): number;
  kill(pid: number, signal: string): unknown;
  readonly pid: number;
}

export interface ComposeSessionOptions {
  run?: CommandRunner;
  /** Synchronous runner for the exit handler (default: execa's sync mode). */
  runSync?: (file: string, args: readonly string[], options?: CommandOptions) => CommandResult;
  process?: ProcessLike;
  /** Where `up`'s progress goes (default: captured only). */
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
}

/**
 * One compose project brought up and guaranteed to come down. Cleanup hooks are
 * installed *before* `up` starts, so an interrupt during a long image pull
 * still removes what was created.
 */
export class ComposeSession implements AsyncDisposable {
  readonly project: ComposeProject;
  private readonly run: CommandRunner;
  private readonly runSync: NonNullable<ComposeSessionOptions['runSync']>;
  private readonly proc: ProcessLike;
  private readonly options: ComposeSessionOptions;
  private state: 'idle' | 'up' | 'downing' | 'down' = 'idle';
  private downing: Promise<void> | undefined;
  private hooked = false;

  constructor(project: ComposeProject, options: ComposeSessionOptions = {}) {
    this.project = project;
    this.options = options;
    this.run = options.run ?? execaRunner;
    this.runSync = options.runSync ?? runSync;
    this.proc = options.process ?? (process as unknown as ProcessLike);
  }

  private readonly onSignal = (signal: unknown): void => {
    const name = typeof signal === 'string' ? signal : 'SIGINT';
    void this.down().finally(() => {
      this.unhook();
      // If nobody else handles the signal, do what it would have done without us.
      if (this.proc.listenerCount(name as 'SIGINT') === 0) this.proc.kill(this.proc.pid, name);
    });
  };

  private readonly onExit = (): void => {
    if (this.state === 'down') return;
    this.runSync('docker', downArgs(this.project, 5), { env: this.project.env, cwd: undefined, timeoutMs: 60_000 });
    this.state = 'down';
  };

  private hook(): void {
    if (this.hooked) return;
    this.hooked = true;
    this.proc.on('SIGINT', this.onSignal);
    this.proc.on('SIGTERM', this.onSignal);
    this.proc.on('exit', this.onExit);
  }

  private unhook(): void {
    if (!this.hooked) return;
    this.hooked = false;
    this.proc.off('SIGINT', this.onSignal);
    this.proc.off('SIGTERM', this.onSignal);
    this.proc.off('exit', this.onExit);
  }

  get isUp(): boolean {
    return this.state === 'up';
  }

  /**
   * `docker compose up --detach --wait`. On failure the project is taken down
   * and a diagnosed RehearseError thrown. With `keep`, the containers outlive
   * this process (`rehearse up`); cleanup hooks are removed once they are healthy.
   */
  async up(options: UpOptions & { keep?: boolean } = {}): Promise<void> {
    if (this.state !== 'idle') throw new Error(`compose project ${this.project.projectName} was already started`);
    this.hook();
    let result: CommandResult;
    try {
      result = await this.run('docker', upArgs(this.project, options), {
        env: this.project.env,
        stdout: this.options.stdout,
        stderr: this.options.stderr,
      });
    } catch (e) {
      // The runner itself failed (not docker): still remove whatever may exist.
      this.downing = undefined;
      this.state = 'up';
      await this.down().catch(() => {});
      throw e;
    }
    if (this.state !== 'idle') {
      // Interrupted while starting: `down` may have run before `up` stopped creating things; run it again.
      this.downing = undefined;
      this.state = 'up';
      await this.down();
      throw new RehearseError('ERR_BACKEND_UNAVAILABLE', `interrupted while starting ${this.project.profiles.join(', ')}; the containers were removed`);
    }
    this.state = 'up';
    if (result.exitCode !== 0 || result.timedOut) {
      const error = diagnoseUpFailure(result, this.project);
      await this.down();
      throw error;
    }
    if (options.keep) this.unhook();
  }

  /** The host port Docker published for `service`'s `containerPort`. */
  async hostPort(service: string, containerPort: number): Promise<number> {
    const r = await this.run('docker', portArgs(this.project, service, containerPort), { env: this.project.env, timeoutMs: 15_000 });
    if (r.exitCode !== 0) {
      throw new RehearseError('ERR_BACKEND_UNAVAILABLE', `could not find the host port of ${service}:${containerPort} (${r.stderr.trim() || 'no output'})`);
    }
    return parsePortOutput(r.stdout);
  }

  /** `docker compose down --volumes --remove-orphans`; idempotent, concurrent calls share one run. */
  down(): Promise<void> {
    if (this.state === 'down') return Promise.resolve();
    this.downing ??= (async () => {
      this.state = 'downing';
      try {
        const r = await this.run('docker', downArgs(this.project), { env: this.project.env, timeoutMs: 120_000 });
        if (r.exitCode !== 0) {
          throw new RehearseError('ERR_BACKEND_UNAVAILABLE', `docker compose down failed for project ${this.project.projectName}: ${r.stderr.trim()}`, {
            hint: `Remove the containers with \`docker compose -p ${this.project.projectName} down\`.`,
          });
        }
      } finally {
        this.state = 'down';
        this.unhook();
      }
    })();
    return this.downing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.down();
  }
}
