/**
 * A step that starts a delivery (here a `send` to a queue with an event
 * source mapping, or an `advanceClock` past a schedule's time) reaches its
 * function after the step returns: then.
 * invocations / coldStarts / items are waited for without a `messages`
 * beside them, and a count that never comes still fails, after the wait
 * limit. Real HTTP, a real template, a real Lambda process, through runSuite.
 */
import { describe, expect, it } from 'vitest';
import { runSuite } from '../../harness/scenario/suite.ts';
import { projectForSuite } from '../support/project.ts';

const TEMPLATE = `Transform: AWS::Serverless-2016-10-31
Resources:
  Jobs:
    Type: AWS::SQS::Queue
  Done:
    Type: AWS::Serverless::SimpleTable
    Properties: { PrimaryKey: { Name: id, Type: String } }
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: nodejs20.x
      Environment: { Variables: { TABLE: !Ref Done } }
      Events:
        FromJobs:
          Type: SQS
          Properties: { Queue: !GetAtt Jobs.Arn }
        Nightly:
          Type: ScheduleV2
          Properties: { ScheduleExpression: cron(0 2 * * ? *), ScheduleExpressionTimezone: Europe/Paris, Input: '{"Records":[{"body":"nightly"}]}' }
  Report:
    Type: AWS::Serverless::StateMachine
    Properties:
      Name: report
      Definition: { StartAt: Done, States: { Done: { Type: Pass, Result: { reported: true }, End: true } } }
      Events:
        Weekly: { Type: ScheduleV2, Properties: { ScheduleExpression: cron(0 6 ? * MON *), Input: '{"week":1}' } }
`;

// Slow on the wall clock, so its invocation (recorded when it ends) comes well after the send step returns.
const HANDLER = `const { DynamoDBClient, PutItemCommand } = require('@aws-sdk/client-dynamodb');
const ddb = new DynamoDBClient({});
exports.handler = async (event) => {
  await new Promise((r) => setTimeout(r, 400));
  for (const r of event.Records) await ddb.send(new PutItemCommand({ TableName: process.env.TABLE, Item: { id: { S: r.body } } }));
};
`;

const scenario = (name: string, then: string) => `name: ${name}
deploy: true
when:
  - send: { queue: Jobs, body: job-1 }
then:
${then}
`;

describe('then waits for what a step delivered', { timeout: 120_000 }, () => {
  const dir = projectForSuite('rehearse-deliveries-', {
    'template.yaml': TEMPLATE,
    'src/app.js': HANDLER,
    'scenarios/counted.yaml': scenario('the worker is counted once it has run', '  invocations: { Worker: 1 }\n  coldStarts: { Worker: 1 }\n  items:\n    Done:\n      - { id: job-1 }\n'),
    'scenarios/never.yaml': scenario('a count that never comes fails', '  invocations: { Worker: 2 }\n'),
    'scenarios/weekly.yaml': 'name: await takes the execution a schedule started\nworkflow: report\nwhen:\n  - advanceClock: { seconds: 604800 }\n  - await: { status: SUCCEEDED }\nthen:\n  execution: { status: SUCCEEDED, output: { reported: true } }\n',
    'scenarios/scheduled.yaml': 'name: the nightly schedule runs the worker once a day has passed\ndeploy: true\nwhen:\n  - advanceClock: { seconds: 86400 }\nthen:\n  invocations: { Worker: 1 }\n  items:\n    Done:\n      - { id: nightly }\n',
  });

  it('invocations, coldStarts and items after a send hold once the event source mapping has invoked the function', async () => {
    const report = await runSuite({ paths: ['scenarios/counted.yaml'], cwd: dir(), seed: 'deliveries', workers: 1 });
    const [r] = report.scenarios;
    expect(r?.status, JSON.stringify(r?.checks.filter((c) => c.status !== 'passed'), null, 1)).toBe('passed');
    expect(r?.checks.map((c) => c.id)).toEqual(['then.invocations.Worker', 'then.coldStarts.Worker', 'then.items.Done[0]']);
  });

  it('a count the deliveries never reach fails at the wait limit, naming what it got', async () => {
    // A limit the one invocation (a cold start, then 400 ms) reaches even on a loaded machine; the second never comes.
    const report = await runSuite({ paths: ['scenarios/never.yaml'], cwd: dir(), seed: 'deliveries', workers: 1, waitTimeoutMs: 6000 });
    const [r] = report.scenarios;
    expect(r?.status).toBe('failed');
    expect(r?.checks).toEqual([expect.objectContaining({ id: 'then.invocations.Worker', status: 'failed', message: 'expected Worker invocation(s) exactly 2, got 1' })]);
  });

  it('an advanceClock past a schedule (EventBridge Scheduler, in a time zone) is waited for like a delivery', async () => {
    const report = await runSuite({ paths: ['scenarios/scheduled.yaml'], cwd: dir(), seed: 'deliveries', workers: 1 });
    const [r] = report.scenarios;
    expect(r?.status, JSON.stringify([r?.reason, r?.checks.filter((c) => c.status !== 'passed')], null, 1)).toBe('passed');
  });

  it('await with no execution started by a step takes the first that starts (here by a schedule an advanceClock passes)', async () => {
    const report = await runSuite({ paths: ['scenarios/weekly.yaml'], cwd: dir(), seed: 'deliveries', workers: 1 });
    const [r] = report.scenarios;
    expect(r?.status, JSON.stringify([r?.reason, r?.steps, r?.checks.filter((c) => c.status !== 'passed')], null, 1)).toBe('passed');
  });
});
