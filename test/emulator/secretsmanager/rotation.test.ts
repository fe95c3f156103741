/**
 * RotateSecret driving a rotation function through createSecret → setSecret →
 * testSecret → finishSecret over real HTTP. The function is a TypeScript port
 * of AWS's single-user rotation template (it checks VersionIdsToStages for the
 * AWSPENDING token exactly as the template does). It runs behind a test
 * LambdaInvoker because the Lambda service is not part of this test.
 */
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  GetSecretValueCommand,
  InvalidRequestException,
  PutSecretValueCommand,
  ResourceNotFoundException,
  RotateSecretCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
  CancelRotateSecretCommand,
  InvalidParameterException,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../harness/core/index.ts';
import { awsCli, HAS_CLI } from './clients.ts';
import { startFakeLambdaServer, type FakeLambdaServer } from './fake-lambda-server.ts';

const DAY = 86_400_000;
const FN_ARN = 'arn:aws:lambda:us-east-1:000000000000:function:rotator';

interface RotationEvent {
  Step: string;
  SecretId: string;
  ClientRequestToken: string;
}

function client(endpoint: string, accessKeyId = 'test'): SecretsManagerClient {
  return new SecretsManagerClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId, secretAccessKey: 'test' }, maxAttempts: 1 });
}

/** AWS's SecretsManagerRotationTemplate, in TypeScript. `failAt` makes one step throw. */
function rotationTemplate(options: { failAt?: string; steps: string[] }) {
  return async (raw: unknown, ctx: { functionName: string; endpoint: string }): Promise<void> => {
    const event = raw as RotationEvent;
    options.steps.push(event.Step);
    const sm = client(ctx.endpoint, `LAMBDA_${ctx.functionName}`);
    try {
      const arn = event.SecretId;
      const token = event.ClientRequestToken;
      const meta = await sm.send(new DescribeSecretCommand({ SecretId: arn }));
      if (!meta.RotationEnabled) throw new Error(`Secret ${arn} is not enabled for rotation`);
      const versions = meta.VersionIdsToStages ?? {};
      if (!(token in versions)) throw new Error(`Secret version ${token} has no stage for rotation of secret ${arn}.`);
      if (versions[token]!.includes('AWSCURRENT')) return;
      if (!versions[token]!.includes('AWSPENDING')) throw new Error(`Secret version ${token} not set as AWSPENDING for rotation of secret ${arn}.`);
      if (options.failAt === event.Step) throw Object.assign(new Error(`${event.Step} failed on purpose`), { name: 'TestFailure' });
      switch (event.Step) {
        case 'createSecret': {
          await sm.send(new GetSecretValueCommand({ SecretId: arn, VersionStage: 'AWSCURRENT' }));
          try {
            await sm.send(new GetSecretValueCommand({ SecretId: arn, VersionId: token, VersionStage: 'AWSPENDING' }));
          } catch (e) {
            if (!(e instanceof ResourceNotFoundException)) throw e;
            const { RandomPassword } = await sm.send(new GetRandomPasswordCommand({ ExcludeCharacters: '/@"\'\\' }));
            await sm.send(new PutSecretValueCommand({ SecretId: arn, ClientRequestToken: token, SecretString: JSON.stringify({ password: RandomPassword }), VersionStages: ['AWSPENDING'] }));
          }
          return;
        }
        case 'setSecret':
          return;
        case 'testSecret':
          await sm.send(new GetSecretValueCommand({ SecretId: arn, VersionId: token, VersionStage: 'AWSPENDING' }));
          return;
        case 'finishSecret': {
          let current: string | undefined;
          for (const [version, stages] of Object.entries(versions)) {
            if (stages.includes('AWSCURRENT')) {
              if (version === token) return;
              current = version;
            }
          }
          await sm.send(new UpdateSecretVersionStageCommand({ SecretId: arn, VersionStage: 'AWSCURRENT', MoveToVersionId: token, RemoveFromVersionId: current }));
          return;
        }
        default:
          throw new Error(`Invalid step parameter ${event.Step}`);
      }
    } finally {
      sm.destroy();
    }
  };
}

