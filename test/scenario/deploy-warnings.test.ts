/**
 * What a deploy could not honour reaches the run: each warning the template's
 * deploy reports (a resource type the endpoint does not deploy, a Runtime run
 * on another interpreter version…) is told to the run's `warn` once, however
 * many workers and deploy keys deploy it — never only in `rehearse validate`.
 * Real deploys onto the embedded endpoint, through runSuite.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSuite } from '../../harness/scenario/suite.ts';

const TEMPLATE = `Transform: AWS::Serverless-2016-10-31
Parameters:
  Greeting: { Type: String, Default: hello }
Resources:
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties: { Name: greetings }
  Flow:
    Type: AWS::Serverless::StateMachine
    Properties:
      Name: flow
      Definition:
        StartAt: Greet
        States:
          Greet: { Type: Pass, Parameters: { greeting.$: $.greeting }, End: true }
`;

const scenario = (name: string, greeting: string) => `name: ${name}
workflow: flow
given:
  parameters: { Greeting: ${greeting} }
when:
  - start: { input: { greeting: ${greeting} } }
then:
  execution: { status: SUCCEEDED, output: { greeting: ${greeting} } }
`;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rehearse-deploy-warnings-'));
  mkdirSync(join(dir, 'scenarios'));
  writeFileSync(join(dir, 'template.yaml'), TEMPLATE);
  // Three scenarios, two deploy keys (the parameter differs), two workers: several deploys, one warning.
  writeFileSync(join(dir, 'scenarios', 'a.yaml'), scenario('a says hello', 'hello'));
  writeFileSync(join(dir, 'scenarios', 'b.yaml'), scenario('b says hello', 'hello'));
  writeFileSync(join(dir, 'scenarios', 'c.yaml'), scenario('c says hi', 'hi'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('deploy warnings in a run', { timeout: 120_000 }, () => {
  it('are told once each, naming the template (relative to the run), the resource and what was not deployed', async () => {
    const warnings: string[] = [];
    const report = await runSuite({ paths: [], cwd: dir, seed: 'warnings', workers: 2, warn: (m) => warnings.push(m) });
    expect(report.summary).toMatchObject({ total: 3, passed: 3 });
    expect(report.deploys).toBeGreaterThanOrEqual(2);
    const api = warnings.filter((w) => w.includes('Resources.Api'));
    expect(api).toHaveLength(1);
    expect(api[0]).toMatch(/^template\.yaml:\d+, field Resources\.Api: .*AWS::ApiGateway::RestApi.*not deployed/);
  });

  it('a scenario that names no workflow but sends to the template\'s resources is told it deploys nothing', async () => {
    const other = mkdtempSync(join(tmpdir(), 'rehearse-no-deploy-'));
    try {
      writeFileSync(join(other, 'template.yaml'), 'Resources:\n  Orders: { Type: AWS::Events::EventBus, Properties: { Name: orders } }\n');
      mkdirSync(join(other, 'scenarios'));
      writeFileSync(join(other, 'scenarios', 'put.yaml'), 'name: puts an order\nwhen:\n  - putEvents: [{ source: orders.app, detailType: OrderPlaced, eventBusName: orders }]\n');
      writeFileSync(join(other, 'scenarios', 'deployed.yaml'), 'name: puts an order, deployed\ndeploy: true\nwhen:\n  - putEvents: [{ source: orders.app, detailType: OrderPlaced, eventBusName: orders }]\n');
      const warnings: string[] = [];
      const report = await runSuite({ paths: [], cwd: other, seed: 'no-deploy', warn: (m) => warnings.push(m) });
      const byName = Object.fromEntries(report.scenarios.map((r) => [r.name, r.status]));
      expect(byName).toEqual({ 'puts an order': 'failed', 'puts an order, deployed': 'passed' });
      expect(warnings.filter((w) => w.includes('deploys nothing'))).toEqual([
        `${join(other, 'scenarios', 'put.yaml')}: 'puts an order': deploys nothing (it names no workflow), so template.yaml's buses, queues, buckets and functions are not there for its steps; add \`deploy: true\` to deploy the template first`,
      ]);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});
