/**
 * What a template takes from outside itself, through a user-style project run
 * by the CLI: a DefinitionS3Location read from the local file
 * rehearse.config.yaml maps it to, an Fn::ImportValue answered from the
 * config's imports, and a Runtime whose version differs from the machine's
 * interpreter — said once, naming both versions, and still run.
 */
import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../harness/cli/main.ts';
import { checkRuntime, machinePythonVersion } from '../../harness/deploy/functions/runtime.ts';

const TEMPLATE = {
  AWSTemplateFormatVersion: '2010-09-09',
  Resources: {
    Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: {} } },
    Tag: {
      Type: 'AWS::Lambda::Function',
      Properties: {
        FunctionName: 'tag-order',
        Runtime: 'python3.9',
        Handler: 'tag.handler',
        Role: { 'Fn::GetAtt': ['Role', 'Arn'] },
        Code: 'src/',
        Environment: { Variables: { TOPIC: { 'Fn::ImportValue': 'billing-TopicArn' } } },
      },
    },
    Flow: {
      Type: 'AWS::StepFunctions::StateMachine',
      Properties: {
        StateMachineName: 'tag-flow',
        RoleArn: { 'Fn::GetAtt': ['Role', 'Arn'] },
        DefinitionS3Location: { Bucket: 'shop-artifacts', Key: 'flows/tag.asl.json' },
        DefinitionSubstitutions: { TagFn: { 'Fn::GetAtt': ['Tag', 'Arn'] } },
      },
    },
  },
};

const DEFINITION = {
  StartAt: 'Tag',
  States: { Tag: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { FunctionName: '${TagFn}', 'Payload.$': '$' }, OutputPath: '$.Payload', End: true } },
};

const SCENARIO = `name: tagged with the imported topic
workflow: tag-flow
when:
  - start: { input: { order: 7 } }
then:
  execution: { status: SUCCEEDED, output: { order: 7, topic: 'arn:aws:sns:eu-west-1:111122223333:billing' } }
`;

let dir: string;
async function rehearse(...args: string[]) {
  const out = { stdout: '', stderr: '' };
  const sink = (k: 'stdout' | 'stderr') => new Writable({ write(c, _e, cb) { out[k] += String(c); cb(); } });
  const code = await main(args, { stdout: sink('stdout'), stderr: sink('stderr'), cwd: dir, env: {}, isTTY: false });
  return { code, ...out };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'project-sources-'));
  await mkdir(join(dir, 'src'));
  await mkdir(join(dir, 'build'));
  await mkdir(join(dir, 'scenarios'));
  await writeFile(join(dir, 'template.json'), JSON.stringify(TEMPLATE, null, 2));
  await writeFile(join(dir, 'build', 'tag.asl.json'), JSON.stringify(DEFINITION, null, 2));
  await writeFile(join(dir, 'src', 'tag.py'), 'import os\n\ndef handler(event, context):\n    return {**event, "topic": os.environ["TOPIC"]}\n');
  await writeFile(join(dir, 'scenarios', 'tag.yaml'), SCENARIO);
});

describe('a project whose template reads from outside itself', { timeout: 120_000 }, () => {
  it('without the config: the S3 definition and the import are named, with where to give them', async () => {
    const r = await rehearse('validate', 'template.json');
    expect(r.code).not.toBe(0);
    const text = r.stdout + r.stderr;
    expect(text).toContain('DefinitionS3Location s3://shop-artifacts/flows/tag.asl.json is in S3; map it to a local file under s3Files: in rehearse.config.yaml');
    expect(text).toContain('Fn::ImportValue billing-TopicArn');
  });

  it('with s3Files and imports in rehearse.config.yaml the scenario runs on them, and the Python version note names both versions', async () => {
    await writeFile(
      join(dir, 'rehearse.config.yaml'),
      'template: template.json\nscenarios: scenarios\ns3Files:\n  s3://shop-artifacts/flows/tag.asl.json: build/tag.asl.json\nimports:\n  billing-TopicArn: arn:aws:sns:eu-west-1:111122223333:billing\n',
    );
    const r = await rehearse('run');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/1 passed of 1/);
    const have = machinePythonVersion();
    if (have !== null && !have.startsWith('3.9.')) {
      expect(r.stdout + r.stderr).toContain(`Runtime python3.9 runs on this machine's Python ${have} (/usr/bin/python3), not 3.9`);
    }
  });
});

describe('runtime versions', () => {
  it('a Node.js or Python runtime other than the machine’s runs, with a note naming both; an unknown one is not run', () => {
    const node = Number(process.versions.node.split('.')[0]);
    const other = node === 20 ? 'nodejs22.x' : 'nodejs20.x';
    expect(checkRuntime(other)).toEqual({ family: 'node', versionNote: `Runtime ${other} runs on this machine's Node.js ${process.versions.node} (not ${other.slice(6, 8)}.x)` });
    expect(checkRuntime(`nodejs${node}.x`)).toEqual({ family: 'node' });
    expect(checkRuntime('java21').notRunnable).toMatch(/runtime java21 is not run by rehearse/);
    expect(checkRuntime('nodejs16.x').notRunnable).toMatch(/runtime nodejs16.x is not one Lambda accepts for new functions/);
  });
});
