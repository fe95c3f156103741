/**
 * Handlers on the embedded Lambda service call StartSyncExecution and
 * TestState with a *default* client — `new SFNClient({})`, `boto3.client(...)`,
 * no endpoint, no disableHostPrefix — and reach the endpoint. The SDKs send those
 * operations to `sync-127.0.0.1`; the execution environments resolve that name
 * because launch.ts preloads harness/runtime/bootstrap/host-prefix (Node) and the
 * Python bootstrap installs host_prefix_dns.py.
 */
import AdmZip from 'adm-zip';
import { CreateFunctionCommand, InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { createEchoExpress } from './host-prefix-support.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../harness/index.ts';
import type { Emulator } from '../../harness/index.ts';
import { hasBoto3, lambdaClient, sfnClient } from '../support/clients.ts';

const ROLE = 'arn:aws:iam::000000000000:role/lambda-role';

// The handler is what a user would write; the middleware only *observes* the
// host each request is sent to, to prove the prefix was applied, not disabled.
const NODE_HANDLER = `
import { SFNClient, StartSyncExecutionCommand, TestStateCommand } from '@aws-sdk/client-sfn';
const sfn = new SFNClient({});
const hosts = [];
sfn.middlewareStack.add((next) => async (args) => { hosts.push(args.request.hostname); return next(args); }, { step: 'finalizeRequest', name: 'observeHost' });
export const handler = async (event) => {
  hosts.length = 0;
  const sync = await sfn.send(new StartSyncExecutionCommand({ stateMachineArn: event.stateMachineArn, input: JSON.stringify(event.input) }));
  const test = await sfn.send(new TestStateCommand({
    definition: JSON.stringify({ Type: 'Pass', Parameters: { 'sum.$': 'States.MathAdd($.a, $.b)' }, End: true }),
    roleArn: '${ROLE}',
    input: JSON.stringify({ a: 20, b: 22 }),
  }));
  return {
    disableHostPrefix: await sfn.config.disableHostPrefix,
    hosts: [...hosts],
    sync: { status: sync.status, output: JSON.parse(sync.output) },
    test: { status: test.status, output: JSON.parse(test.output) },
  };
};
`;

// Debian's boto3 (1.26) has no test_state; StartSyncExecution is what it can send.
const PYTHON_HANDLER = `
import json
from urllib.parse import urlsplit
import boto3

sfn = boto3.client("stepfunctions")
hosts = []
sfn.meta.events.register("before-send.*.*", lambda request, **kwargs: hosts.append(urlsplit(request.url).hostname))

def handler(event, context):
    del hosts[:]
    out = sfn.start_sync_execution(stateMachineArn=event["stateMachineArn"], input=json.dumps(event["input"]))
    return {
        "injectHostPrefix": sfn.meta.config.inject_host_prefix,
        "hosts": list(hosts),
        "sync": {"status": out["status"], "output": json.loads(out["output"])},
    }
`;

function zipOf(name: string, source: string): Uint8Array {
  const zip = new AdmZip();
  zip.addFile(name, Buffer.from(source));
  return zip.toBuffer();
}

describe('a default SDK client in a Lambda handler reaches StartSyncExecution/TestState', () => {
  let emulator: Emulator;
  let lambda: LambdaClient;
  let sfn: SFNClient;
  let stateMachineArn: string;

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, clock: 'virtual', seed: 3, log: false });
    lambda = lambdaClient(emulator.endpoint);
    sfn = sfnClient(emulator.endpoint);
    stateMachineArn = await createEchoExpress(sfn);
  });

  afterAll(async () => {
    lambda?.destroy();
    sfn?.destroy();
    await emulator?.dispose();
  });

  async function invoke(functionName: string): Promise<Record<string, unknown>> {
    const out = await lambda.send(new InvokeCommand({ FunctionName: functionName, Payload: Buffer.from(JSON.stringify({ stateMachineArn, input: { value: 'hi' } })) }));
    const text = Buffer.from(out.Payload ?? []).toString('utf8');
    expect(out.FunctionError, text).toBeUndefined();
    return JSON.parse(text) as Record<string, unknown>;
  }

  it('Node.js: new SFNClient({}) with host prefixes on', async () => {
    await lambda.send(
      new CreateFunctionCommand({ FunctionName: 'sync-caller-node', Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE, Timeout: 20, Code: { ZipFile: zipOf('index.mjs', NODE_HANDLER) } }),
    );
    expect(await invoke('sync-caller-node')).toEqual({
      disableHostPrefix: false,
      hosts: ['sync-127.0.0.1', 'sync-127.0.0.1'],
      sync: { status: 'SUCCEEDED', output: { got: 'hi' } },
      test: { status: 'SUCCEEDED', output: { sum: 42 } },
    });
  });

  it.skipIf(!hasBoto3)('Python: boto3.client("stepfunctions") with host prefixes on', async () => {
    await lambda.send(
      new CreateFunctionCommand({ FunctionName: 'sync-caller-python', Runtime: 'python3.12', Handler: 'app.handler', Role: ROLE, Timeout: 20, Code: { ZipFile: zipOf('app.py', PYTHON_HANDLER) } }),
    );
    expect(await invoke('sync-caller-python')).toEqual({
      injectHostPrefix: true,
      hosts: ['sync-127.0.0.1'],
      sync: { status: 'SUCCEEDED', output: { got: 'hi' } },
    });
  });
});
