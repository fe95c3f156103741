/**
 * `given.objects` are the world before the scenario: putting them starts
 * nothing, even under a prefix the bucket notifies on (else a second
 * execution would take the scenario's injected faults — a `--real-lambdas`
 * replay with the objects its handlers read). An upload in `when` still
 * notifies, and the notification is back in place for it.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSuite } from '../../harness/scenario/suite.ts';

const FILES: Record<string, string> = {
  'template.yaml': `Transform: AWS::Serverless-2016-10-31
Resources:
  Uploads:
    Type: AWS::S3::Bucket
    Properties: { BucketName: uploads }
  Starter:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: starter
      CodeUri: src/
      Handler: app.handler
      Runtime: nodejs20.x
      Environment: { Variables: { FLOW_ARN: !Ref Flow } }
      Events:
        Upload:
          Type: S3
          Properties:
            Bucket: !Ref Uploads
            Events: s3:ObjectCreated:*
            Filter: { S3Key: { Rules: [{ Name: prefix, Value: in/ }] } }
  Flow:
    Type: AWS::Serverless::StateMachine
    Properties:
      Name: flow
      Definition: { StartAt: Done, States: { Done: { Type: Pass, End: true } } }
`,
  'src/app.mjs': `import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
const sfn = new SFNClient({});
export const handler = async (event) => {
  for (const r of event.Records) await sfn.send(new StartExecutionCommand({ stateMachineArn: process.env.FLOW_ARN, input: JSON.stringify({ key: r.s3.object.key }) }));
};
`,
  'scenarios/seeded.yaml': `name: seeded objects start nothing
workflow: flow
given:
  objects:
    - { bucket: uploads, key: in/seeded-1.txt, text: old }
    - { bucket: uploads, key: in/seeded-2.txt, text: old }
when:
  - upload: { bucket: uploads, key: in/new.txt, text: new }
then:
  execution: { status: SUCCEEDED, output: { key: in/new.txt } }
  executions: { workflow: flow, count: 1 }
  invocations: { starter: 1 }
  objects:
    - { bucket: uploads, key: in/seeded-1.txt, maxBytes: 3 }
`,
};

describe('given.objects', { timeout: 120_000 }, () => {
  it('are put without notifying; the upload after them notifies', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-given-objects-'));
    mkdirSync(join(dir, '.git'));
    for (const [rel, text] of Object.entries(FILES)) {
      mkdirSync(dirname(join(dir, rel)), { recursive: true });
      writeFileSync(join(dir, rel), text);
    }
    const report = await runSuite({ paths: [], cwd: dir, seed: 'given' });
    const s = report.scenarios[0]!;
    expect(s.status, JSON.stringify(s.reason ?? s.checks.filter((c) => c.status !== 'passed'))).toBe('passed');
  });
});
