/**
 * Processes Rehearse does not start — a user's own test suite or script, the
 * AWS CLI, boto3 — against the embedded endpoint, with clients left at their
 * defaults (StartSyncExecution goes to `sync-127.0.0.1`). What works with zero
 * setup, what fails, and the documented opt-in that needs no code change:
 *   Node:   NODE_OPTIONS=--import=rehearse-aws/host-prefix-preload
 *   Python: PYTHONPATH=node_modules/rehearse-aws/dist/runtime/bootstrap/host-prefix
 * Both as a user has them: the package installed from `npm pack`.
 */
import { execa } from 'execa';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { createEchoExpress } from './host-prefix-support.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../harness/index.ts';
import type { Emulator } from '../../harness/index.ts';
import { createPackedProject, type PackedProject } from '../e2e/support/packed-install.ts';
import { AWS_CLI, DEBIAN_PYTHON, awsEnv, hasAwsCli, hasBoto3, sfnClient } from '../support/clients.ts';

const NODE_PRELOAD_SPECIFIER = 'rehearse-aws/host-prefix-preload';

// A user's script: default client, endpoint from AWS_ENDPOINT_URL only.
const USER_SCRIPT = `
import { SFNClient, StartSyncExecutionCommand, TestStateCommand } from '@aws-sdk/client-sfn';
const sfn = new SFNClient({});
try {
  const sync = await sfn.send(new StartSyncExecutionCommand({ stateMachineArn: process.argv[2], input: '{"value":"from-node"}' }));
  const test = await sfn.send(new TestStateCommand({ definition: '{"Type":"Pass","Result":{"ok":true},"End":true}', roleArn: 'arn:aws:iam::000000000000:role/x', input: '{}' }));
  console.log(JSON.stringify({ sync: [sync.status, JSON.parse(sync.output)], test: [test.status, JSON.parse(test.output)] }));
} catch (e) {
  console.log(JSON.stringify({ error: e.code ?? e.name, message: e.message }));
}
`;

