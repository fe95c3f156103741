/**
 * Secrets Manager over real HTTP with AWS SDK for JavaScript v3 (default settings).
 */
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BatchGetSecretValueCommand,
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  InvalidParameterException,
  InvalidRequestException,
  ListSecretsCommand,
  type ListSecretsCommandInput,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  RestoreSecretCommand,
  SecretsManagerClient,
  TagResourceCommand,
  UntagResourceCommand,
  UpdateSecretCommand,
  UpdateSecretVersionStageCommand,
  GetRandomPasswordCommand,
} from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../harness/core/index.ts';
import { startEmulator, type Emulator } from '../../../harness/emulator/server.ts';
import type { ObservationsSnapshot } from '../../../harness/emulator/observations.ts';

const CREDS = { accessKeyId: 'test', secretAccessKey: 'test' };

function client(endpoint: string, accessKeyId = 'test'): SecretsManagerClient {
  return new SecretsManagerClient({ endpoint, region: 'us-east-1', credentials: { ...CREDS, accessKeyId }, maxAttempts: 1 });
}

async function observations(endpoint: string): Promise<ObservationsSnapshot> {
  const res = await fetch(`${endpoint}/_rehearse/observations`);
  expect(res.status).toBe(200);
  return (await res.json()) as ObservationsSnapshot;
}

/** A raw awsJson 1.1 call, for inputs no SDK would send. */
async function raw(endpoint: string, operation: string, body: string): Promise<{ status: number; json: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-amz-json-1.1',
      'x-amz-target': `secretsmanager.${operation}`,
      authorization: 'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/secretsmanager/aws4_request, SignedHeaders=host, Signature=00',
    },
    body,
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {}, headers: res.headers };
}

