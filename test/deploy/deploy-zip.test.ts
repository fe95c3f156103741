/**
 * The zip path of deploy (what LocalStack and AWS get): on a backend without
 * local code directories, functions are uploaded as zips (esbuild bundle +
 * sharp's linux-x64 build) and run from them. Here the embedded endpoint plays
 * that backend with localCodeDirectories turned off.
 */
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GetFunctionCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbedded, type EmbeddedBackend } from '../../harness/backends/embedded.ts';
import type { Backend } from '../../harness/backends/backend.ts';
import { deploy } from '../../harness/deploy/index.ts';
import { photo, pngBomb } from '../support/images.ts';

const REPO = path.resolve(new URL('../..', import.meta.url).pathname);
const TEMPLATE = `AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Globals:
  Function:
    Runtime: nodejs20.x
    CodeUri: ../lambdas/
    Handler: index.handler
    Timeout: 60
    Environment:
      Variables:
        CONFIG_SECRET_ID: image-processor/config
Resources:
  Images:
    Type: AWS::S3::Bucket
    Properties: { BucketName: zip-images }
  Config:
    Type: AWS::SecretsManager::Secret
    Properties: { Name: image-processor/config }
  ValidateImageFunction:
    Type: AWS::Serverless::Function
    Metadata:
      BuildMethod: esbuild
      BuildProperties: { Format: esm, External: [sharp], EntryPoints: [validate-image/index.ts] }
    Properties: { FunctionName: zip-validate-image, MemorySize: 1024 }
  AggregateResultsFunction:
    Type: AWS::Serverless::Function
    Metadata:
      BuildMethod: esbuild
      BuildProperties: { EntryPoints: [aggregate-results/index.ts] }
    Properties: { FunctionName: zip-aggregate-results }
`;

let root: string;
let be: EmbeddedBackend;
let zipBackend: Backend;
let lambda: LambdaClient;

beforeAll(async () => {
  root = mkdtempSync(path.join(tmpdir(), 'rehearse-zip-deploy-'));
  symlinkSync(path.join(REPO, 'lambdas'), path.join(root, 'lambdas'));
  mkdirSync(path.join(root, 'workflows'));
  writeFileSync(path.join(root, 'workflows', 'template.yaml'), TEMPLATE);
  be = await startEmbedded({ log: { info() {}, warn() {}, error: (m) => console.error(m) } });
  zipBackend = { ...be, capabilities: { ...be.capabilities, localCodeDirectories: false } };
  lambda = new LambdaClient({ endpoint: be.endpoint, region: be.region, credentials: be.credentials });
}, 120_000);

afterAll(async () => {
  lambda?.destroy();
  await be?.dispose();
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('deploy with zips', () => {
  it('uploads zips, runs sharp from the zip, and a redeploy of the same code changes nothing', { timeout: 240_000 }, async () => {
    const first = await deploy(path.join(root, 'workflows', 'template.yaml'), zipBackend, { secrets: { 'image-processor/config': { maxPixels: 1_000_000 } } });
    expect(first.changes.filter((c) => c.type === 'AWS::Serverless::Function').map((c) => `${c.physicalId}:${c.action}:${c.detail}`)).toEqual([
      'zip-validate-image:created:zip',
      'zip-aggregate-results:created:zip',
    ]);
    const fn = await lambda.send(new GetFunctionCommand({ FunctionName: 'zip-validate-image' }));
    expect(fn.Configuration).toMatchObject({ Handler: 'index.handler', Runtime: 'nodejs20.x', MemorySize: 1024, Timeout: 60 });
    expect(fn.Configuration!.CodeSize).toBeGreaterThan(5_000_000); // the bundle plus libvips

    const s3 = new S3Client({ endpoint: be.endpoint, region: be.region, credentials: be.credentials, forcePathStyle: true });
    await s3.send(new PutObjectCommand({ Bucket: 'zip-images', Key: 'ok.jpg', Body: await photo('jpeg', { width: 300, height: 200 }) }));
    await s3.send(new PutObjectCommand({ Bucket: 'zip-images', Key: 'bomb.png', Body: pngBomb(5000, 5000) }));
    s3.destroy();
    const invoke = async (name: string, payload: unknown) => {
      const out = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify(payload)) }));
      expect(out.FunctionError, Buffer.from(out.Payload ?? []).toString()).toBeUndefined();
      return JSON.parse(Buffer.from(out.Payload!).toString()) as Record<string, unknown>;
    };
    expect(await invoke('zip-validate-image', { bucket: 'zip-images', key: 'ok.jpg' })).toMatchObject({ isValid: true, format: 'jpeg', width: 300, height: 200 });
    expect(await invoke('zip-validate-image', { bucket: 'zip-images', key: 'bomb.png' })).toMatchObject({ isValid: false, reason: expect.stringContaining('above the limit of 1000000') });
    expect(await invoke('zip-aggregate-results', { results: [{ status: 'INVALID', key: 'x', reason: 'r' }] })).toMatchObject({ total: 1, invalid: 1 });

    const again = await deploy(path.join(root, 'workflows', 'template.yaml'), zipBackend, { secrets: { 'image-processor/config': { maxPixels: 1_000_000 } } });
    expect(again.changes.filter((c) => c.action !== 'unchanged')).toEqual([]);
  });
});
