/**
 * `rehearse serve`: the embedded AWS endpoint, standalone, until SIGINT/SIGTERM.
 * Thin: parse flags, call startEmulator, print the URL, dispose on interrupt.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { RehearseError } from '../../core/index.ts';
import { startEmulator } from '../../emulator/index.ts';
import { parseMockConfig } from '../../backends/mock-config.ts';
import type { Logger } from '../../emulator/service-deps.ts';
import type { CliIo } from '../io.ts';

const USAGE = `usage: rehearse serve [options]

Runs the embedded AWS endpoint (S3, Secrets Manager, SNS, Lambda, Step Functions
and the /_rehearse/ control API) on one port until interrupted.

options:
  --port N              TCP port (default 4566; 0 picks a free one)
  --host ADDR           interface to bind (default 127.0.0.1)
  --data-dir DIR        persist S3 objects and secrets in DIR (default: in memory)
  --seed N              seed for ids and jitter (same seed, same ids)
  --clock real|virtual  real time (default), or virtual time that jumps to the
                        next timer whenever no request, invocation or pending
                        callback holds it (see the control API to advance it)
  --region R            default region (default us-east-1)
  --verify-signatures   reject requests whose SigV4 signature is wrong
                        (secret access key "test" for every access key id)
  --max-environments N  most Lambda execution environments (processes) alive at
                        once (default 32); further invocations wait for a slot
  --lambda-concurrency N  Lambda account concurrency quota (default 1000, AWS's);
                        beyond it Invoke is throttled (429 TooManyRequestsException)
  --mock-config FILE    a Step Functions Local MockConfigFile: StartExecution on
                        <stateMachineArn>#<TestCase> runs that test case with its
                        mocked Task responses; read again whenever it changes
                        (default: the file SFN_MOCK_CONFIG names, if set)
  --quiet               no log lines
  -h, --help            this help`;

export async function run(argv: string[], io: CliIo): Promise<number> {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'data-dir': { type: 'string' },
        seed: { type: 'string' },
        clock: { type: 'string' },
        region: { type: 'string' },
        'verify-signatures': { type: 'boolean' },
        'max-environments': { type: 'string' },
        'lambda-concurrency': { type: 'string' },
        'mock-config': { type: 'string' },
        quiet: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: false,
      strict: true,
    }));
  } catch (e) {
    throw new RehearseError('ERR_BAD_INPUT', e instanceof Error ? e.message : String(e), { hint: 'rehearse serve --help lists the options' });
  }
  if (values.help) {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const portText = (values.port as string | undefined) ?? '4566';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) throw new RehearseError('ERR_BAD_INPUT', `--port must be an integer from 0 to 65535, got ${JSON.stringify(portText)}`);
  const clock = (values.clock as string | undefined) ?? 'real';
  if (clock !== 'real' && clock !== 'virtual') throw new RehearseError('ERR_BAD_INPUT', `--clock must be real or virtual, got ${JSON.stringify(clock)}`);
  const seedText = values.seed as string | undefined;
  const maxEnvironments = positiveInteger(values['max-environments'], '--max-environments');
  const lambdaAccountConcurrency = positiveInteger(values['lambda-concurrency'], '--lambda-concurrency');
  const quiet = values.quiet === true;
  const mockConfigFile = mockConfigOf(values['mock-config'] as string | undefined, io);
  const log: Logger = {
    info: (m) => {
      if (!quiet) io.stderr.write(`rehearse serve: ${m}\n`);
    },
    warn: (m) => {
      if (!quiet) io.stderr.write(`rehearse serve: warning: ${m}\n`);
    },
    error: (m) => io.stderr.write(`rehearse serve: error: ${m}\n`),
  };

  let emulator;
  try {
    emulator = await startEmulator({
      port,
      host: (values.host as string | undefined) ?? '127.0.0.1',
      dataDir: values['data-dir'] as string | undefined,
      seed: seedText === undefined ? undefined : /^\d+$/.test(seedText) ? Number(seedText) : seedText,
      clock,
      region: (values.region as string | undefined) ?? 'us-east-1',
      verifySignatures: values['verify-signatures'] === true,
      ...(maxEnvironments !== undefined ? { maxEnvironments } : {}),
      ...(lambdaAccountConcurrency !== undefined ? { lambdaAccountConcurrency } : {}),
      ...(mockConfigFile !== undefined ? { mockConfigFile } : {}),
      log,
    });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'EADDRINUSE') throw new RehearseError('ERR_BACKEND_UNAVAILABLE', `port ${port} is already in use`, { hint: 'pick another with --port, or --port 0 for a free one' });
    if (err.code === 'EACCES' || err.code === 'EADDRNOTAVAIL') throw new RehearseError('ERR_BACKEND_UNAVAILABLE', `cannot listen on ${values.host ?? '127.0.0.1'}:${port}: ${err.message}`);
    throw e;
  }
  // The URL is the first line on stdout so scripts can read it (`--port 0`).
  io.stdout.write(`${emulator.endpoint}\n`);
  log.info(`services: ${emulator.services.join(', ') || 'none'}; clock: ${emulator.clock.kind}${values['data-dir'] ? `; data dir: ${String(values['data-dir'])}` : ''}`);
  if (mockConfigFile !== undefined) log.info(`mock config: ${mockConfigFile} (read again whenever it changes)`);
  log.info('press Ctrl+C to stop');
  await (io.interrupted ?? new Promise<void>(() => {}));
  log.info('stopping…');
  await emulator.dispose();
  log.info('stopped');
  return 0;
}

/**
 * `--mock-config`, else `SFN_MOCK_CONFIG` (Step Functions Local's variable);
 * checked now so a wrong path or a broken file stops the start with the reason.
 */
function mockConfigOf(flag: string | undefined, io: CliIo): string | undefined {
  const env = io.env;
  const given = flag ?? (env.SFN_MOCK_CONFIG === '' ? undefined : env.SFN_MOCK_CONFIG);
  if (given === undefined) return undefined;
  const file = resolve(io.cwd, given);
  const where = flag !== undefined ? '--mock-config' : 'SFN_MOCK_CONFIG';
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new RehearseError('ERR_BAD_INPUT', `${where}: cannot read ${file}: ${(e as Error).message}`);
  }
  const parsed = parseMockConfig(text, file);
  if ('problem' in parsed) throw new RehearseError('ERR_BAD_INPUT', `${where}: ${parsed.problem}`);
  return file;
}

function positiveInteger(value: string | boolean | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value);
  if (!/^\d+$/.test(text) || Number(text) < 1) throw new RehearseError('ERR_BAD_INPUT', `${flag} must be an integer >= 1, got ${JSON.stringify(text)}`);
  return Number(text);
}
