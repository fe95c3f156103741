/** --verify-signatures with real SDK clients: right secret accepted (plain, aws-chunked, presigned), wrong secret gets AWS's typed error. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { ListStateMachinesCommand, SFNClient } from '@aws-sdk/client-sfn';
import { ListTopicsCommand, SNSClient } from '@aws-sdk/client-sns';
import { SignatureV4 } from '@smithy/signature-v4';
import { createHash, createHmac } from 'node:crypto';
import type { Checksum, SourceData } from '@smithy/types';
import { createIdSource, SystemClock } from '../../harness/core/index.ts';
import { FaultRegistry } from '../../harness/emulator/faults.ts';
import { startEmulator, type Emulator } from '../../harness/emulator/index.ts';
import { createProtocolHandler } from '../../harness/protocol/http-handler.ts';
import { parseAuthorization } from '../../harness/protocol/sigv4.ts';
import { clientConfig, s3Client } from '../support/clients.ts';

let em: Emulator;
let server: Server;
let endpoint = '';

beforeAll(async () => {
  em = await startEmulator({ services: ['s3'], log: false, verifySignatures: true });
  const handler = createProtocolHandler({
    services: [
      { kind: 'json', signingName: 'states', targetPrefix: 'AWSStepFunctions', jsonVersion: '1.0', operations: { ListStateMachines: () => ({ stateMachines: [] }) } },
      { kind: 'query', signingName: 'sns', xmlNamespace: 'http://sns.amazonaws.com/doc/2010-03-31/', operations: { ListTopics: () => ({ Topics: [] }) } },
    ],
    region: 'us-east-1',
    accountId: '000000000000',
    ids: createIdSource(1),
    clock: new SystemClock(),
    faults: new FaultRegistry(),
    log: { info: () => {}, warn: () => {}, error: () => {} },
    endpoint: () => endpoint,
    verifySignatures: true,
    credentials: { AKIDEXAMPLE: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
  });
  server = createServer((req, res) => void handler(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await em?.dispose();
  await new Promise((r) => server.close(r));
});

describe('SigV4 verification', () => {
  it('S3: Buffer and aws-chunked stream uploads signed with the right secret pass; a wrong secret is SignatureDoesNotMatch', async () => {
    const s3 = s3Client(em.endpoint);
    await s3.send(new CreateBucketCommand({ Bucket: 'signed' }));
    await s3.send(new PutObjectCommand({ Bucket: 'signed', Key: 'buf', Body: Buffer.from('buffer body') }));
    await s3.send(new PutObjectCommand({ Bucket: 'signed', Key: 'stream key with spaces', Body: Readable.from([Buffer.from('stream '), Buffer.from('body')]), ContentLength: 11 }));
    const got = await s3.send(new GetObjectCommand({ Bucket: 'signed', Key: 'stream key with spaces' }));
    expect(await got.Body!.transformToString()).toBe('stream body');
    const wrong = s3Client(em.endpoint, { extra: { credentials: { accessKeyId: 'test', secretAccessKey: 'wrong' }, maxAttempts: 1 } });
    await expect(wrong.send(new GetObjectCommand({ Bucket: 'signed', Key: 'buf' }))).rejects.toMatchObject({ name: 'SignatureDoesNotMatch', $metadata: { httpStatusCode: 403 } });
    s3.destroy();
    wrong.destroy();
  });

  it('awsJson and query: known keys verified with their secret; wrong ones get InvalidSignatureException / SignatureDoesNotMatch', async () => {
    const creds = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' };
    const sfn = new SFNClient({ ...clientConfig(endpoint), credentials: creds });
    expect((await sfn.send(new ListStateMachinesCommand({}))).stateMachines).toEqual([]);
    const sns = new SNSClient({ ...clientConfig(endpoint), credentials: creds });
    expect((await sns.send(new ListTopicsCommand({}))).Topics ?? []).toEqual([]);
    const badSfn = new SFNClient({ ...clientConfig(endpoint), credentials: { ...creds, secretAccessKey: 'nope' }, maxAttempts: 1 });
    await expect(badSfn.send(new ListStateMachinesCommand({}))).rejects.toMatchObject({ name: 'InvalidSignatureException', $metadata: { httpStatusCode: 403 } });
    const badSns = new SNSClient({ ...clientConfig(endpoint), credentials: { ...creds, secretAccessKey: 'nope' }, maxAttempts: 1 });
    await expect(badSns.send(new ListTopicsCommand({}))).rejects.toMatchObject({ name: 'SignatureDoesNotMatch', $metadata: { httpStatusCode: 403 } });
    for (const c of [sfn, sns, badSfn, badSns]) c.destroy();
  });

  it('presigned URLs: right secret works, a tampered one is rejected', async () => {
    class Sha256 implements Checksum {
      private h;
      constructor(private readonly secret?: SourceData) {
        this.h = secret === undefined ? createHash('sha256') : createHmac('sha256', Buffer.from(secret as Uint8Array));
      }
      update(d: Uint8Array): void {
        this.h.update(d);
      }
      async digest(): Promise<Uint8Array> {
        return new Uint8Array(this.h.digest());
      }
      reset(): void {
        this.h = this.secret === undefined ? createHash('sha256') : createHmac('sha256', Buffer.from(this.secret as Uint8Array));
      }
    }
    const url = new URL(em.endpoint);
    const signer = new SignatureV4({ credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, region: 'us-east-1', service: 's3', sha256: Sha256, uriEscapePath: false });
    const presigned = await signer.presign({ method: 'GET', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/signed/buf', query: {}, headers: { host: url.host } }, { expiresIn: 300 });
    const qs = new URLSearchParams(presigned.query as Record<string, string>).toString();
    const ok = await fetch(`${em.endpoint}/signed/buf?${qs}`);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('buffer body');
    const tampered = await fetch(`${em.endpoint}/signed/buf?${qs.replace(/X-Amz-Signature=([0-9a-f])/, (_m, c: string) => `X-Amz-Signature=${c === 'a' ? 'b' : 'a'}`)}`);
    expect(tampered.status).toBe(403);
    expect(await tampered.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
    const old = await signer.presign(
      { method: 'GET', protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: '/signed/buf', query: {}, headers: { host: url.host } },
      { expiresIn: 60, signingDate: new Date(Date.now() - 3600_000) },
    );
    const expired = await fetch(`${em.endpoint}/signed/buf?${new URLSearchParams(old.query as Record<string, string>).toString()}`);
    expect(expired.status).toBe(403);
    expect(await expired.text()).toContain('<Message>Request has expired</Message>');
  });

  it('parseAuthorization reads header and presigned forms and reports malformed ones', () => {
    const h = parseAuthorization({ authorization: 'AWS4-HMAC-SHA256 Credential=AK/20260102/eu-west-1/sqs/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc' }, new URLSearchParams());
    expect(h).toMatchObject({ kind: 'ok', auth: { accessKeyId: 'AK', region: 'eu-west-1', service: 'sqs', signedHeaders: 'host;x-amz-date' } });
    expect(parseAuthorization({ authorization: 'Basic Zm9v' }, new URLSearchParams())).toMatchObject({ kind: 'malformed' });
    expect(parseAuthorization({ authorization: 'AWS4-HMAC-SHA256 Credential=AK/2026/x/y, Signature=a' }, new URLSearchParams())).toMatchObject({ kind: 'malformed' });
    expect(parseAuthorization({}, new URLSearchParams())).toEqual({ kind: 'none' });
  });
});