describe('Secrets Manager via SDK v3', () => {
  let emu: Emulator;
  let sm: SecretsManagerClient;
  const clock = new VirtualClock({ start: Date.UTC(2026, 0, 10, 12), autoAdvance: 'off' });

  beforeAll(async () => {
    emu = await startEmulator({ services: ['secretsmanager'], clock, log: false, seed: 7 });
    sm = client(emu.endpoint);
  });
  afterAll(async () => {
    sm?.destroy();
    await emu?.dispose();
  });
  beforeEach(async () => {
    await emu.reset();
  });

  it('creates a secret with an AWS-shaped ARN and reads it back by name, ARN and partial ARN', async () => {
    const created = await sm.send(new CreateSecretCommand({ Name: 'image-processor/config', SecretString: '{"targetWidth":800}', Description: 'cfg' }));
    expect(created.ARN).toMatch(/^arn:aws:secretsmanager:us-east-1:000000000000:secret:image-processor\/config-[A-Za-z0-9]{6}$/);
    expect(created.VersionId).toMatch(/^[0-9a-f-]{36}$/);
    for (const id of ['image-processor/config', created.ARN!, created.ARN!.slice(0, -7)]) {
      const got = await sm.send(new GetSecretValueCommand({ SecretId: id }));
      expect(got.SecretString).toBe('{"targetWidth":800}');
      expect(got.VersionStages).toEqual(['AWSCURRENT']);
      expect(got.CreatedDate?.getTime()).toBe(clock.now());
    }
  });

  it('stores binary secrets byte for byte', async () => {
    const bytes = Uint8Array.from([0, 1, 2, 250, 255]);
    await sm.send(new CreateSecretCommand({ Name: 'bin', SecretBinary: bytes }));
    const got = await sm.send(new GetSecretValueCommand({ SecretId: 'bin' }));
    expect([...got.SecretBinary!]).toEqual([...bytes]);
    expect(got.SecretString).toBeUndefined();
  });

  it('raises the typed exceptions AWS raises', async () => {
    await expect(sm.send(new GetSecretValueCommand({ SecretId: 'missing' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    await sm.send(new CreateSecretCommand({ Name: 'dup', SecretString: 'a' }));
    const dup = sm.send(new CreateSecretCommand({ Name: 'dup', SecretString: 'b' }));
    await expect(dup).rejects.toBeInstanceOf(ResourceExistsException);
    await expect(dup).rejects.toThrow('The operation failed because the secret dup already exists.');
    await expect(sm.send(new CreateSecretCommand({ Name: 'bad name!' }))).rejects.toBeInstanceOf(InvalidParameterException);
    await sm.send(new CreateSecretCommand({ Name: 'empty' }));
    const noValue = sm.send(new GetSecretValueCommand({ SecretId: 'empty' }));
    await expect(noValue).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(noValue).rejects.toThrow("Secrets Manager can't find the specified secret value for staging label: AWSCURRENT");
  });

  it('moves AWSCURRENT/AWSPREVIOUS on PutSecretValue exactly as AWS does', async () => {
    const v1 = (await sm.send(new CreateSecretCommand({ Name: 's', SecretString: 'one' }))).VersionId!;
    const v2 = (await sm.send(new PutSecretValueCommand({ SecretId: 's', SecretString: 'two' }))).VersionId!;
    let d = await sm.send(new DescribeSecretCommand({ SecretId: 's' }));
    expect(d.VersionIdsToStages).toEqual({ [v1]: ['AWSPREVIOUS'], [v2]: ['AWSCURRENT'] });

    const v3 = (await sm.send(new PutSecretValueCommand({ SecretId: 's', SecretString: 'three' }))).VersionId!;
    d = await sm.send(new DescribeSecretCommand({ SecretId: 's' }));
    // v1 lost its last label: deprecated, no longer listed.
    expect(d.VersionIdsToStages).toEqual({ [v2]: ['AWSPREVIOUS'], [v3]: ['AWSCURRENT'] });
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 's', VersionStage: 'AWSPREVIOUS' }))).SecretString).toBe('two');
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 's', VersionId: v1 }))).SecretString).toBe('one');

    const listed = await sm.send(new ListSecretVersionIdsCommand({ SecretId: 's' }));
    expect(listed.Versions!.map((v) => v.VersionId).sort()).toEqual([v2, v3].sort());
    const all = await sm.send(new ListSecretVersionIdsCommand({ SecretId: 's', IncludeDeprecated: true }));
    expect(all.Versions).toHaveLength(3);

    // A custom label next to AWSPENDING-like staging; AWSCURRENT stays put.
    const v4 = (await sm.send(new PutSecretValueCommand({ SecretId: 's', SecretString: 'four', VersionStages: ['AWSPENDING'] }))).VersionId!;
    d = await sm.send(new DescribeSecretCommand({ SecretId: 's' }));
    expect(d.VersionIdsToStages![v4]).toEqual(['AWSPENDING']);
    expect(d.VersionIdsToStages![v3]).toEqual(['AWSCURRENT']);
  });

  it('PutSecretValue is idempotent per ClientRequestToken and refuses a changed value', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'idem', SecretString: 'x' }));
    const token = 'a'.repeat(32);
    const first = await sm.send(new PutSecretValueCommand({ SecretId: 'idem', SecretString: 'y', ClientRequestToken: token }));
    const again = await sm.send(new PutSecretValueCommand({ SecretId: 'idem', SecretString: 'y', ClientRequestToken: token }));
    expect(again.VersionId).toBe(first.VersionId);
    const changed = sm.send(new PutSecretValueCommand({ SecretId: 'idem', SecretString: 'z', ClientRequestToken: token }));
    await expect(changed).rejects.toBeInstanceOf(ResourceExistsException);
  });

  it('UpdateSecretVersionStage moves labels and insists on RemoveFromVersionId', async () => {
    const v1 = (await sm.send(new CreateSecretCommand({ Name: 'st', SecretString: 'one' }))).VersionId!;
    const v2 = (await sm.send(new PutSecretValueCommand({ SecretId: 'st', SecretString: 'two' }))).VersionId!;
    await expect(sm.send(new UpdateSecretVersionStageCommand({ SecretId: 'st', VersionStage: 'AWSCURRENT', MoveToVersionId: v1 }))).rejects.toBeInstanceOf(
      InvalidParameterException,
    );
    await sm.send(new UpdateSecretVersionStageCommand({ SecretId: 'st', VersionStage: 'AWSCURRENT', MoveToVersionId: v1, RemoveFromVersionId: v2 }));
    const d = await sm.send(new DescribeSecretCommand({ SecretId: 'st' }));
    expect(d.VersionIdsToStages).toEqual({ [v1]: ['AWSCURRENT'], [v2]: ['AWSPREVIOUS'] });
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 'st' }))).SecretString).toBe('one');
  });

  it('follows the deletion rules: window 7–30, reads refused, restore, purge after the window', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'gone', SecretString: 'v' }));
    await expect(sm.send(new DeleteSecretCommand({ SecretId: 'gone', RecoveryWindowInDays: 6 }))).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(sm.send(new DeleteSecretCommand({ SecretId: 'gone', RecoveryWindowInDays: 7, ForceDeleteWithoutRecovery: true }))).rejects.toBeInstanceOf(
      InvalidParameterException,
    );
    const del = await sm.send(new DeleteSecretCommand({ SecretId: 'gone', RecoveryWindowInDays: 7 }));
    expect(del.DeletionDate!.getTime()).toBe(clock.now() + 7 * 86_400_000);

    const read = sm.send(new GetSecretValueCommand({ SecretId: 'gone' }));
    await expect(read).rejects.toBeInstanceOf(InvalidRequestException);
    await expect(read).rejects.toThrow('marked for deletion');
    await expect(sm.send(new PutSecretValueCommand({ SecretId: 'gone', SecretString: 'w' }))).rejects.toBeInstanceOf(InvalidRequestException);
    await expect(sm.send(new CreateSecretCommand({ Name: 'gone', SecretString: 'w' }))).rejects.toBeInstanceOf(InvalidRequestException);
    const described = await sm.send(new DescribeSecretCommand({ SecretId: 'gone' }));
    expect(described.DeletedDate!.getTime()).toBe(clock.now());
    expect((await sm.send(new ListSecretsCommand({}))).SecretList).toHaveLength(0);
    expect((await sm.send(new ListSecretsCommand({ IncludePlannedDeletion: true }))).SecretList).toHaveLength(1);

    await sm.send(new RestoreSecretCommand({ SecretId: 'gone' }));
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 'gone' }))).SecretString).toBe('v');

    await sm.send(new DeleteSecretCommand({ SecretId: 'gone', RecoveryWindowInDays: 7 }));
    await clock.advance(7 * 86_400_000 + 1000);
    await expect(sm.send(new DescribeSecretCommand({ SecretId: 'gone' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
    // The name is free again.
    await sm.send(new CreateSecretCommand({ Name: 'gone', SecretString: 'new' }));

    await sm.send(new DeleteSecretCommand({ SecretId: 'gone', ForceDeleteWithoutRecovery: true }));
    await expect(sm.send(new DescribeSecretCommand({ SecretId: 'gone' }))).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('lists with filters, sorting and paging', async () => {
    for (const [name, tag] of [
      ['prod/db', 'prod'],
      ['prod/api', 'prod'],
      ['dev/db', 'dev'],
    ] as const) {
      await sm.send(new CreateSecretCommand({ Name: name, SecretString: 'x', Tags: [{ Key: 'env', Value: tag }], Description: `The ${name} secret` }));
      await clock.advance(1000);
    }
    const names = async (input: ListSecretsCommandInput) =>
      (await sm.send(new ListSecretsCommand(input))).SecretList!.map((s) => s.Name);
    expect(await names({ Filters: [{ Key: 'name', Values: ['prod/'] }] })).toEqual(['prod/db', 'prod/api']);
    expect(await names({ Filters: [{ Key: 'name', Values: ['Prod/'] }] })).toEqual([]);
    expect(await names({ Filters: [{ Key: 'tag-value', Values: ['dev'] }] })).toEqual(['dev/db']);
    expect(await names({ Filters: [{ Key: 'name', Values: ['!prod'] }] })).toEqual(['dev/db']);
    expect(await names({ Filters: [{ Key: 'description', Values: ['the PROD'] }] })).toEqual(['prod/db', 'prod/api']);
    expect(await names({ Filters: [{ Key: 'all', Values: ['api'] }] })).toEqual(['prod/api']);
    expect(await names({ SortBy: 'name', SortOrder: 'asc' })).toEqual(['dev/db', 'prod/api', 'prod/db']);

    const page1 = await sm.send(new ListSecretsCommand({ MaxResults: 2 }));
    expect(page1.SecretList).toHaveLength(2);
    expect(page1.NextToken).toBeDefined();
    const page2 = await sm.send(new ListSecretsCommand({ MaxResults: 2, NextToken: page1.NextToken }));
    expect(page2.SecretList!.map((s) => s.Name)).toEqual(['dev/db']);
    expect(page2.NextToken).toBeUndefined();
    expect(page1.SecretList![0]!.SecretVersionsToStages).toBeDefined();
  });

  it('tags and untags; UpdateSecret changes metadata and the value', async () => {
    await sm.send(new CreateSecretCommand({ Name: 't', SecretString: 'a', Tags: [{ Key: 'k1', Value: 'v1' }] }));
    await sm.send(new TagResourceCommand({ SecretId: 't', Tags: [{ Key: 'k2', Value: 'v2' }, { Key: 'k1', Value: 'v1b' }] }));
    let d = await sm.send(new DescribeSecretCommand({ SecretId: 't' }));
    expect(d.Tags).toEqual([
      { Key: 'k1', Value: 'v1b' },
      { Key: 'k2', Value: 'v2' },
    ]);
    await sm.send(new UntagResourceCommand({ SecretId: 't', TagKeys: ['k1'] }));
    const u = await sm.send(new UpdateSecretCommand({ SecretId: 't', Description: 'new', SecretString: 'b' }));
    d = await sm.send(new DescribeSecretCommand({ SecretId: 't' }));
    expect(d.Tags).toEqual([{ Key: 'k2', Value: 'v2' }]);
    expect(d.Description).toBe('new');
    expect(d.VersionIdsToStages![u.VersionId!]).toEqual(['AWSCURRENT']);
  });

  it('BatchGetSecretValue returns values and per-secret errors', async () => {
    await sm.send(new CreateSecretCommand({ Name: 'b1', SecretString: '1' }));
    await sm.send(new CreateSecretCommand({ Name: 'b2', SecretString: '2' }));
    const r = await sm.send(new BatchGetSecretValueCommand({ SecretIdList: ['b1', 'b2', 'nope'] }));
    expect(r.SecretValues!.map((v) => [v.Name, v.SecretString])).toEqual([
      ['b1', '1'],
      ['b2', '2'],
    ]);
    expect(r.Errors).toEqual([{ SecretId: 'nope', ErrorCode: 'ResourceNotFoundException', Message: "Secrets Manager can't find the specified secret." }]);
    const f = await sm.send(new BatchGetSecretValueCommand({ Filters: [{ Key: 'name', Values: ['b2'] }] }));
    expect(f.SecretValues!.map((v) => v.SecretString)).toEqual(['2']);
    await expect(sm.send(new BatchGetSecretValueCommand({}))).rejects.toBeInstanceOf(InvalidParameterException);
  });

  it('records every read with caller, version and virtual time, readable through the control API', async () => {
    const { VersionId } = await sm.send(new CreateSecretCommand({ Name: 'audited', SecretString: 'top-secret-value' }));
    await sm.send(new GetSecretValueCommand({ SecretId: 'audited' }));
    const fromFunction = client(emu.endpoint, 'LAMBDA_resize-image');
    try {
      await sm.send(new BatchGetSecretValueCommand({ SecretIdList: ['audited'] }));
      await fromFunction.send(new GetSecretValueCommand({ SecretId: 'audited' }));
    } finally {
      fromFunction.destroy();
    }
    await sm.send(new DescribeSecretCommand({ SecretId: 'audited' }));
    const reads = (await observations(emu.endpoint)).secretReads;
    expect(reads.map((r) => [r.operation, r.caller, r.secretId, r.versionId, r.versionStages])).toEqual([
      ['GetSecretValue', 'client', 'audited', VersionId, ['AWSCURRENT']],
      ['BatchGetSecretValue', 'client', 'audited', VersionId, ['AWSCURRENT']],
      ['GetSecretValue', expect.stringMatching(/resize-image/), 'audited', VersionId, ['AWSCURRENT']],
    ]);
    expect(reads.every((r) => r.time === clock.now())).toBe(true);
    expect(JSON.stringify(reads)).not.toContain('top-secret-value');
  });

  it('answers bad input with the AWS error and keeps serving', async () => {
    const missing = await raw(emu.endpoint, 'GetSecretValue', '{}');
    expect(missing.status).toBe(400);
    expect(missing.json['__type']).toMatch(/ValidationException/);
    expect(String(missing.json['message'])).toContain("'secretId'");

    const wrongType = await raw(emu.endpoint, 'GetSecretValue', '{"SecretId": 42}');
    expect(wrongType.status).toBe(400);
    expect(wrongType.json['__type']).toMatch(/SerializationException/);

    const wrongTags = await raw(emu.endpoint, 'CreateSecret', '{"Name":"x","Tags":{"a":"b"}}');
    expect(wrongTags.status).toBe(400);
    expect(wrongTags.json['__type']).toMatch(/SerializationException/);
    expect(String(wrongTags.json['message'])).toContain('Tags');

    const badJson = await raw(emu.endpoint, 'CreateSecret', '{"Name":');
    expect(badJson.status).toBe(400);

    const shortToken = await raw(emu.endpoint, 'CreateSecret', '{"Name":"x","ClientRequestToken":"short"}');
    expect(shortToken.status).toBe(400);
    expect(shortToken.json['__type']).toMatch(/ValidationException/);

    const unknown = await raw(emu.endpoint, 'NoSuchOperation', '{}');
    expect(unknown.status).toBe(400);

    // Still works.
    await sm.send(new CreateSecretCommand({ Name: 'after', SecretString: 'ok' }));
    expect((await sm.send(new GetSecretValueCommand({ SecretId: 'after' }))).SecretString).toBe('ok');
  });

  it('generates passwords with the requested character classes', async () => {
    const p = await sm.send(new GetRandomPasswordCommand({ PasswordLength: 40, ExcludePunctuation: true, ExcludeCharacters: 'abc' }));
    expect(p.RandomPassword).toHaveLength(40);
    expect(p.RandomPassword).toMatch(/^[A-Za-z0-9]+$/);
    expect(p.RandomPassword).not.toMatch(/[abc]/);
    expect(p.RandomPassword).toMatch(/[0-9]/);
  });
});

describe('Secrets Manager persistence (--data-dir)', () => {
  it('a restart on the same data dir loses nothing, and the file holds no partial writes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-sm-'));
    try {
      let arn: string;
      let v1: string;
      {
        await using emu = await startEmulator({ services: ['secretsmanager'], dataDir: dir, log: false });
        const sm = client(emu.endpoint);
        const c = await sm.send(new CreateSecretCommand({ Name: 'persisted', SecretString: 'one', Tags: [{ Key: 'a', Value: 'b' }] }));
        arn = c.ARN!;
        v1 = c.VersionId!;
        await sm.send(new PutSecretValueCommand({ SecretId: 'persisted', SecretBinary: Buffer.from([1, 2, 3]) }));
        await sm.send(new CreateSecretCommand({ Name: 'deleted-later', SecretString: 'x' }));
        await sm.send(new DeleteSecretCommand({ SecretId: 'deleted-later' }));
        sm.destroy();
      }
      expect(() => JSON.parse(readFileSync(join(dir, 'secretsmanager.json'), 'utf8')) as unknown).not.toThrow();
      {
        await using emu = await startEmulator({ services: ['secretsmanager'], dataDir: dir, log: false });
        const sm = client(emu.endpoint);
        const cur = await sm.send(new GetSecretValueCommand({ SecretId: arn }));
        expect([...cur.SecretBinary!]).toEqual([1, 2, 3]);
        expect((await sm.send(new GetSecretValueCommand({ SecretId: 'persisted', VersionId: v1 }))).SecretString).toBe('one');
        expect((await sm.send(new DescribeSecretCommand({ SecretId: 'persisted' }))).Tags).toEqual([{ Key: 'a', Value: 'b' }]);
        await expect(sm.send(new GetSecretValueCommand({ SecretId: 'deleted-later' }))).rejects.toBeInstanceOf(InvalidRequestException);
        sm.destroy();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
