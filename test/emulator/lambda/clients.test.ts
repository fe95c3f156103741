/**
 * The Lambda API driven by clients nobody here wrote: the Debian AWS CLI v2
 * (`/usr/bin/aws`) and boto3 (`/usr/bin/python3`) — plus a Python handler
 * that itself calls the endpoint with boto3.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import sharp from 'sharp';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CreateFunctionCommand, InvokeCommand } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../harness/emulator/index.ts';
import { CREDENTIALS, fixtureZip, lambdaClient, ROLE, text } from './support.ts';

const hasCli = existsSync('/usr/bin/aws');
const hasPython = existsSync('/usr/bin/python3');

let em: Emulator;
let work: string;

beforeAll(async () => {
  em = await startEmulator({ services: ['lambda', 's3'], log: false });
  work = mkdtempSync(join(tmpdir(), 'rehearse-lambda-clients-'));
});
afterAll(async () => {
  await em?.dispose();
  if (work) rmSync(work, { recursive: true, force: true });
});

const clientEnv = () => ({
  AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_PAGER: '',
  AWS_EC2_METADATA_DISABLED: 'true',
  HOME: work,
});

async function aws(args: string[]): Promise<Record<string, unknown>> {
  const out = await execa('/usr/bin/aws', [...args, '--endpoint-url', em.endpoint, '--output', 'json'], { env: clientEnv(), extendEnv: false, reject: false });
  if (out.exitCode !== 0) throw new Error(`aws ${args.join(' ')} failed (${out.exitCode}): ${out.stderr}`);
  return out.stdout.trim() === '' ? {} : (JSON.parse(out.stdout) as Record<string, unknown>);
}

describe.skipIf(!hasCli)('AWS CLI v2 (needs /usr/bin/aws)', () => {
  it('lambda create-function --zip-file fileb:// then invoke (with a function error and --log-type Tail)', async () => {
    const zipPath = join(work, 'fn.zip');
    writeFileSync(zipPath, fixtureZip('node', ['index.mjs=errors.mjs']));
    const created = await aws([
      'lambda', 'create-function', '--function-name', 'cli-fn', '--runtime', 'nodejs20.x', '--handler', 'index.handler',
      '--role', ROLE, '--zip-file', `fileb://${zipPath}`, '--timeout', '5',
    ]);
    expect(created).toMatchObject({ FunctionName: 'cli-fn', State: 'Active', Runtime: 'nodejs20.x', Timeout: 5 });

    const okOut = join(work, 'ok.json');
    const ok = await aws(['lambda', 'invoke', '--function-name', 'cli-fn', '--cli-binary-format', 'raw-in-base64-out', '--payload', '{}', okOut]);
    expect(ok).toMatchObject({ StatusCode: 200, ExecutedVersion: '$LATEST' });
    expect(readFileSync(okOut, 'utf8')).toBe('{"ok":true}');

    const errOut = join(work, 'err.json');
    const failed = await aws([
      'lambda', 'invoke', '--function-name', 'cli-fn', '--cli-binary-format', 'raw-in-base64-out', '--payload', '{"kind":"type"}', '--log-type', 'Tail', errOut,
    ]);
    expect(failed).toMatchObject({ StatusCode: 200, FunctionError: 'Unhandled' });
    expect(JSON.parse(readFileSync(errOut, 'utf8'))).toMatchObject({ errorType: 'TypeError', errorMessage: 'width must be a number' });
    expect(Buffer.from(String(failed.LogResult), 'base64').toString('utf8')).toContain('REPORT RequestId:');

    const missing = await execa('/usr/bin/aws', ['lambda', 'get-function', '--function-name', 'nope', '--endpoint-url', em.endpoint], { env: clientEnv(), extendEnv: false, reject: false });
    expect(missing.exitCode).not.toBe(0);
    expect(missing.stderr).toContain('(ResourceNotFoundException)');
    expect(missing.stderr).toContain('Function not found: arn:aws:lambda:us-east-1:000000000000:function:nope');
  }, 180_000);
});

describe.skipIf(!hasPython)('boto3 (needs /usr/bin/python3 with boto3)', () => {
  it('creates and invokes a Python function whose handler calls the endpoint with boto3', async () => {
    const zipPath = join(work, 'py.zip');
    writeFileSync(zipPath, fixtureZip('python', ['app.py']));
    const script = `
import json, sys, base64, boto3
from botocore.config import Config
c = boto3.client("lambda", endpoint_url=sys.argv[1], region_name="us-east-1", config=Config(retries={"max_attempts": 1}))
with open(sys.argv[2], "rb") as f:
    zipped = f.read()
created = c.create_function(FunctionName="py-boto", Runtime="python3.12", Handler="app.whoami", Role="${ROLE}",
                            Code={"ZipFile": zipped}, Timeout=15, MemorySize=256)
out = {"state": created["State"]}
r = c.invoke(FunctionName="py-boto", Payload=b"{}", LogType="Tail")
out["status"] = r["StatusCode"]
out["functionError"] = r.get("FunctionError")
out["payload"] = json.loads(r["Payload"].read())
out["log"] = base64.b64decode(r["LogResult"]).decode()
f = c.invoke(FunctionName="py-boto", Payload=json.dumps({"what": "x"}).encode(), Qualifier="$LATEST")
try:
    c.invoke(FunctionName="py-missing")
except c.exceptions.ResourceNotFoundException as e:
    out["missing"] = e.response["Error"]["Code"]
c.update_function_configuration(FunctionName="py-boto", Handler="app.fail")
f = c.invoke(FunctionName="py-boto", Payload=json.dumps({"what": "x"}).encode())
out["fail"] = json.loads(f["Payload"].read())
out["failHeader"] = f.get("FunctionError")
print(json.dumps(out))
`;
    const run = await execa('/usr/bin/python3', ['-c', script, em.endpoint, zipPath], { env: clientEnv(), extendEnv: false, reject: false });
    expect(run.stderr).toBe('');
    const out = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(out.state).toBe('Active');
    expect(out.status).toBe(200);
    expect(out.functionError).toBeNull();
    // The handler's own boto3 client reached this endpoint (AWS_ENDPOINT_URL) as LAMBDA_py-boto.
    expect(out.payload).toEqual({ runtime: 'python3.12', handler: 'app.whoami', timeout: 15 });
    expect(String(out.log)).toMatch(/START RequestId: .* Version: \$LATEST/);
    expect(out.missing).toBe('ResourceNotFoundException');
    expect(out.failHeader).toBe('Unhandled');
    expect(out.fail).toMatchObject({ errorType: 'ValueError', errorMessage: 'bad input: x' });
    const calls = em.observations.snapshot().invocations.filter((i) => i.functionName === 'py-boto');
    expect(calls.map((c) => c.error?.errorType)).toEqual([undefined, undefined, 'ValueError']);
  }, 180_000);
});

describe.skipIf(!hasPython)('a Python handler reading S3 with boto3 (needs /usr/bin/python3)', () => {
  it('validates an uploaded PNG with Pillow, reading it from this endpoint\'s S3', async () => {
    const s3 = new S3Client({ endpoint: em.endpoint, region: 'us-east-1', credentials: CREDENTIALS, forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: 'images' }));
    const png = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#336699' } }).png().toBuffer();
    await s3.send(new PutObjectCommand({ Bucket: 'images', Key: 'raw/cat.png', Body: png, ContentType: 'image/png' }));
    const lambda = lambdaClient(em.endpoint);
    await lambda.send(
      new CreateFunctionCommand({ FunctionName: 'py-validate', Runtime: 'python3.12', Handler: 'app.validate_image', Role: ROLE, Timeout: 20, MemorySize: 512, Code: { ZipFile: fixtureZip('python', ['app.py']) } }),
    );
    const r = await lambda.send(new InvokeCommand({ FunctionName: 'py-validate', Payload: JSON.stringify({ bucket: 'images', key: 'raw/cat.png' }) }));
    expect(r.FunctionError).toBeUndefined();
    expect(JSON.parse(text(r.Payload))).toEqual({ isValid: true, format: 'PNG', width: 40, height: 30, bytes: png.length });
    const missing = await lambda.send(new InvokeCommand({ FunctionName: 'py-validate', Payload: JSON.stringify({ bucket: 'images', key: 'raw/none.png' }) }));
    expect(missing.FunctionError).toBe('Unhandled');
    expect(JSON.parse(text(missing.Payload)).errorType).toBe('NoSuchKey');
    lambda.destroy();
    s3.destroy();
  });
});
