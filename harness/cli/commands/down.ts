/** `rehearse down`: remove everything `rehearse up` started (containers, networks, volumes). */
import { parseArgs } from 'node:util';
import { RehearseError } from '../../core/index.ts';
import { CLI_PROJECT, ComposeSession, defaultProject, lsArgs, parseComposeLs } from '../../backends/compose.ts';
import { requireCompose, requireEngine } from '../../backends/docker-engine.ts';
import { execaRunner } from '../../backends/run-command.ts';
import type { CliIo } from '../io.ts';
import { definedEnv } from './up.ts';

const USAGE = `usage: rehearse down [--all]

Stops and removes every container, network and volume of the "${CLI_PROJECT}" Compose project
(all of rehearse, stepfunctions-local and localstack that \`rehearse up\` started).

  --all   also remove projects left by runs that were killed outright
          (every Compose project named rehearse-*)`;

export async function run(argv: string[], io: CliIo): Promise<number> {
  let values: { help?: boolean; all?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { help: { type: 'boolean', short: 'h' }, all: { type: 'boolean' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new RehearseError('ERR_BAD_INPUT', `${(e as Error).message}\n${USAGE}`);
  }
  if (values.help) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const env = definedEnv(io.env);
  await requireEngine('rehearse down', { env });
  await requireCompose({ env });
  const names = new Set([CLI_PROJECT]);
  if (values.all) {
    const r = await execaRunner('docker', lsArgs(), { env, timeoutMs: 30_000 });
    if (r.exitCode !== 0) throw new RehearseError('ERR_BACKEND_UNAVAILABLE', `docker compose ls failed: ${r.stderr.trim()}`);
    for (const name of parseComposeLs(r.stdout)) names.add(name);
  }
  for (const name of names) {
    // Every profile, so `down` sees every service the project may have.
    const session = new ComposeSession(defaultProject(['rehearse', 'stepfunctions-local', 'localstack'], name, env), { stderr: io.stderr });
    await session.down();
    io.stdout.write(`removed the ${name} Compose project\n`);
  }
  return 0;
}