describe('RotateSecret with a rotation function (AWS template port)', () => {
  const clock = new VirtualClock({ start: Date.UTC(2026, 2, 1, 9), autoAdvance: 'off' });
  let server: FakeLambdaServer;
  let sm: SecretsManagerClient;
  let steps: string[];

  beforeAll(async () => {
    server = await startFakeLambdaServer(clock);
    sm = client(server.endpoint);
  });
  afterAll(async () => {
    sm?.destroy();
    await server?.dispose();
  });
  beforeEach(() => {
    steps = [];
    server.functions.set('rotator', { handler: rotationTemplate({ steps }) });
    server.invocations.length = 0;
  });

  it('runs the four steps with the AWS event shape and moves the stages as AWS does', async () => {
    const { ARN, VersionId: v1 } = await sm.send(new CreateSecretCommand({ Name: 'db/rotating', SecretString: '{"password":"initial"}' }));
    const r = await sm.send(new RotateSecretCommand({ SecretId: 'db/rotating', RotationLambdaARN: FN_ARN, RotationRules: { AutomaticallyAfterDays: 30 } }));
    const v2 = r.VersionId!;
    expect(v2).not.toBe(v1);
    expect(steps).toEqual(['createSecret', 'setSecret', 'testSecret', 'finishSecret']);
    const events = server.invocations.filter((i) => i.functionName === 'rotator').map((i) => i.event);
    expect(events).toEqual(['createSecret', 'setSecret', 'testSecret', 'finishSecret'].map((Step) => ({ Step, SecretId: ARN, ClientRequestToken: v2 })));
    expect(server.invocations.every((i) => i.invocationType === 'RequestResponse')).toBe(true);

    const d = await sm.send(new DescribeSecretCommand({ SecretId: 'db/rotating' }));
    expect(d.VersionIdsToStages).toEqual({ [v1!]: ['AWSPREVIOUS'], [v2]: ['AWSPENDING', 'AWSCURRENT'] });
    expect(d.RotationEnabled).toBe(true);
    expect(d.RotationLambdaARN).toBe(FN_ARN);
    expect(d.RotationRules).toEqual({ AutomaticallyAfterDays: 30 });
    expect(d.LastRotatedDate!.getTime()).toBe(clock.now());
    expect(d.NextRotationDate!.getTime()).toBe(clock.now() + 30 * DAY);

    const current = await sm.send(new GetSecretValueCommand({ SecretId: 'db/rotating' }));
    expect(current.VersionId).toBe(v2);
    expect(JSON.parse(current.SecretString!).password).not.toBe('initial');
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 'db/rotating', VersionStage: 'AWSPREVIOUS' }))).SecretString).toBe('{"password":"initial"}');

    // The function's own reads are in the audit trail under its name.
    const reads = server.observations.snapshot().secretReads;
    expect(reads.filter((x) => x.caller === 'rotator').length).toBeGreaterThanOrEqual(2);
  });

  it('rotates again on the schedule when the Clock reaches NextRotationDate', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'db/scheduled', SecretString: '{"password":"p0"}' }));
    const first = await sm.send(new RotateSecretCommand({ SecretId: 'db/scheduled', RotationLambdaARN: FN_ARN, RotationRules: { ScheduleExpression: 'rate(10 days)' } }));
    expect(steps).toHaveLength(4);
    await clock.advance(10 * DAY - 60_000);
    expect(steps).toHaveLength(4);
    await clock.advance(60_000);
    await server.settled(8);
    for (let i = 0; i < 100 && steps.length < 8; i++) await new Promise((r) => setTimeout(r, 10));
    expect(steps).toEqual([...Array(2)].flatMap(() => ['createSecret', 'setSecret', 'testSecret', 'finishSecret']));
    const d = await sm.send(new DescribeSecretCommand({ SecretId: 'db/scheduled' }));
    expect(d.VersionIdsToStages![first.VersionId!]).toEqual(['AWSPREVIOUS']);
    expect(d.LastRotatedDate!.getTime()).toBe(clock.now());
    expect(d.NextRotationDate!.getTime()).toBe(clock.now() + 10 * DAY);
    await sm.send(new CancelRotateSecretCommand({ SecretId: 'db/scheduled' }));
    expect((await sm.send(new DescribeSecretCommand({ SecretId: 'db/scheduled' }))).RotationEnabled).toBe(false);
  });

  it('a failing step leaves AWSPENDING on the new version; the next RotateSecret retries that version', async () => {
    const { VersionId: v1 } = await sm.send(new CreateSecretCommand({ Name: 'db/flaky', SecretString: '{"password":"old"}' }));
    server.functions.set('rotator', { handler: rotationTemplate({ steps, failAt: 'testSecret' }) });
    const r = await sm.send(new RotateSecretCommand({ SecretId: 'db/flaky', RotationLambdaARN: FN_ARN, RotationRules: { AutomaticallyAfterDays: 7 } }));
    expect(steps).toEqual(['createSecret', 'setSecret', 'testSecret']);
    let d = await sm.send(new DescribeSecretCommand({ SecretId: 'db/flaky' }));
    expect(d.VersionIdsToStages).toEqual({ [v1!]: ['AWSCURRENT'], [r.VersionId!]: ['AWSPENDING'] });
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 'db/flaky' }))).SecretString).toBe('{"password":"old"}');

    const other = sm.send(new RotateSecretCommand({ SecretId: 'db/flaky', ClientRequestToken: 'b'.repeat(36) }));
    await expect(other).rejects.toBeInstanceOf(InvalidRequestException);
    await expect(other).rejects.toThrow("A previous rotation isn't complete");

    // Retrying with the pending version's token (RotateSecret's idempotency) finishes that rotation.
    server.functions.set('rotator', { handler: rotationTemplate({ steps }) });
    const retry = await sm.send(new RotateSecretCommand({ SecretId: 'db/flaky', ClientRequestToken: r.VersionId }));
    expect(retry.VersionId).toBe(r.VersionId);
    d = await sm.send(new DescribeSecretCommand({ SecretId: 'db/flaky' }));
    expect(d.VersionIdsToStages).toEqual({ [v1!]: ['AWSPREVIOUS'], [r.VersionId!]: ['AWSPENDING', 'AWSCURRENT'] });
    // AWSPENDING now sits with AWSCURRENT: a fresh rotation (new SDK token) is allowed.
    const next = await sm.send(new RotateSecretCommand({ SecretId: 'db/flaky' }));
    d = await sm.send(new DescribeSecretCommand({ SecretId: 'db/flaky' }));
    expect(d.VersionIdsToStages).toEqual({ [r.VersionId!]: ['AWSPREVIOUS'], [next.VersionId!]: ['AWSPENDING', 'AWSCURRENT'] });
  });

  it('refuses a rotation without a function, and one whose function cannot be invoked', async () => {
    const { VersionId: v1 } = await sm.send(new CreateSecretCommand({ Name: 'db/nofn', SecretString: 'x' }));
    await expect(sm.send(new RotateSecretCommand({ SecretId: 'db/nofn' }))).rejects.toBeInstanceOf(InvalidRequestException);
    const missing = sm.send(new RotateSecretCommand({ SecretId: 'db/nofn', RotationLambdaARN: 'arn:aws:lambda:us-east-1:000000000000:function:absent' }));
    // Not a modelled Secrets Manager exception: the SDK raises a generic one named after the code.
    await expect(missing).rejects.toMatchObject({ name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } });
    const d = await sm.send(new DescribeSecretCommand({ SecretId: 'db/nofn' }));
    expect(d.VersionIdsToStages).toEqual({ [v1!]: ['AWSCURRENT'] });
    await expect(
      sm.send(new RotateSecretCommand({ SecretId: 'db/nofn', RotationLambdaARN: FN_ARN, RotationRules: { AutomaticallyAfterDays: 5, ScheduleExpression: 'rate(5 days)' } })),
    ).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(
      sm.send(new RotateSecretCommand({ SecretId: 'db/nofn', RotationLambdaARN: FN_ARN, RotationRules: { ScheduleExpression: 'every tuesday' } })),
    ).rejects.toBeInstanceOf(InvalidParameterException);
  });

  it('RotateImmediately=false only schedules; a cron schedule picks the next matching minute', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'db/later', SecretString: 'x' }));
    await sm.send(
      new RotateSecretCommand({ SecretId: 'db/later', RotationLambdaARN: FN_ARN, RotateImmediately: false, RotationRules: { ScheduleExpression: 'cron(0 16 1,15 * ? *)' } }),
    );
    expect(steps).toEqual([]);
    const d = await sm.send(new DescribeSecretCommand({ SecretId: 'db/later' }));
    const next = new Date(d.NextRotationDate!);
    expect([1, 15]).toContain(next.getUTCDate());
    expect(next.getUTCHours()).toBe(16);
    expect(next.getUTCMinutes()).toBe(0);
    expect(next.getTime()).toBeGreaterThan(clock.now());
    await sm.send(new CancelRotateSecretCommand({ SecretId: 'db/later' }));
  });

  it.skipIf(!HAS_CLI)('aws secretsmanager rotate-secret (CLI v2) drives the same rotation', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'db/cli', SecretString: '{"password":"cli"}' }));
    const r = await awsCli(server.endpoint, ['secretsmanager', 'rotate-secret', '--secret-id', 'db/cli', '--rotation-lambda-arn', FN_ARN, '--rotation-rules', 'AutomaticallyAfterDays=14']);
    expect(r.exitCode, r.stderr).toBe(0);
    const out = r.json as { VersionId: string; Name: string };
    expect(out.Name).toBe('db/cli');
    expect(steps).toEqual(['createSecret', 'setSecret', 'testSecret', 'finishSecret']);
    const got = await awsCli(server.endpoint, ['secretsmanager', 'get-secret-value', '--secret-id', 'db/cli']);
    expect((got.json as { VersionId: string }).VersionId).toBe(out.VersionId);
  }, 300_000);
});

