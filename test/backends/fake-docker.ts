/** A scripted `docker` for command-building tests: records every call, answers from a script. Pure logic, no engine. */
import { EventEmitter } from 'node:events';
import type { ProcessLike } from '../../harness/backends/compose.ts';
import type { CommandOptions, CommandResult, CommandRunner } from '../../harness/backends/run-command.ts';

export interface Call {
  file: string;
  args: string[];
  env?: Record<string, string | undefined>;
}

export type Script = (args: string[]) => Partial<CommandResult> | undefined;

export const ok = (stdout = ''): Partial<CommandResult> => ({ exitCode: 0, stdout });

/** Answers `docker info`, `docker compose version`, `up`, `port`, `down` like a healthy engine unless `script` says otherwise. */
export function fakeDocker(script: Script = () => undefined): { run: CommandRunner; calls: Call[]; sync: Call[]; runSync: (f: string, a: readonly string[], o?: CommandOptions) => CommandResult } {
  const calls: Call[] = [];
  const sync: Call[] = [];
  const answer = (args: string[]): CommandResult => {
    const scripted = script(args);
    const base: CommandResult = { exitCode: 0, stdout: '', stderr: '', timedOut: false, notFound: false };
    if (scripted) return { ...base, ...scripted };
    if (args[0] === 'info') return { ...base, stdout: '28.2.2\n' };
    if (args[0] === 'compose' && args[1] === 'version') return { ...base, stdout: '2.39.1\n' };
    if (args.includes('port')) return { ...base, stdout: `127.0.0.1:${args.at(-1) === '8083' ? 49154 : 49153}\n` };
    return base;
  };
  return {
    calls,
    sync,
    run: async (file, args, options) => {
      calls.push({ file, args: [...args], env: options?.env });
      return answer([...args]);
    },
    runSync: (file, args, options) => {
      sync.push({ file, args: [...args], env: options?.env });
      return answer([...args]);
    },
  };
}

/** A `process` stand-in: signals are emitted by the test; kill() is recorded. */
export class FakeProcess extends EventEmitter implements ProcessLike {
  readonly pid = 4242;
  readonly killed: string[] = [];
  kill(_pid: number, signal: string): boolean {
    this.killed.push(signal);
    return true;
  }
}
