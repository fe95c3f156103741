/**
 * Real clients for an endpoint, for tests: AWS SDK v3 clients with default
 * settings (only endpoint, region and dummy credentials set), the Debian AWS
 * CLI v2 (`/usr/bin/aws`) and Debian boto3 (`/usr/bin/python3`).
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { hostPrefixLookup } from '../../harness/protocol/host.ts';

export const TEST_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };
export const AWS_CLI = '/usr/bin/aws';
export const DEBIAN_PYTHON = '/usr/bin/python3';
export const hasAwsCli = existsSync(AWS_CLI);
// Debian's python3-boto3 lives here; checking the path is cheaper than starting Python in every test file.
export const hasBoto3 = existsSync(DEBIAN_PYTHON) && existsSync('/usr/lib/python3/dist-packages/boto3/__init__.py');

/**
 * What every SDK client needs for our endpoint. The agent's lookup resolves
 * `sync-<host>` (SDK host prefixes) and `<bucket>.localhost` to loopback; it
 * changes nothing else about the client.
 */
export function clientConfig(endpoint: string, region = 'us-east-1') {
  return {
    endpoint,
    region,
    credentials: TEST_CREDENTIALS,
    requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true, lookup: hostPrefixLookup }) }),
  };
}

/** S3 with the newest SDK defaults (flexible checksums WHEN_SUPPORTED, aws-chunked streams). Path style unless `virtualHost`. */
export function s3Client(endpoint: string, options: { virtualHost?: boolean; extra?: Partial<S3ClientConfig> } = {}): S3Client {
  return new S3Client({ ...clientConfig(endpoint), forcePathStyle: !options.virtualHost, ...options.extra });
}

export function secretsManagerClient(endpoint: string): SecretsManagerClient {
  return new SecretsManagerClient(clientConfig(endpoint));
}

export function snsClient(endpoint: string): SNSClient {
  return new SNSClient(clientConfig(endpoint));
}

export function sqsClient(endpoint: string): SQSClient {
  return new SQSClient(clientConfig(endpoint));
}

export function lambdaClient(endpoint: string): LambdaClient {
  return new LambdaClient(clientConfig(endpoint));
}

export function sfnClient(endpoint: string): SFNClient {
  return new SFNClient(clientConfig(endpoint));
}

export function dynamoDbClient(endpoint: string): DynamoDBClient {
  return new DynamoDBClient(clientConfig(endpoint));
}

/** The Document client (`@aws-sdk/lib-dynamodb`) with its default marshalling options. */
export function documentClient(endpoint: string): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(dynamoDbClient(endpoint));
}

export interface ProcessResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

let cliConfigDir: string | undefined;
function cliConfigFile(): string {
  cliConfigDir ??= mkdtempSync(join(tmpdir(), 'rehearse-aws-cli-'));
  const file = join(cliConfigDir, 'config');
  // Path-style S3 (no DNS for <bucket>.127.0.0.1); nothing else differs from a default profile.
  writeFileSync(file, '[default]\nregion = us-east-1\noutput = json\ns3 =\n  addressing_style = path\n');
  return file;
}

/** Env for the CLI and boto3: endpoint, dummy credentials, no user config. */
export function awsEnv(endpoint: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: '/usr/bin:/bin',
    HOME: cliConfigDir ?? tmpdir(),
    AWS_ACCESS_KEY_ID: TEST_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: TEST_CREDENTIALS.secretAccessKey,
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL: endpoint,
    AWS_CONFIG_FILE: cliConfigFile(),
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_PAGER: '',
    AWS_EC2_METADATA_DISABLED: 'true',
    ...extra,
  };
}

/**
 * Runs `/usr/bin/aws <args> --endpoint-url <endpoint>`. (Debian's CLI 2.9 predates
 * the AWS_ENDPOINT_URL variable, so the flag is what reaches the endpoint.)
 */
export async function runAwsCli(endpoint: string, args: string[], options: { cwd?: string; input?: string } = {}): Promise<ProcessResult> {
  const r = await execa(AWS_CLI, [...args, '--endpoint-url', endpoint], { env: awsEnv(endpoint), extendEnv: false, reject: false, cwd: options.cwd, input: options.input, timeout: 120_000 });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

const BOTO3_PRELUDE = `
import os, json, sys, boto3, botocore
from botocore.config import Config
ENDPOINT = os.environ['AWS_ENDPOINT_URL']
def client(name, **kw):
    cfg = Config(s3={'addressing_style': 'path'}) if name == 's3' else None
    return boto3.client(name, endpoint_url=ENDPOINT, region_name='us-east-1', config=cfg, **kw)
`;

/** Runs a Python script with Debian's boto3; the script gets `ENDPOINT` and `client(name)`. */
export async function runBoto3(endpoint: string, script: string, options: { cwd?: string } = {}): Promise<ProcessResult> {
  const r = await execa(DEBIAN_PYTHON, ['-c', `${BOTO3_PRELUDE}\n${script}`], { env: awsEnv(endpoint), extendEnv: false, reject: false, cwd: options.cwd, timeout: 120_000 });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}
