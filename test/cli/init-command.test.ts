/**
 * `rehearse init` in existing repositories laid out the ways teams lay them
 * out: it finds the template, writes rehearse.config.yaml and one starter
 * scenario per state machine (input from the template, else {}) — or, with
 * none, per function, started as its events start it — says what it
 * found and what to run next, and never replaces a file without --force.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { main } from '../../harness/cli/main.ts';
import { loadConfig } from '../../harness/project/config.ts';
import { parseScenario } from '../../harness/scenario/loader.ts';
import { captureIo } from '../support/cli-io.ts';

function repo(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'rehearse-init-'));
  mkdirSync(join(root, '.git'));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

const SAM = `AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage: { Type: String }
  Size: { Type: Number, Default: 800 }
Resources:
  Resize:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: functions/resize/
      Handler: app.lambda_handler
      Runtime: python3.12
      Environment: { Variables: { TARGET_WIDTH: !Ref Size } }
  ImageProcessor:
    Type: AWS::Serverless::StateMachine
    Properties:
      Name: image-processor
      DefinitionUri: statemachine/definition.asl.json
      DefinitionSubstitutions: { ResizeArn: !GetAtt Resize.Arn }
  NightlyReport:
    Type: AWS::Serverless::StateMachine
    Properties:
      Definition: { StartAt: Done, States: { Done: { Type: Succeed } } }
      Events:
        Nightly:
          Type: Schedule
          Properties: { Schedule: cron(0 2 * * ? *), Input: '{"report": "daily", "limit": 10}' }
`;
const FILES = {
  'infra/template.yaml': SAM,
  'functions/resize/app.py': 'def lambda_handler(event, context):\n    return event\n',
  'infra/statemachine/definition.asl.json': '{"StartAt":"Resize","States":{"Resize":{"Type":"Task","Resource":"${ResizeArn}","End":true}}}',
  'samconfig.toml': 'version = 0.1\n[default.global.parameters]\ntemplate_file = "infra/template.yaml"\n[default.deploy.parameters]\nparameter_overrides = "Size=1024"\n',
  'other/bucket.yaml': 'Resources:\n  B:\n    Type: AWS::S3::Bucket\n',
};

describe('rehearse init', () => {
  it("takes samconfig's template_file, writes the config and one loadable starter per state machine, and says what to run", async () => {
    const root = repo({ ...FILES, 'infra/template.yaml': SAM.replace(/functions\/resize\//, '../functions/resize/') });
    const { io, out } = captureIo(root);
    expect(await main(['init'], io), out.stderr).toBe(0);
    expect(out.stdout).toContain('found 2 templates: infra/template.yaml, other/bucket.yaml\n');
    expect(out.stdout).toContain('using infra/template.yaml (samconfig.toml template_file): 2 state machines (image-processor, NightlyReport), 1 function\n');
    expect(out.stdout).toContain('samconfig.toml: its parameter_overrides (1) apply to every run; rehearse.config.yaml parameters win over them');
    expect(out.stdout).toContain('another template? rehearse init --template other/bucket.yaml --force');
    expect(out.stdout).toMatch(/wrote {3}rehearse\.config\.yaml\n {2}wrote {3}scenarios\/image-processor\.yaml\n {2}wrote {3}scenarios\/nightly-report\.yaml\n\nnext: npx rehearse run\n$/);

    const config = loadConfig(join(root, 'rehearse.config.yaml')).config;
    // Stage has no Default and samconfig gives none: written as a value to fill in; Size is samconfig's, shown as a comment.
    expect(config).toEqual({ template: 'infra/template.yaml', scenarios: 'scenarios', parameters: { Stage: '' } });
    const text = readFileSync(join(root, 'rehearse.config.yaml'), 'utf8');
    expect(text).toContain('#   Size: "1024"   # samconfig: 1024');
    expect(text).toContain('#   Resize:\n#     TARGET_WIDTH: "1024"');

    const starter = readFileSync(join(root, 'scenarios/image-processor.yaml'), 'utf8');
    expect(starter.split('\n')[0]).toMatch(/^# yaml-language-server: \$schema=\S+scenarios\/scenario\.schema\.json$/);
    expect(parseScenario(starter, 'image-processor.yaml')).toMatchObject({ name: 'image-processor succeeds', workflow: 'image-processor', when: [{ start: { input: {} } }], then: { execution: { status: 'SUCCEEDED' } } });
    // The Schedule event's Input is what the state machine starts with in AWS.
    expect(parse(readFileSync(join(root, 'scenarios/nightly-report.yaml'), 'utf8')).when).toEqual([{ start: { input: { report: 'daily', limit: 10 } } }]);
  });

  it('an event-driven project (no state machine): a starter per function, started as its events start it, that passes as written', async () => {
    const root = repo({
      'samconfig.toml': 'version = 0.1\n[default.deploy.parameters]\nstack_name = "shop"\n',
      'template.yaml': `Transform: AWS::Serverless-2016-10-31
Globals:
  Function: { Runtime: nodejs20.x, Handler: index.handler, Timeout: 5 }
Resources:
  Ingest:
    Type: AWS::SQS::Queue
    Properties: { QueueName: !Sub '\${AWS::StackName}-ingest' }
  Uploads:
    Type: AWS::S3::Bucket
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: |
        exports.handler = async (event) => ({ got: event.Records.length });
      Events: { Jobs: { Type: SQS, Properties: { Queue: !GetAtt Ingest.Arn } } }
  Thumbnailer:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: |
        exports.handler = async (event) => ({ key: event.Records[0].s3.object.key });
      Events:
        Upload:
          Type: S3
          Properties:
            Bucket: !Ref Uploads
            Events: s3:ObjectCreated:*
            Filter: { S3Key: { Rules: [{ Name: prefix, Value: incoming/ }, { Name: suffix, Value: .jpg }] } }
  Reporter:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: |
        exports.handler = async (event) => ({ ok: true, event });
  GetItem:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: |
        exports.handler = async (event) => ({ statusCode: 200, body: JSON.stringify({ id: event.pathParameters.id, method: event.httpMethod }) });
      Events: { Get: { Type: Api, Properties: { Path: '/items/{id}', Method: get } } }
  OnOrder:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: |
        exports.handler = async (event) => ({ from: event.source + '/' + event['detail-type'] });
      Events: { Placed: { Type: EventBridgeRule, Properties: { Pattern: { source: [shop.orders], detail-type: [Order Placed] } } } }
  Health:
    Type: AWS::Serverless::Function
    Properties:
      InlineCode: |
        exports.handler = async (event) => ({ statusCode: 200, body: event.requestContext.http.method + ' ' + event.rawPath });
      Events: { Ping: { Type: HttpApi, Properties: { Path: /health, Method: POST } } }
`,
    });
    const { io, out } = captureIo(root);
    expect(await main(['init'], io), out.stderr).toBe(0);
    expect(out.stdout).toContain('the template defines no state machine: a starter per function');
    const starter = (name: string) => parse(readFileSync(join(root, 'scenarios', name), 'utf8')) as Record<string, unknown>;
    // The queue's name is the deployed one: samconfig's stack name, as a run uses it.
    expect(starter('worker.yaml')).toEqual({ name: 'Worker handles a message from shop-ingest', deploy: true, when: [{ send: { queue: 'shop-ingest', body: {} } }], then: { invocations: { Worker: { atLeast: 1 } } } });
    expect(starter('thumbnailer.yaml')).toMatchObject({ when: [{ upload: { bucket: expect.any(String), key: 'incoming/starter.jpg', text: 'hello', expectExecution: false } }], then: { invocations: { Thumbnailer: { atLeast: 1 } } } });
    expect(starter('reporter.yaml')).toEqual({ name: 'Reporter answers an invoke', deploy: true, when: [{ invoke: { function: 'Reporter', payload: {} } }] });
    // API Gateway is not emulated: the function is invoked with the request its event would hand it (REST 1.0, HTTP API 2.0).
    expect(starter('get-item.yaml')).toMatchObject({ when: [{ invoke: { function: 'GetItem', payload: { resource: '/items/{id}', path: '/items/example', httpMethod: 'GET', pathParameters: { id: 'example' }, body: null } } }] });
    expect(starter('health.yaml')).toMatchObject({ when: [{ invoke: { function: 'Health', payload: { version: '2.0', routeKey: 'POST /health', rawPath: '/health', requestContext: { http: { method: 'POST', path: '/health' } } } } }] });
    // An EventBridge rule's function gets the envelope its pattern matches.
    expect(starter('on-order.yaml')).toMatchObject({ when: [{ invoke: { function: 'OnOrder', payload: { source: 'shop.orders', 'detail-type': 'Order Placed', detail: {} } } }] });
    const run = captureIo(root);
    expect(await main(['run'], run.io), run.out.stdout + run.out.stderr).toBe(0);
    expect(run.out.stdout).toContain('6 passed of 6');
  }, 60_000);

  it('never replaces a file without --force', async () => {
    const root = repo({ 'template.yaml': SAM.replace(/ {6}Name: image-processor\n/, ''), 'functions/resize/app.py': '' });
    await main(['init'], captureIo(root).io);
    writeFileSync(join(root, 'rehearse.config.yaml'), 'template: template.yaml\n# mine\n');
    const again = captureIo(root);
    expect(await main(['init'], again.io), again.out.stderr).toBe(0);
    expect(again.out.stdout).toContain('kept    rehearse.config.yaml (exists; --force replaces it)');
    expect(again.out.stdout).toContain('kept    scenarios/image-processor.yaml (exists; --force replaces it)');
    expect(readFileSync(join(root, 'rehearse.config.yaml'), 'utf8')).toContain('# mine');
    const forced = captureIo(root);
    expect(await main(['init', '--force'], forced.io)).toBe(0);
    expect(forced.out.stdout).toContain('replaced rehearse.config.yaml');
    expect(readFileSync(join(root, 'rehearse.config.yaml'), 'utf8')).not.toContain('# mine');
  });

  it("a synthesized CDK app: the stack's template in cdk.out", async () => {
    const root = repo({
      'cdk.out/manifest.json': JSON.stringify({ version: '36.0.0', artifacts: { App: { type: 'aws:cloudformation:stack', properties: { templateFile: 'App.template.json' } } } }),
      'cdk.out/App.template.json': JSON.stringify({ Resources: { Flow: { Type: 'AWS::StepFunctions::StateMachine', Properties: { StateMachineName: 'flow', DefinitionString: '{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}' } } } }),
    });
    const { io, out } = captureIo(root);
    expect(await main(['init'], io), out.stderr).toBe(0);
    expect(out.stdout).toContain('using cdk.out/App.template.json (found): 1 state machine (flow), 0 functions');
    expect(loadConfig(join(root, 'rehearse.config.yaml')).config.template).toBe('cdk.out/App.template.json');
  });

  it('says what it looked for when the repository has no template', async () => {
    const root = repo({ 'src/index.js': 'console.log(1)\n', 'config.yaml': 'port: 80\n' });
    const { io, out } = captureIo(root);
    expect(await main(['init'], io)).toBe(2);
    expect(out.stderr).toMatch(/^rehearse init: no template found in .*: no template\.yaml\|yml\|json, no file that reads as a CloudFormation template .*cdk\.out\/manifest\.json\n {2}name it: rehearse init --template/);
  });
});
