/**
 * Minimal helpers to drive the endpoint with the AWS CLI v2 (/usr/bin/aws) and
 * boto3 (/usr/bin/python3) — clients nobody here wrote. Shared by the
 * secretsmanager and sns tests.
 */
import { existsSync } from 'node:fs';
import { execa } from 'execa';

export const AWS_CLI = '/usr/bin/aws';
export const PYTHON = '/usr/bin/python3';
export const HAS_CLI = existsSync(AWS_CLI);
export const HAS_BOTO3 = existsSync(PYTHON);

const ENV = {
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  AWS_DEFAULT_REGION: 'us-east-1',
  AWS_PAGER: '',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_CONFIG_FILE: '/dev/null',
  AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
};

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** stdout parsed as JSON when it is JSON. */
  json: unknown;
}

function parse(text: string): unknown {
  try {
    return text.trim() === '' ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** `aws <args> --endpoint-url <endpoint> --output json`; never throws on a non-zero exit. */
export async function awsCli(endpoint: string, args: string[]): Promise<CliResult> {
  const r = await execa(AWS_CLI, [...args, '--endpoint-url', endpoint, '--output', 'json', '--cli-read-timeout', '60'], {
    env: ENV,
    reject: false,
    timeout: 60_000,
  });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr), json: parse(String(r.stdout)) };
}

/**
 * Runs a boto3 snippet: `sm` (secretsmanager) and `sns` clients exist, `out(x)`
 * prints x as JSON (dates as strings). Errors: `err(e)` gives {code, message, type}.
 */
export async function boto3(endpoint: string, body: string): Promise<CliResult> {
  const script = `
import json, sys, boto3, botocore
cfg = dict(endpoint_url=${JSON.stringify(endpoint)}, region_name='us-east-1', aws_access_key_id='test', aws_secret_access_key='test')
sm = boto3.client('secretsmanager', **cfg)
sns = boto3.client('sns', **cfg)
results = []
def out(x):
    results.append(x)
def err(fn):
    try:
        fn()
        return None
    except botocore.exceptions.ClientError as e:
        return {'code': e.response['Error']['Code'], 'message': e.response['Error'].get('Message'), 'type': type(e).__name__, 'status': e.response['ResponseMetadata']['HTTPStatusCode']}
${body}
print(json.dumps(results, default=str))
`;
  const r = await execa(PYTHON, ['-c', script], { env: ENV, reject: false, timeout: 60_000 });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr), json: parse(String(r.stdout)) };
}
