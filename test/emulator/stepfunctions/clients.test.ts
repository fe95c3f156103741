/**
 * Step Functions with the two clients nobody here wrote: the AWS CLI v2 from
 * Debian's awscli and boto3 from Debian's python3-boto3.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasAwsCli, hasBoto3, runAwsCli, runBoto3 } from '../../support/clients.ts';
import { createNodeFunction, passChain, ROLE, startEndpoint } from './fixtures.ts';

let env: Awaited<ReturnType<typeof startEndpoint>>;
let dir: string;
let noopArn: string;

beforeAll(async () => {
  env = await startEndpoint();
  dir = mkdtempSync(join(tmpdir(), 'rehearse-sfn-clients-'));
  noopArn = await createNodeFunction(env.lambda, 'noop', 'export const handler = async () => ({});');
});
afterAll(async () => {
  await env?.emulator.dispose();
});

async function aws(...args: string[]) {
  const r = await runAwsCli(env.endpoint, [...args, '--output', 'json']);
  return { ...r, json: r.exitCode === 0 && r.stdout ? (JSON.parse(r.stdout) as Record<string, unknown>) : undefined };
}

const callbackDefinition = () => ({
  StartAt: 'Ask',
  States: {
    Ask: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: { FunctionName: noopArn, Payload: { 'token.$': '$$.Task.Token' } },
      End: true,
    },
  },
});

describe.skipIf(!hasAwsCli)('AWS CLI v2 (/usr/bin/aws stepfunctions; skipped: Debian awscli not installed)', () => {
  it('create-state-machine, start-execution, describe-execution, get-execution-history', async () => {
    const def = join(dir, 'chain.json');
    writeFileSync(def, JSON.stringify(passChain(3)));
    const created = await aws('stepfunctions', 'create-state-machine', '--name', 'cli-chain', '--definition', `file://${def}`, '--role-arn', ROLE);
    expect(created.stderr).toBe('');
    const arn = created.json!.stateMachineArn as string;
    const started = await aws('stepfunctions', 'start-execution', '--state-machine-arn', arn, '--name', 'cli-run', '--input', '{"x":1}');
    const execArn = started.json!.executionArn as string;
    let described = await aws('stepfunctions', 'describe-execution', '--execution-arn', execArn);
    for (let i = 0; i < 50 && described.json!.status === 'RUNNING'; i++) {
      described = await aws('stepfunctions', 'describe-execution', '--execution-arn', execArn);
    }
    expect(described.json).toMatchObject({ status: 'SUCCEEDED', output: '{"x":1}', name: 'cli-run' });
    const history = await aws('stepfunctions', 'get-execution-history', '--execution-arn', execArn);
    const types = (history.json!.events as Array<{ type: string }>).map((e) => e.type);
    expect(types[0]).toBe('ExecutionStarted');
    expect(types.at(-1)).toBe('ExecutionSucceeded');
    expect(types.filter((t) => t === 'PassStateEntered')).toHaveLength(3);
  });

  it('send-task-success answers a callback whose token the CLI read from the history', async () => {
    const def = join(dir, 'callback.json');
    writeFileSync(def, JSON.stringify(callbackDefinition()));
    const arn = (await aws('stepfunctions', 'create-state-machine', '--name', 'cli-callback', '--definition', `file://${def}`, '--role-arn', ROLE))
      .json!.stateMachineArn as string;
    const execArn = (await aws('stepfunctions', 'start-execution', '--state-machine-arn', arn)).json!.executionArn as string;
    let token: string | undefined;
    for (let i = 0; i < 50 && !token; i++) {
      const h = await aws('stepfunctions', 'get-execution-history', '--execution-arn', execArn);
      const scheduled = (h.json!.events as Array<{ type: string; taskScheduledEventDetails?: { parameters: string } }>).find(
        (e) => e.type === 'TaskScheduled',
      );
      if (scheduled) token = (JSON.parse(scheduled.taskScheduledEventDetails!.parameters) as { Payload: { token: string } }).Payload.token;
    }
    expect(token).toBeDefined();
    const sent = await aws('stepfunctions', 'send-task-success', '--task-token', token!, '--task-output', '{"approved":true}');
    expect(sent.exitCode, sent.stderr).toBe(0);
    let d = await aws('stepfunctions', 'describe-execution', '--execution-arn', execArn);
    for (let i = 0; i < 50 && d.json!.status === 'RUNNING'; i++) d = await aws('stepfunctions', 'describe-execution', '--execution-arn', execArn);
    expect(d.json).toMatchObject({ status: 'SUCCEEDED', output: '{"approved":true}' });
  });

  it('reports typed errors: ExecutionDoesNotExist, InvalidDefinition, InvalidToken', async () => {
    const missing = await aws('stepfunctions', 'describe-execution', '--execution-arn', 'arn:aws:states:us-east-1:000000000000:execution:x:y');
    expect(missing.exitCode).not.toBe(0);
    expect(missing.stderr).toContain('ExecutionDoesNotExist');
    const bad = await aws('stepfunctions', 'create-state-machine', '--name', 'cli-bad', '--definition', '{"StartAt":"A","States":{}}', '--role-arn', ROLE);
    expect(bad.stderr).toContain('InvalidDefinition');
    const token = await aws('stepfunctions', 'send-task-success', '--task-token', 'bogus', '--task-output', '{}');
    expect(token.stderr).toContain('InvalidToken');
  });
});

describe.skipIf(!hasBoto3)('boto3 (/usr/bin/python3; skipped: Debian python3-boto3 not installed)', () => {
  it('runs a machine, reads history, answers a callback and raises typed exceptions', async () => {
    const script = `
import time
sfn = client("stepfunctions")
out = {}
arn = sfn.create_state_machine(name="boto-chain", definition=${JSON.stringify(JSON.stringify(passChain(2)))}, roleArn="${ROLE}")["stateMachineArn"]
ex = sfn.start_execution(stateMachineArn=arn, name="boto-run", input=json.dumps({"n": 5}))["executionArn"]
for _ in range(100):
    d = sfn.describe_execution(executionArn=ex)
    if d["status"] != "RUNNING": break
    time.sleep(0.01)
out["status"] = d["status"]; out["output"] = json.loads(d["output"])
out["startIsDatetime"] = hasattr(d["startDate"], "year")
out["types"] = [e["type"] for e in sfn.get_execution_history(executionArn=ex)["events"]]
cb = sfn.create_state_machine(name="boto-callback", definition=${JSON.stringify(JSON.stringify(callbackDefinition()))}, roleArn="${ROLE}")["stateMachineArn"]
cex = sfn.start_execution(stateMachineArn=cb)["executionArn"]
token = None
for _ in range(100):
    evs = sfn.get_execution_history(executionArn=cex)["events"]
    s = [e for e in evs if e["type"] == "TaskScheduled"]
    if s:
        token = json.loads(s[0]["taskScheduledEventDetails"]["parameters"])["Payload"]["token"]; break
    time.sleep(0.01)
sfn.send_task_success(taskToken=token, output=json.dumps({"ok": True}))
for _ in range(100):
    d = sfn.describe_execution(executionArn=cex)
    if d["status"] != "RUNNING": break
    time.sleep(0.01)
out["callback"] = d["status"]
errors = []
try: sfn.describe_execution(executionArn="arn:aws:states:us-east-1:000000000000:execution:x:y")
except sfn.exceptions.ExecutionDoesNotExist: errors.append("ExecutionDoesNotExist")
try: sfn.create_state_machine(name="boto-bad", definition="{}", roleArn="${ROLE}")
except sfn.exceptions.InvalidDefinition: errors.append("InvalidDefinition")
try: sfn.start_execution(stateMachineArn=arn, name="boto-run", input=json.dumps({"n": 6}))
except sfn.exceptions.ExecutionAlreadyExists: errors.append("ExecutionAlreadyExists")
try: sfn.send_task_success(taskToken="bogus", output="{}")
except sfn.exceptions.InvalidToken: errors.append("InvalidToken")
out["errors"] = errors
print(json.dumps(out))
`;
    const r = await runBoto3(env.endpoint, script);
    expect(r.exitCode, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(out).toMatchObject({
      status: 'SUCCEEDED',
      output: { n: 5 },
      startIsDatetime: true,
      callback: 'SUCCEEDED',
      errors: ['ExecutionDoesNotExist', 'InvalidDefinition', 'ExecutionAlreadyExists', 'InvalidToken'],
    });
    expect((out.types as string[])[0]).toBe('ExecutionStarted');
  });
});
