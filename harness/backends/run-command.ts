/**
 * One way to run an external command (docker, docker compose), injectable so
 * command builders and error mapping are tested without an engine.
 */
import type { execaSync as ExecaSync } from 'execa';
import { requireCommonJs } from '../core/commonjs.ts';

export interface CommandResult {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  /** The executable itself was not found (ENOENT). */
  notFound: boolean;
}

export interface CommandOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
  /** Stream output to these (for `rehearse up` progress) instead of only capturing it. */
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WritableStream;
}

export type CommandRunner = (file: string, args: readonly string[], options?: CommandOptions) => Promise<CommandResult>;

interface ExecaLikeResult {
  exitCode?: number;
  stdout?: unknown;
  stderr?: unknown;
  timedOut?: boolean;
  code?: unknown;
}

function toResult(r: ExecaLikeResult): CommandResult {
  return {
    exitCode: r.exitCode,
    stdout: typeof r.stdout === 'string' ? r.stdout : '',
    stderr: typeof r.stderr === 'string' ? r.stderr : '',
    timedOut: r.timedOut === true,
    notFound: r.code === 'ENOENT',
  };
}

/** The same execa settings for both variants: inherit the environment, never throw on exit codes, no stdin. */
const execaOptions = (options: CommandOptions) =>
  ({ cwd: options.cwd, env: options.env, extendEnv: true, reject: false, timeout: options.timeoutMs, stdin: 'ignore' }) as const;

/**
 * execa, loaded by the first command: a run on the embedded backend never
 * starts one, and execa is about a hundred ES modules (≈ 70 ms to load cold).
 */
let execaModule: typeof import('execa') | undefined;

export const execaRunner: CommandRunner = async (file, args, options = {}) => {
  execaModule ??= await import('execa');
  const child = execaModule.execa(file, [...args], execaOptions(options));
  if (options.stdout) child.stdout?.pipe(options.stdout, { end: false });
  if (options.stderr) child.stderr?.pipe(options.stderr, { end: false });
  return toResult((await child) as ExecaLikeResult);
};

/** Synchronous variant, for the only place async work cannot run: a process 'exit' handler. */
export function runSync(file: string, args: readonly string[], options: CommandOptions = {}): CommandResult {
  // Loaded by the command that started what this one stops; otherwise through require (Node ≥ 20.19 loads an ES module so).
  const execaSync: typeof ExecaSync = (execaModule ?? (requireCommonJs('execa') as typeof import('execa'))).execaSync;
  return toResult(execaSync(file, [...args], execaOptions(options)) as ExecaLikeResult);
}
