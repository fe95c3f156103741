/**
 * The Docker path for real: these bring up docker-compose.yml's services and
 * make real AWS SDK calls against them. They need a Docker engine (and, for
 * LocalStack, LOCALSTACK_AUTH_TOKEN); without one they are reported as
 * skipped with that reason — never passed.
 */
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateStateMachineCommand, DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { detectEngine } from '../../harness/backends/docker-engine.ts';
import { REPO_ROOT } from '../../harness/backends/images.ts';
import { buildMockConfig, createBackend, endpointFor, mockedExecutionTarget, type DockerBackend } from '../../harness/backends/index.ts';

const engine = await detectEngine();
const engineReachable = engine.reachable;
const token = Boolean(process.env.LOCALSTACK_AUTH_TOKEN?.trim());
const SLOW = 15 * 60_000; // first runs pull images and build the rehearse image

function clients(backend: DockerBackend) {
  const common = { region: backend.region, credentials: backend.credentials };
  return {
    s3: new S3Client({ ...common, endpoint: endpointFor(backend, 's3'), forcePathStyle: true }),
    sfn: new SFNClient({ ...common, endpoint: endpointFor(backend, 'states') }),
  };
}

async function waitForExecution(sfn: SFNClient, executionArn: string) {
  for (let i = 0; i < 120; i++) {
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (d.status !== 'RUNNING') return d;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`${executionArn} still RUNNING after 60 s`);
}

async function containersOf(project: string): Promise<string> {
  const r = await execa('docker', ['ps', '--all', '--quiet', '--filter', `label=com.docker.compose.project=${project}`], { reject: false });
  return r.stdout.trim();
}

const PASS = JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', Result: { ok: true }, End: true } } });
const ROLE = 'arn:aws:iam::123456789012:role/rehearse';

describe.skipIf(!engineReachable)(
  `Docker backends against a real engine (skipped: no Docker engine reachable${engine.reachable ? '' : ` — ${engine.reason}`})`,
  () => {
  it(
    'stepfunctions-local: S3 on the rehearse container, a state machine on Step Functions Local, containers removed on dispose',
    async () => {
      let project: string;
      {
        await using backend = (await createBackend('stepfunctions-local', { build: true })) as DockerBackend;
        project = backend.projectName;
        const { s3, sfn } = clients(backend);
        await s3.send(new CreateBucketCommand({ Bucket: 'images' }));
        await s3.send(new PutObjectCommand({ Bucket: 'images', Key: 'a.txt', Body: 'hello' }));
        expect(await (await s3.send(new GetObjectCommand({ Bucket: 'images', Key: 'a.txt' }))).Body!.transformToString()).toBe('hello');
        const sm = await sfn.send(new CreateStateMachineCommand({ name: 'pass', definition: PASS, roleArn: ROLE }));
        const ex = await sfn.send(new StartExecutionCommand({ stateMachineArn: sm.stateMachineArn, input: '{}' }));
        const done = await waitForExecution(sfn, ex.executionArn!);
        expect(done.status).toBe('SUCCEEDED');
        expect(JSON.parse(done.output!)).toEqual({ ok: true });
      }
      expect(await containersOf(project)).toBe('');
    },
    SLOW,
  );

  it(
    'stepfunctions-local reads our generated MockConfigFile: two throttles, then the mocked return',
    async () => {
      const definition = {
        StartAt: 'Resize',
        States: {
          Resize: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            Parameters: { FunctionName: 'resize-image', 'Payload.$': '$' },
            OutputPath: '$.Payload',
            Retry: [{ ErrorEquals: ['Lambda.TooManyRequestsException'], IntervalSeconds: 1, MaxAttempts: 2, BackoffRate: 1 }],
            End: true,
          },
        },
      };
      const build = buildMockConfig([
        {
          stateMachineName: 'resize',
          testCaseName: 'two-throttles',
          definition,
          faults: { functions: [{ function: 'resize-image', invocations: [1, 2], throw: { errorType: 'Lambda.TooManyRequestsException', message: 'Rate exceeded' } }] },
          returns: { 'resize-image': { width: 800 } },
        },
      ]);
      await using backend = (await createBackend('stepfunctions-local', { mockConfig: build.config })) as DockerBackend;
      const { sfn } = clients(backend);
      const sm = await sfn.send(new CreateStateMachineCommand({ name: 'resize', definition: JSON.stringify(definition), roleArn: ROLE }));
      const ex = await sfn.send(new StartExecutionCommand({ stateMachineArn: mockedExecutionTarget(sm.stateMachineArn!, 'two-throttles'), input: '{}' }));
      const done = await waitForExecution(sfn, ex.executionArn!);
      expect(done.status).toBe('SUCCEEDED');
      expect(JSON.parse(done.output!)).toEqual({ width: 800 });
      const history = await sfn.send(new GetExecutionHistoryCommand({ executionArn: ex.executionArn! }));
      expect(history.events!.filter((e) => e.type === 'TaskFailed')).toHaveLength(2);
    },
    SLOW,
  );

  it(
    '`rehearse up` starts the rehearse container (health answers), `rehearse down` removes it',
    async () => {
      const cli = (args: string[]) => execa('npx', ['tsx', 'harness/cli/entry.ts', ...args], { cwd: REPO_ROOT, reject: false, env: { REHEARSE_PORT: '0' } });
      const up = await cli(['up', '--backend', 'rehearse']);
      try {
        expect(up.exitCode, up.stderr).toBe(0);
        const url = /rehearse \(.*\): (http:\/\/127\.0\.0\.1:\d+)/.exec(up.stdout)![1]!;
        const health = (await (await fetch(`${url}/_rehearse/health`)).json()) as { status: string; clock: string };
        expect(health).toMatchObject({ status: 'ok', clock: 'virtual' });
      } finally {
        const down = await cli(['down']);
        expect(down.exitCode, down.stderr).toBe(0);
      }
      expect(await containersOf('rehearse')).toBe('');
    },
    SLOW,
  );

  it.skipIf(!token)(
    'localstack (skipped: LOCALSTACK_AUTH_TOKEN not set): S3 round trip',
    async () => {
      await using backend = (await createBackend('localstack')) as DockerBackend;
      const { s3 } = clients(backend);
      await s3.send(new CreateBucketCommand({ Bucket: 'rehearse-check' }));
      await s3.send(new PutObjectCommand({ Bucket: 'rehearse-check', Key: 'k', Body: 'v' }));
      expect(await (await s3.send(new GetObjectCommand({ Bucket: 'rehearse-check', Key: 'k' }))).Body!.transformToString()).toBe('v');
    },
    SLOW,
  );
  },
);
