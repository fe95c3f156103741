/** `rehearse down`: remove everything `rehearse up` started (containers, networks, volumes). */
import { parseArgs } from 'node:util';
import { RehearseError } from '../../core/index.ts';
import { CLI_PROJECT, ComposeSession, defaultProject } from '../../backends/compose.ts';
import { requireCompose, requireEngine } from '../../backends/docker-engine.ts';
import type { CliIo } from '../io.ts';
import { definedEnv } from './up.ts';

const USAGE = `usage: rehearse down

Stops and removes every container, network and volume of the "${CLI_PROJECT}" Compose project
(all of rehearse, stepfunctions-local and localstack that \`rehearse up\` started).`;

export async function run(argv: string[], io: CliIo): Promise<number> {
  let help: boolean;
  try {
    help = parseArgs({ args: argv, options: { help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false }).values.help === true;
  } catch (e) {
    throw new RehearseError('ERR_BAD_INPUT', `${(e as Error).message}\n${USAGE}`);
  }
  if (help) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const env = definedEnv(io.env);
  await requireEngine('rehearse down', { env });
  await requireCompose({ env });
  // Every profile, so `down` sees every service the project may have.
  const session = new ComposeSession(defaultProject(['rehearse', 'stepfunctions-local', 'localstack'], CLI_PROJECT, env), { stderr: io.stderr });
  await session.down();
  io.stdout.write(`removed the ${CLI_PROJECT} Compose project\n`);
  return 0;
}
