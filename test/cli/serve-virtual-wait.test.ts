/**
 * `rehearse serve --clock virtual`: a Wait between two Lambda calls takes far
 * less real time than its virtual duration, while clients poll
 * DescribeExecution in tight loops over real HTTP (issue 16: read-only
 * requests held the clock, so a 5 s Wait ran in real time on a busy machine).
 */
import AdmZip from 'adm-zip';
import { CreateFunctionCommand } from '@aws-sdk/client-lambda';
import { CreateStateMachineCommand, DescribeExecutionCommand, GetExecutionHistoryCommand, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { request } from 'node:http';
import { PassThrough } from 'node:stream';
import { tmpdir } from 'node:os';
import { describe, expect, it } from 'vitest';
import { run } from '../../harness/cli/commands/serve.ts';
import { lambdaClient, sfnClient } from '../support/clients.ts';

const WAIT_SECONDS = 60;

describe('rehearse serve --clock virtual', () => {
  it('a Wait between two Lambda calls jumps while clients poll DescribeExecution', async () => {
    const stdout = new PassThrough();
    let stop!: () => void;
    const interrupted = new Promise<void>((r) => (stop = r));
    const done = run(['--port', '0', '--quiet', '--clock', 'virtual'], { stdout, stderr: new PassThrough(), cwd: tmpdir(), env: {}, isTTY: false, interrupted });
    const endpoint = await new Promise<string>((r) => stdout.once('data', (d: Buffer) => r(d.toString().trim())));
    const lambda = lambdaClient(endpoint);
    const sfn = sfnClient(endpoint);
    try {
      const zip = new AdmZip();
      zip.addFile('index.mjs', Buffer.from('export const handler = async (e) => ({ n: (e.n ?? 0) + 1 });'));
      for (const name of ['first', 'second']) {
        await lambda.send(new CreateFunctionCommand({ FunctionName: name, Runtime: 'nodejs20.x', Handler: 'index.handler', Role: 'arn:aws:iam::000000000000:role/r', Code: { ZipFile: zip.toBuffer() } }));
      }
      const call = (name: string) => ({ Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: name, 'Payload.$': '$' }, OutputPath: '$.Payload' });
      const definition = { StartAt: 'A', States: { A: { ...call('first'), Next: 'W' }, W: { Type: 'Wait', Seconds: WAIT_SECONDS, Next: 'B' }, B: { ...call('second'), End: true } } };
      const { stateMachineArn } = await sfn.send(new CreateStateMachineCommand({ name: 'waits', roleArn: 'arn:aws:iam::000000000000:role/r', definition: JSON.stringify(definition) }));
      const t0 = Date.now();
      const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: '{}' }));
      // A read whose body is still arriving stays in flight through the whole Wait (before the fix it held the clock: no jump at all).
      const body = JSON.stringify({ executionArn });
      const slowRead = request(`${endpoint}/`, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AWSStepFunctions.DescribeExecution', 'content-length': Buffer.byteLength(body) } });
      slowRead.on('error', () => undefined);
      slowRead.write(body.slice(0, 1));
      // Three clients polling with no pause between requests: at least one read is nearly always in flight.
      const pollUntilDone = async () => {
        for (;;) {
          const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
          if (d.status !== 'RUNNING') return d;
          if (Date.now() - t0 > WAIT_SECONDS * 1000) throw new Error('still RUNNING after the Wait’s whole duration in real time');
        }
      };
      const [d] = await Promise.all([pollUntilDone(), pollUntilDone(), pollUntilDone()]);
      const realMs = Date.now() - t0;
      slowRead.end(body.slice(1));
      expect(d.status).toBe('SUCCEEDED');
      expect(JSON.parse(d.output!)).toEqual({ n: 2 });
      // The Wait's virtual duration shows in the history; the real time is that of two cold starts.
      const events = (await sfn.send(new GetExecutionHistoryCommand({ executionArn }))).events!;
      const entered = events.find((e) => e.type === 'WaitStateEntered')!.timestamp!.getTime();
      const exited = events.find((e) => e.type === 'WaitStateExited')!.timestamp!.getTime();
      expect(exited - entered).toBe(WAIT_SECONDS * 1000);
      expect(realMs).toBeLessThan((WAIT_SECONDS * 1000) / 4);
    } finally {
      lambda.destroy();
      sfn.destroy();
      stop();
      await done;
    }
  }, 90_000);
});