describe('clients outside Rehearse, left at their defaults', () => {
  let emulator: Emulator;
  let sfn: SFNClient;
  let stateMachineArn: string;
  let project: PackedProject;
  /** The Python opt-in from the installed package, plus no __pycache__ written into it by the test run. */
  let PYTHON_PRELOAD_ENV: Record<string, string>;

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, log: false });
    sfn = sfnClient(emulator.endpoint);
    stateMachineArn = await createEchoExpress(sfn);
    // A consumer project with the package installed from `npm pack` (its SDK comes with it).
    project = await createPackedProject({ files: { 'app.mjs': USER_SCRIPT } });
    PYTHON_PRELOAD_ENV = { PYTHONPATH: project.path('node_modules', 'rehearse-aws', 'dist', 'runtime', 'bootstrap', 'host-prefix'), PYTHONDONTWRITEBYTECODE: '1' };
  });

  afterAll(async () => {
    sfn?.destroy();
    await emulator?.dispose();
    await project?.[Symbol.asyncDispose]();
  });

  async function runUserScript(extraEnv: Record<string, string>): Promise<Record<string, unknown>> {
    const env = { ...awsEnv(emulator.endpoint), AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...extraEnv };
    const r = await execa(process.execPath, ['app.mjs', stateMachineArn], { cwd: project.path(), env, extendEnv: false, reject: false });
    expect(r.exitCode, String(r.stderr)).toBe(0);
    return JSON.parse(String(r.stdout)) as Record<string, unknown>;
  }

  describe('SDK for JavaScript v3 in a user process', () => {
    it('without the preload: ENOTFOUND sync-127.0.0.1 (the SDK applies host prefixes to custom endpoints)', async () => {
      expect(await runUserScript({})).toEqual({ error: 'ENOTFOUND', message: 'getaddrinfo ENOTFOUND sync-127.0.0.1' });
    });

    it('with NODE_OPTIONS=--import=rehearse-aws/host-prefix-preload: StartSyncExecution and TestState succeed', async () => {
      expect(await runUserScript({ NODE_OPTIONS: `--import=${NODE_PRELOAD_SPECIFIER}` })).toEqual({
        sync: ['SUCCEEDED', { got: 'from-node' }],
        test: ['SUCCEEDED', { ok: true }],
      });
    });
  });

  const cliArgs = () => ['stepfunctions', 'start-sync-execution', '--state-machine-arn', stateMachineArn, '--input', '{"value":"from-cli"}', '--endpoint-url', emulator.endpoint];

  describe.skipIf(!hasAwsCli)('AWS CLI v2 (Debian 2.9, bundled botocore)', () => {
    it('by default cannot connect: it sends start-sync-execution to http://sync-127.0.0.1:PORT/', async () => {
      const r = await execa(AWS_CLI, cliArgs(), { env: awsEnv(emulator.endpoint), extendEnv: false, reject: false, timeout: 120_000 });
      expect(r.exitCode).toBe(255);
      expect(String(r.stderr)).toContain(`Could not connect to the endpoint URL: "http://sync-127.0.0.1:${new URL(emulator.endpoint).port}/"`);
    });

    it('with PYTHONPATH=…/rehearse-aws/dist/runtime/bootstrap/host-prefix the unmodified CLI succeeds', async () => {
      const r = await execa(AWS_CLI, cliArgs(), { env: awsEnv(emulator.endpoint, PYTHON_PRELOAD_ENV), extendEnv: false, reject: false, timeout: 120_000 });
      expect(r.exitCode, String(r.stderr)).toBe(0);
      const out = JSON.parse(String(r.stdout)) as { status: string; output: string };
      expect([out.status, JSON.parse(out.output)]).toEqual(['SUCCEEDED', { got: 'from-cli' }]);
    });
  });

  describe.skipIf(!hasBoto3)('boto3 (Debian 1.26)', () => {
    // Only a default client: endpoint_url is the one setting it must have (botocore 1.29 predates AWS_ENDPOINT_URL).
    const script = (config: string) => `
import json, sys, boto3, botocore.exceptions
from botocore.config import Config
sfn = boto3.client("stepfunctions", endpoint_url=sys.argv[1], region_name="us-east-1"${config})
try:
    out = sfn.start_sync_execution(stateMachineArn=sys.argv[2], input='{"value":"from-boto3"}')
    print(json.dumps({"status": out["status"], "output": json.loads(out["output"])}))
except botocore.exceptions.EndpointConnectionError as e:
    print(json.dumps({"error": type(e).__name__, "message": str(e)}))
`;
    async function runBoto3(config: string, extraEnv: Record<string, string> = {}): Promise<unknown> {
      const r = await execa(DEBIAN_PYTHON, ['-c', script(config), emulator.endpoint, stateMachineArn], {
        env: awsEnv(emulator.endpoint, extraEnv),
        extendEnv: false,
        reject: false,
        timeout: 120_000,
      });
      expect(r.exitCode, String(r.stderr)).toBe(0);
      return JSON.parse(String(r.stdout));
    }
    const ok = { status: 'SUCCEEDED', output: { got: 'from-boto3' } };

    it('by default: EndpointConnectionError for http://sync-127.0.0.1:PORT/', async () => {
      expect(await runBoto3('')).toEqual({
        error: 'EndpointConnectionError',
        message: `Could not connect to the endpoint URL: "http://sync-127.0.0.1:${new URL(emulator.endpoint).port}/"`,
      });
    });

    it('with PYTHONPATH=…/rehearse-aws/dist/runtime/bootstrap/host-prefix, unmodified: succeeds', async () => {
      expect(await runBoto3('', PYTHON_PRELOAD_ENV)).toEqual(ok);
    });

    it('or in code: Config(inject_host_prefix=False) succeeds with no preload', async () => {
      expect(await runBoto3(', config=Config(inject_host_prefix=False)')).toEqual(ok);
    });
  });
});
