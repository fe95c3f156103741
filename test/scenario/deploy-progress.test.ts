/**
 * A deploy that takes long (pip installing a function's requirements.txt on
 * a first run) is said like a long step: the progress reporter hears, every
 * few seconds, that the scenario waits for the deploy of its template.
 * Real endpoint and deploy, through runSuite; the deploy is slowed by 2.3 s
 * of wall clock before it starts.
 */
import { expect, it } from 'vitest';
import { defaultDeploy, type DeployFn } from '../../harness/scenario/runner.ts';
import { runSuite } from '../../harness/scenario/suite.ts';
import { projectForSuite } from '../support/project.ts';

const dir = projectForSuite('rehearse-deploy-progress-', {
  'template.yaml': 'Resources:\n  Store:\n    Type: AWS::S3::Bucket\n    Properties: { BucketName: store }\n',
  'scenarios/a.yaml': 'name: a bucket is there\ndeploy: true\nwhen:\n  - upload: { bucket: store, key: a.txt, text: hi, expectExecution: false }\nthen:\n  objects:\n    - { bucket: store, key: a.txt }\n',
});

it('a deploy still running after 2 s is reported as what the scenario waits for', { timeout: 60_000 }, async () => {
  const heard: Array<[string, string, number]> = [];
  const slow: DeployFn = async (backend, input) => {
    await new Promise((r) => setTimeout(r, 2300));
    await defaultDeploy(backend, input);
  };
  const report = await runSuite({
    paths: [],
    cwd: dir(),
    seed: 'progress',
    workers: 1,
    deploy: slow,
    reporter: { started() {}, scenarioStarted() {}, scenarioWaiting: (name, what, ms) => void heard.push([name, what, ms]), scenarioFinished() {}, finished() {} },
  });
  expect(report.scenarios[0]?.status, JSON.stringify(report.scenarios[0]?.checks)).toBe('passed');
  expect(heard).toEqual([['a bucket is there', 'the deploy of template.yaml', expect.any(Number)]]);
  expect(heard[0]![2]).toBeGreaterThanOrEqual(2000);
});
