/**
 * Deploying a plain CloudFormation template (no SAM transform) onto the
 * embedded endpoint: resources in dependency order by their type modules,
 * inline `Code.ZipFile` functions run as CloudFormation packages them, an SNS
 * subscription delivers to a function, and every type or event the endpoint
 * cannot honour is named once — the rest still deploys.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbedded, type EmbeddedBackend } from '../../harness/backends/embedded.ts';
import { VirtualClock } from '../../harness/core/index.ts';
import { deploy, validateTemplate, type DeployResult } from '../../harness/deploy/index.ts';
import { clientConfig } from '../support/clients.ts';

const TEMPLATE = `
AWSTemplateFormatVersion: 2010-09-09
Parameters:
  Stage: { Type: String, Default: dev, AllowedValues: [dev, prod] }
Conditions:
  IsProd: !Equals [!Ref Stage, prod]
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties: { AssumeRolePolicyDocument: {} }
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties: { Name: api }
  ProdOnlyTopic:
    Type: AWS::SNS::Topic
    Condition: IsProd
  Events:
    Type: AWS::SNS::Topic
    Properties: { TopicName: !Sub "events-\${Stage}" }
  Echo:
    Type: AWS::Lambda::Function
    Properties:
      FunctionName: !Join ["-", [echo, !Ref Stage]]
      Runtime: python3.11
      Handler: index.handler
      Role: !GetAtt Role.Arn
      Environment:
        Variables:
          TOPIC: !Ref Events
          ROLE: !GetAtt Role.Arn
          API_ROOT: !GetAtt Api.RootResourceId
      Code:
        ZipFile: |
          import os
          def handler(event, context):
              if 'Records' in event:
                  print("got " + event['Records'][0]['Sns']['Message'])
              return {"topic": os.environ["TOPIC"], "role": os.environ["ROLE"]}
  Subscription:
    Type: AWS::SNS::Subscription
    Properties:
      TopicArn: !Ref Events
      Protocol: lambda
      Endpoint: !GetAtt Echo.Arn
  Mail:
    Type: AWS::SNS::Subscription
    Properties: { TopicArn: !Ref Events, Protocol: email, Endpoint: a@example.com }
`;

let dir: string;
let be: EmbeddedBackend;
let deployed: DeployResult;
let lambda: LambdaClient;
let sns: SNSClient;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'rehearse-resources-'));
  writeFileSync(path.join(dir, 'template.yaml'), TEMPLATE);
  be = await startEmbedded({ clock: new VirtualClock(), log: { info() {}, warn() {}, error: (m) => console.error(m) } });
  deployed = await deploy(path.join(dir, 'template.yaml'), be);
  lambda = new LambdaClient(clientConfig(be.endpoint));
  sns = new SNSClient(clientConfig(be.endpoint));
}, 60_000);

afterAll(async () => {
  lambda?.destroy();
  sns?.destroy();
  await be?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

async function invoke(name: string, event: unknown): Promise<Record<string, unknown>> {
  const out = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: JSON.stringify(event) }));
  return JSON.parse(Buffer.from(out.Payload!).toString()) as Record<string, unknown>;
}

describe('deploying a CloudFormation template', () => {
  it('creates what the endpoint honours, in dependency order, and names the rest', () => {
    const created = deployed.changes.filter((c) => c.action === 'created').map((c) => c.logicalId);
    expect(created).toEqual(['Events', 'Echo', 'Subscription']);
    const skipped = Object.fromEntries(deployed.changes.filter((c) => c.action === 'skipped').map((c) => [c.logicalId, c.detail]));
    expect(skipped).toEqual({
      Role: expect.stringMatching(/^no local effect/),
      Api: 'not deployed: the endpoint does not serve API Gateway resources of this type yet',
      Mail: 'protocol email is not delivered by the endpoint',
    });
    // The condition is false: not created, and not reported as missing either.
    expect(deployed.changes.some((c) => c.logicalId === 'ProdOnlyTopic')).toBe(false);
    // Each thing left out is a warning of the deploy's too (as rehearse validate says it), so a run tells it.
    expect(deployed.warnings.map((w) => `${w.field}: ${w.message}`)).toEqual([
      'Resources.Api: AWS::ApiGateway::RestApi is not deployed: the endpoint does not serve API Gateway resources of this type yet',
      'Resources.Mail.Properties.Protocol: not deployed: the endpoint delivers SNS messages to lambda and sqs subscriptions only (this one is email)',
    ]);
  });

  it('runs inline Code.ZipFile as index.py, with Ref/GetAtt resolved to what was deployed', async () => {
    const out = await invoke('echo-dev', {});
    expect(out).toEqual({ topic: deployed.topics.Events, role: `arn:aws:iam::${deployed.accountId}:role/Role` });
    expect(deployed.topics.Events).toBe(`arn:aws:sns:${be.region}:${deployed.accountId}:events-dev`);
  });

  it('delivers the topic to the subscribed function', async () => {
    await sns.send(new PublishCommand({ TopicArn: deployed.topics.Events, Message: 'hello' }));
    const delivered = () => be.emulator.observations.snapshot().invocations.find((i) => i.invocationType === 'Event' && i.endTime !== undefined);
    for (let i = 0; i < 200 && !delivered(); i++) await new Promise((r) => setTimeout(r, 25));
    expect(delivered()?.logs).toContain('got hello');
  });

  it('redeploys without changes', async () => {
    const again = await deploy(path.join(dir, 'template.yaml'), be);
    expect(again.changes.filter((c) => c.action !== 'unchanged' && c.action !== 'skipped')).toEqual([]);
  });

  it('validate names each resource type the endpoint cannot honour, once', async () => {
    const r = await validateTemplate(path.join(dir, 'template.yaml'));
    expect(r.problems.filter((p) => p.severity === 'ERROR')).toEqual([]);
    expect(r.problems.map((p) => `${p.field}: ${p.message}`)).toEqual(
      expect.arrayContaining([
        'Resources.Api: AWS::ApiGateway::RestApi is not deployed: the endpoint does not serve API Gateway resources of this type yet',
        'Resources.Mail.Properties.Protocol: not deployed: the endpoint delivers SNS messages to lambda and sqs subscriptions only (this one is email)',
      ]),
    );
  });
});
