/**
 * Secrets Manager driven by the AWS CLI v2 (/usr/bin/aws) and boto3
 * (/usr/bin/python3) over real HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../harness/emulator/server.ts';
import type { ObservationsSnapshot } from '../../../harness/emulator/observations.ts';
import { awsCli, boto3, HAS_BOTO3, HAS_CLI } from './clients.ts';

describe('Secrets Manager via other clients', () => {
  let emu: Emulator;
  beforeAll(async () => {
    emu = await startEmulator({ services: ['secretsmanager'], log: false });
  });
  afterAll(async () => {
    await emu?.dispose();
  });

  it.skipIf(!HAS_CLI)('AWS CLI v2: create, get, put, describe, list, delete, restore; errors exit non-zero with the AWS code', async () => {
    const cli = (...args: string[]) => awsCli(emu.endpoint, ['secretsmanager', ...args]);
    const created = await cli('create-secret', '--name', 'cli/app', '--secret-string', '{"user":"u","password":"p"}', '--tags', 'Key=team,Value=imaging');
    expect(created.exitCode, created.stderr).toBe(0);
    const { ARN, VersionId } = created.json as { ARN: string; VersionId: string };
    expect(ARN).toMatch(/:secret:cli\/app-[A-Za-z0-9]{6}$/);

    const got = await cli('get-secret-value', '--secret-id', 'cli/app');
    expect(got.json).toMatchObject({ ARN, Name: 'cli/app', VersionId, SecretString: '{"user":"u","password":"p"}', VersionStages: ['AWSCURRENT'] });

    const put = await cli('put-secret-value', '--secret-id', ARN, '--secret-string', 'second');
    const v2 = (put.json as { VersionId: string }).VersionId;
    const described = await cli('describe-secret', '--secret-id', 'cli/app');
    expect((described.json as { VersionIdsToStages: unknown }).VersionIdsToStages).toEqual({ [VersionId]: ['AWSPREVIOUS'], [v2]: ['AWSCURRENT'] });

    const listed = await cli('list-secrets', '--filters', 'Key=tag-value,Values=imaging');
    expect((listed.json as { SecretList: Array<{ Name: string }> }).SecretList.map((s) => s.Name)).toEqual(['cli/app']);

    const deleted = await cli('delete-secret', '--secret-id', 'cli/app', '--recovery-window-in-days', '7');
    expect(deleted.exitCode, deleted.stderr).toBe(0);
    const refused = await cli('get-secret-value', '--secret-id', 'cli/app');
    expect(refused.exitCode).not.toBe(0);
    expect(refused.stderr).toContain('InvalidRequestException');
    expect(refused.stderr).toContain('marked for deletion');
    // The value never shows up in an error.
    expect(refused.stderr).not.toContain('second');

    expect((await cli('restore-secret', '--secret-id', 'cli/app')).exitCode).toBe(0);
    const back = await cli('get-secret-value', '--secret-id', 'cli/app', '--version-stage', 'AWSPREVIOUS');
    expect((back.json as { SecretString: string }).SecretString).toBe('{"user":"u","password":"p"}');

  }, 300_000);

  it.skipIf(!HAS_BOTO3)('boto3: the same lifecycle, modelled exceptions, binary values, version ids and the audit trail', async () => {
    const r = await boto3(
      emu.endpoint,
      `
c = sm.create_secret(Name='py/cfg', SecretString='{"a":1}', Description='from boto3')
out(c)
out(sm.get_secret_value(SecretId='py/cfg')['SecretString'])
p = sm.put_secret_value(SecretId='py/cfg', SecretBinary=b'\\x00\\xffbin')
out(p['VersionStages'])
g = sm.get_secret_value(SecretId='py/cfg')
out(list(g['SecretBinary']))
out(sm.list_secret_version_ids(SecretId='py/cfg')['Versions'].__len__())
try:
    sm.get_secret_value(SecretId='py/none')
    out('no error')
except sm.exceptions.ResourceNotFoundException as e:
    out(['ResourceNotFoundException', e.response['Error']['Message']])
out(err(lambda: sm.delete_secret(SecretId='py/cfg', RecoveryWindowInDays=3)))
out(sm.delete_secret(SecretId='py/cfg', ForceDeleteWithoutRecovery=True)['Name'])
out(err(lambda: sm.describe_secret(SecretId='py/cfg')))
`,
    );
    expect(r.exitCode, r.stderr).toBe(0);
    const [created, value, stages, binary, versions, notFound, badWindow, forced, gone] = r.json as unknown[];
    expect(created).toMatchObject({ Name: 'py/cfg' });
    expect(value).toBe('{"a":1}');
    expect(stages).toEqual(['AWSCURRENT']);
    expect(binary).toEqual([0, 255, 98, 105, 110]);
    expect(versions).toBe(2);
    expect(notFound).toEqual(['ResourceNotFoundException', "Secrets Manager can't find the specified secret."]);
    expect(badWindow).toMatchObject({ code: 'InvalidParameterException', status: 400 });
    expect(forced).toBe('py/cfg');
    expect(gone).toMatchObject({ code: 'ResourceNotFoundException' });

    const obs = (await (await fetch(`${emu.endpoint}/_rehearse/observations`)).json()) as ObservationsSnapshot;
    const pyReads = obs.secretReads.filter((x) => x.secretId === 'py/cfg');
    expect(pyReads).toHaveLength(2);
    expect(pyReads.every((x) => x.caller === 'client' && x.operation === 'GetSecretValue')).toBe(true);
  });
});
