/**
 * RotateSecret running a real rotation function on the embedded Lambda service
 * (harness/emulator/lambda + harness/runtime): the function is deployed with
 * CreateFunction (local-directory form) and calls back into Secrets Manager
 * with its own SDK client.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CreateFunctionCommand, LambdaClient, UpdateFunctionConfigurationCommand, GetFunctionCommand } from '@aws-sdk/client-lambda';
import { CreateSecretCommand, DescribeSecretCommand, GetSecretValueCommand, RotateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../harness/emulator/server.ts';
import type { ObservationsSnapshot } from '../../../harness/emulator/observations.ts';

const LAMBDA_READY = existsSync(new URL('../../../harness/emulator/lambda/index.ts', import.meta.url));
const FN_DIR = fileURLToPath(new URL('./fixtures/rotation-fn', import.meta.url));
const CONFIG = { region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 };

async function waitActive(lambda: LambdaClient, name: string): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const f = await lambda.send(new GetFunctionCommand({ FunctionName: name }));
    if (f.Configuration?.State !== 'Pending' && f.Configuration?.LastUpdateStatus !== 'InProgress') return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.skipIf(!LAMBDA_READY)('RotateSecret with a real rotation Lambda (embedded Lambda service)', () => {
  let emu: Emulator;
  let sm: SecretsManagerClient;
  let lambda: LambdaClient;
  let fnArn: string;
  const logLines: string[] = [];
  const logger = { info: (m: string) => logLines.push(m), warn: (m: string) => logLines.push(m), error: (m: string) => logLines.push(m) };

  beforeAll(async () => {
    emu = await startEmulator({ services: ['secretsmanager', 'lambda'], log: logger });
    sm = new SecretsManagerClient({ endpoint: emu.endpoint, ...CONFIG });
    lambda = new LambdaClient({ endpoint: emu.endpoint, ...CONFIG });
    const fn = await lambda.send(
      new CreateFunctionCommand({
        FunctionName: 'rotate-db-password',
        Runtime: 'nodejs20.x',
        Handler: 'index.handler',
        Role: 'arn:aws:iam::000000000000:role/rotation',
        Code: { S3Bucket: 'hot-reload', S3Key: FN_DIR },
        Timeout: 30,
      }),
    );
    fnArn = fn.FunctionArn!;
    await waitActive(lambda, 'rotate-db-password');
  });
  afterAll(async () => {
    sm?.destroy();
    lambda?.destroy();
    await emu?.dispose();
  });

  it('runs createSecret → setSecret → testSecret → finishSecret in the function and rotates the value', async () => {
    const { VersionId: v1 } = await sm.send(new CreateSecretCommand({ Name: 'db/real', SecretString: '{"username":"app","password":"initial"}' }));
    const r = await sm.send(new RotateSecretCommand({ SecretId: 'db/real', RotationLambdaARN: fnArn, RotationRules: { AutomaticallyAfterDays: 30 } }));
    const d = await sm.send(new DescribeSecretCommand({ SecretId: 'db/real' }));
    expect(d.VersionIdsToStages).toEqual({ [v1!]: ['AWSPREVIOUS'], [r.VersionId!]: ['AWSPENDING', 'AWSCURRENT'] });
    const now = JSON.parse((await sm.send(new GetSecretValueCommand({ SecretId: 'db/real' }))).SecretString!) as { username: string; password: string };
    expect(now.username).toBe('app');
    expect(now.password).not.toBe('initial');
    expect(now.password).toHaveLength(32);

    const obs = (await (await fetch(`${emu.endpoint}/_rehearse/observations`)).json()) as ObservationsSnapshot;
    const invocations = obs.invocations.filter((i) => i.functionName === 'rotate-db-password');
    expect(invocations).toHaveLength(4);
    expect(invocations.every((i) => i.error === undefined)).toBe(true);
    // The function's successful reads are attributed to it in the audit trail: AWSCURRENT in
    // createSecret and AWSPENDING in testSecret (the failed probe for AWSPENDING read nothing).
    const reads = obs.secretReads.filter((x) => x.caller === 'rotate-db-password');
    expect(reads.map((x) => [x.operation, x.versionStages])).toEqual([
      ['GetSecretValue', ['AWSCURRENT']],
      ['GetSecretValue', ['AWSPENDING']],
    ]);
  });

  it('a function error in testSecret stops the rotation with AWSPENDING on the new, filled version', async () => {
    await lambda.send(new UpdateFunctionConfigurationCommand({ FunctionName: 'rotate-db-password', Environment: { Variables: { FAIL_AT: 'testSecret' } } }));
    await waitActive(lambda, 'rotate-db-password');
    const { VersionId: v1 } = await sm.send(new CreateSecretCommand({ Name: 'db/broken', SecretString: '{"password":"keep"}' }));
    const r = await sm.send(new RotateSecretCommand({ SecretId: 'db/broken', RotationLambdaARN: fnArn }));
    const d = await sm.send(new DescribeSecretCommand({ SecretId: 'db/broken' }));
    expect(d.VersionIdsToStages).toEqual({ [v1!]: ['AWSCURRENT'], [r.VersionId!]: ['AWSPENDING'] });
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 'db/broken' }))).SecretString).toBe('{"password":"keep"}');
    const obs = (await (await fetch(`${emu.endpoint}/_rehearse/observations`)).json()) as ObservationsSnapshot;
    const failed = obs.invocations.filter((i) => i.functionName === 'rotate-db-password' && i.error);
    expect(failed.map((i) => i.error!.errorType)).toEqual(['RotationTestFailure']);
    // The endpoint says where the rotation stopped, and never prints a secret value.
    expect(logLines.some((l) => l.includes('rotation of db/broken stopped: testSecret failed') && l.includes('RotationTestFailure'))).toBe(true);
    const pending = await sm.send(new GetSecretValueCommand({ SecretId: 'db/broken', VersionStage: 'AWSPENDING' }));
    const newPassword = (JSON.parse(pending.SecretString!) as { password: string }).password;
    for (const secretText of ['"keep"', newPassword]) expect(logLines.join('\n')).not.toContain(secretText);
  });
});
