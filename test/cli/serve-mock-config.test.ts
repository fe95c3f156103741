/** `rehearse serve --mock-config FILE` and `SFN_MOCK_CONFIG`: checked at start, then served. */
import { CreateStateMachineCommand, DescribeExecutionCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../../harness/cli/commands/serve.ts';
import { sfnClient } from '../support/clients.ts';

const dir = mkdtempSync(join(tmpdir(), 'rehearse-serve-mock-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function io(env: NodeJS.ProcessEnv, interrupted: Promise<void>) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  return { io: { stdout, stderr, cwd: dir, env, isTTY: false, interrupted }, stdout };
}

describe('rehearse serve with a MockConfigFile', () => {
  it('refuses a broken file at start, naming the flag and the problem', async () => {
    writeFileSync(join(dir, 'bad.json'), '{"StateMachines": {}, "MockedResponses": {"R": {"1": {"Return": 1}}}}');
    const { io: cli } = io({}, new Promise(() => {}));
    await expect(run(['--port', '0', '--quiet', '--mock-config', 'bad.json'], cli)).rejects.toMatchObject({ code: 'ERR_BAD_INPUT', message: expect.stringContaining('--mock-config') });
    const { io: envCli } = io({ SFN_MOCK_CONFIG: join(dir, 'missing.json') }, new Promise(() => {}));
    await expect(run(['--port', '0', '--quiet'], envCli)).rejects.toMatchObject({ message: expect.stringContaining('SFN_MOCK_CONFIG: cannot read') });
  });

  it('SFN_MOCK_CONFIG names the file: #TestCase runs its mocks', async () => {
    writeFileSync(join(dir, 'good.json'), JSON.stringify({ StateMachines: { M: { TestCases: { T: { Call: 'R' } } } }, MockedResponses: { R: { '0': { Return: { ok: 1 } } } } }));
    let stop!: () => void;
    const { io: cli, stdout } = io({ SFN_MOCK_CONFIG: 'good.json' }, new Promise<void>((r) => (stop = r)));
    const done = run(['--port', '0', '--quiet', '--clock', 'virtual'], cli);
    const endpoint = await new Promise<string>((r) => stdout.once('data', (d: Buffer) => r(d.toString().trim())));
    const sfn = sfnClient(endpoint);
    const { stateMachineArn } = await sfn.send(
      new CreateStateMachineCommand({ name: 'M', roleArn: 'arn:aws:iam::000000000000:role/r', definition: JSON.stringify({ StartAt: 'Call', States: { Call: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: 'absent' }, End: true } } }) }),
    );
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: `${stateMachineArn}#T` }));
    let d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    for (let i = 0; d.status === 'RUNNING' && i < 200; i++) {
      await new Promise((r) => setTimeout(r, 5));
      d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    }
    expect(d.status).toBe('SUCCEEDED');
    expect(JSON.parse(d.output!)).toEqual({ ok: 1 });
    stop();
    expect(await done).toBe(0);
  });
});
