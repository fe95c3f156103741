/**
 * `rehearse <command>`: thin dispatch to harness/cli/commands/<command>.ts,
 * each exporting `run(argv, io): Promise<number>` (an exit code). Only this
 * entry calls process.exit (DESIGN.md style 7).
 */
import { EXIT_CODES, RehearseError } from '../core/index.ts';
import type { CliIo } from './io.ts';

interface CommandModule {
  run(argv: string[], io: CliIo): Promise<number>;
}

/** Each command's module is loaded only when it runs: `rehearse --help` loads none of them. */
const COMMANDS: Record<string, () => Promise<CommandModule>> = {
  init: () => import('./commands/init.ts'),
  run: () => import('./commands/run.ts'),
  validate: () => import('./commands/validate.ts'),
  serve: () => import('./commands/serve.ts'),
  up: () => import('./commands/up.ts'),
  down: () => import('./commands/down.ts'),
  replay: () => import('./commands/replay.ts'),
};

const USAGE = `usage: rehearse <command> [options]

commands:
  init                  set up a repository: rehearse.config.yaml and a starter scenario per state machine
  run [files|dirs]      run scenarios (default: the config's scenarios folder)
  validate [paths]      validate the template, its state machines and its functions
  serve                 run the embedded AWS endpoint
  up | down             start / stop the Docker Compose backends
  replay HISTORY.json   turn a real execution into a scenario

rehearse <command> --help for its options`;

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    io.stdout.write(`${USAGE}\n`);
    return name ? 0 : EXIT_CODES.ERR_BAD_INPUT;
  }
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!load) {
    io.stderr.write(`rehearse: unknown command '${name}'\n${USAGE}\n`);
    return EXIT_CODES.ERR_BAD_INPUT;
  }
  try {
    return await (await load()).run(rest, io);
  } catch (e) {
    if (e instanceof RehearseError) {
      io.stderr.write(`rehearse ${name}: ${e.message}${e.hint ? `\n  ${e.hint}` : ''}\n`);
      return EXIT_CODES[e.code];
    }
    io.stderr.write(`rehearse ${name}: internal error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return EXIT_CODES.ERR_INTERNAL;
  }
}
