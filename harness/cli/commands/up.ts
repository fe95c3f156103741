/**
 * `rehearse up`: start the Docker Compose backends and leave them running
 * (`rehearse down` removes them). Checks the engine, Compose and — for
 * LocalStack — the auth token before pulling anything; a failed or
 * interrupted start removes whatever was created.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { RehearseError } from '../../core/index.ts';
import { CLI_PROJECT, ComposeSession, defaultProject, type ComposeProfile } from '../../backends/compose.ts';
import { requireCompose, requireEngine } from '../../backends/docker-engine.ts';
import { requireAuthToken } from '../../backends/localstack.ts';
import { validateMockConfig } from '../../backends/mock-config.ts';
import type { CliIo } from '../io.ts';

const USAGE = `usage: rehearse up [--backend rehearse|stepfunctions-local|localstack]... [options]

Starts the Docker Compose services (docker-compose.yml) in project "${CLI_PROJECT}" and
waits for their healthchecks. They keep running until \`rehearse down\`.

  --backend NAME       rehearse (default): our endpoint as a container, no token needed
                       stepfunctions-local: AWS Step Functions Local + the rehearse container
                       localstack: LocalStack (needs LOCALSTACK_AUTH_TOKEN)
  --build              rebuild the rehearse image first
  --mock-config FILE   a Step Functions Local MockConfigFile (SFN_MOCK_CONFIG)
  --wait-timeout S     seconds to wait for healthchecks (default 180)
  --clock real|virtual the rehearse container's clock (default: virtual when it runs
                       alone, real next to Step Functions Local, whose timers are real)

Host ports: REHEARSE_PORT (4567), REHEARSE_SFN_PORT (8083), REHEARSE_LOCALSTACK_PORT (4566).
No Docker? Everything also runs on the embedded endpoint: \`rehearse run\` (no --backend).`;

const PROFILES: readonly ComposeProfile[] = ['rehearse', 'stepfunctions-local', 'localstack'];

/** What each profile publishes, for the summary line. */
const PUBLISHED: Record<ComposeProfile, Array<{ service: string; port: number; label: string }>> = {
  rehearse: [{ service: 'rehearse', port: 4566, label: 'rehearse (S3, Secrets Manager, SNS, Lambda, Step Functions, /_rehearse)' }],
  'stepfunctions-local': [
    { service: 'rehearse', port: 4566, label: 'rehearse (S3, Secrets Manager, SNS, Lambda, /_rehearse)' },
    { service: 'stepfunctions-local', port: 8083, label: 'Step Functions Local (states)' },
  ],
  localstack: [{ service: 'localstack', port: 4566, label: 'LocalStack' }],
};

export function definedEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

export interface UpArgs {
  help: boolean;
  profiles: ComposeProfile[];
  build: boolean;
  mockConfig?: string;
  waitTimeoutSeconds: number;
  clock: 'real' | 'virtual';
}

export function parseUpArgs(argv: string[]): UpArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        backend: { type: 'string', multiple: true },
        build: { type: 'boolean', default: false },
        'mock-config': { type: 'string' },
        'wait-timeout': { type: 'string' },
        clock: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (e) {
    throw new RehearseError('ERR_BAD_INPUT', `${(e as Error).message}\n${USAGE}`);
  }
  const profiles: ComposeProfile[] = [];
  for (const b of values.backend ?? ['rehearse']) {
    if (!(PROFILES as readonly string[]).includes(b)) {
      throw new RehearseError('ERR_BAD_INPUT', `--backend ${b}: \`rehearse up\` starts one of ${PROFILES.join(', ')} (embedded needs no Docker; endpoint=URL is already running)`);
    }
    if (!profiles.includes(b as ComposeProfile)) profiles.push(b as ComposeProfile);
  }
  let waitTimeoutSeconds = 180;
  if (values['wait-timeout'] !== undefined) {
    waitTimeoutSeconds = Number(values['wait-timeout']);
    if (!Number.isInteger(waitTimeoutSeconds) || waitTimeoutSeconds < 1) {
      throw new RehearseError('ERR_BAD_INPUT', `--wait-timeout ${values['wait-timeout']}: expected a whole number of seconds ≥ 1`);
    }
  }
  const clock = values.clock ?? (profiles.includes('stepfunctions-local') ? 'real' : 'virtual');
  if (clock !== 'real' && clock !== 'virtual') throw new RehearseError('ERR_BAD_INPUT', `--clock ${clock}: expected real or virtual`);
  if (clock === 'virtual' && profiles.includes('stepfunctions-local')) {
    throw new RehearseError('ERR_BAD_INPUT', '--clock virtual cannot be used with stepfunctions-local: its timers are real, so the rehearse container must be too');
  }
  return { help: values.help === true, profiles, build: values.build === true, mockConfig: values['mock-config'], waitTimeoutSeconds, clock };
}

function checkMockConfig(path: string): string {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new RehearseError('ERR_BAD_INPUT', `--mock-config ${path}: ${(e as Error).message}`);
  }
  const problems = validateMockConfig(value);
  if (problems.length > 0) throw new RehearseError('ERR_BAD_INPUT', `--mock-config ${path}: ${problems.join('; ')}`);
  return path;
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  const args = parseUpArgs(argv);
  if (args.help) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const env = definedEnv(io.env);
  const mockConfig = args.mockConfig ? checkMockConfig(resolve(io.cwd, args.mockConfig)) : undefined;
  await requireEngine(`rehearse up --backend ${args.profiles.join(',')}`, { env });
  await requireCompose({ env });
  if (args.profiles.includes('localstack')) requireAuthToken(env);

  const project = defaultProject(args.profiles, CLI_PROJECT, {
    ...env,
    REHEARSE_CLOCK: args.clock,
    ...(mockConfig ? { REHEARSE_SFN_MOCK_CONFIG: mockConfig } : {}),
  });
  const session = new ComposeSession(project, { stdout: io.stderr, stderr: io.stderr });
  io.stderr.write(`rehearse up: starting ${args.profiles.join(', ')} (project ${project.projectName}); Ctrl-C removes what was started\n`);
  await session.up({ keep: true, build: args.build, waitTimeoutSeconds: args.waitTimeoutSeconds });

  const seen = new Set<string>();
  for (const profile of args.profiles) {
    for (const p of PUBLISHED[profile]) {
      const key = `${p.service}:${p.port}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const port = await session.hostPort(p.service, p.port);
      const url = `http://127.0.0.1:${port}`;
      io.stdout.write(`${p.label}: ${url}\n`);
      if (p.service === 'rehearse' && profile === 'rehearse') io.stdout.write(`  run scenarios on it: rehearse run --backend endpoint=${url}\n`);
    }
  }
  io.stdout.write('stop and remove them with: rehearse down\n');
  return 0;
}