describe('scheduled rotation on an auto-advancing virtual clock', () => {
  it('sets no timer (idle time would race through rotations) and rotates when the next request arrives after NextRotationDate', async () => {
    const clock = new VirtualClock({ start: Date.UTC(2026, 6, 1), autoAdvance: 'idle' });
    await using server = await startFakeLambdaServer(clock);
    const steps: string[] = [];
    server.functions.set('rotator', { handler: rotationTemplate({ steps }) });
    const sm = client(server.endpoint);
    try {
      await sm.send(new CreateSecretCommand({ Name: 'lazy', SecretString: '{"password":"a"}' }));
      const first = await sm.send(new RotateSecretCommand({ SecretId: 'lazy', RotationLambdaARN: FN_ARN, RotationRules: { AutomaticallyAfterDays: 1 } }));
      expect(steps).toHaveLength(4);
      expect(clock.pendingTimers()).toEqual([]);
      await clock.advance(DAY + 5000);
      expect(steps).toHaveLength(4);
      const d = await sm.send(new DescribeSecretCommand({ SecretId: 'lazy' }));
      expect(steps).toHaveLength(8);
      expect(d.VersionIdsToStages![first.VersionId!]).toEqual(['AWSPREVIOUS']);
      expect(d.LastRotatedDate!.getTime()).toBe(clock.now());
      expect(d.NextRotationDate!.getTime()).toBe(clock.now() + DAY);
    } finally {
      sm.destroy();
    }
  });
});
