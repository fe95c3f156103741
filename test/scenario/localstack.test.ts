/**
 * `rehearse run --backend localstack` for real: the suite plans the
 * MockConfigFile, boots LocalStack with it (SFN_MOCK_CONFIG, read once at
 * boot), and the mocked scenario's execution — started on `arn#TestCase` —
 * takes the throttle and the return from the mock, never calling Lambda.
 * Needs a Docker engine and LOCALSTACK_AUTH_TOKEN; without them it is reported
 * as skipped with the reason, never passed. The planning itself is checked
 * without Docker in mock-plan.test.ts.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectEngine } from '../../harness/backends/docker-engine.ts';
import { runSuite } from '../../harness/scenario/suite.ts';

const engine = await detectEngine();
const token = Boolean(process.env.LOCALSTACK_AUTH_TOKEN?.trim());
const why = !engine.reachable ? `no Docker engine reachable — ${engine.reason}` : !token ? 'LOCALSTACK_AUTH_TOKEN is not set' : '';

const FLAKY = `
definition:
  StartAt: Flaky
  States:
    Flaky:
      Type: Task
      Resource: arn:aws:states:::lambda:invoke
      Parameters: { FunctionName: flaky, Payload: {} }
      Retry: [{ ErrorEquals: [Lambda.TooManyRequestsException], IntervalSeconds: 1, MaxAttempts: 2, BackoffRate: 1 }]
      OutputPath: $.Payload
      End: true`;

describe.skipIf(why !== '')(`scenarios on LocalStack with mocked function faults${why ? ` (skipped: ${why})` : ''}`, () => {
  it(
    'a throttle then a return, from the MockConfigFile; what cannot be mocked is skipped with the reason',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'localstack-scenarios-'));
      await writeFile(
        join(dir, 'mocked.yaml'),
        `name: flaky then fine${FLAKY}
given:
  faults:
    - { function: flaky, invocations: [1], throw: { errorType: Lambda.TooManyRequestsException, message: Rate exceeded } }
    - { function: flaky, invocations: [2], return: { ok: true } }
when:
  - start: { as: run }
  - await: { execution: run }
then:
  execution: { of: run, status: SUCCEEDED, output: { ok: true } }
  states: { Flaky: { attempts: 2, errors: [Lambda.TooManyRequestsException] } }
`,
      );
      await writeFile(
        join(dir, 'latency.yaml'),
        `name: flaky is slow${FLAKY}
given:
  faults: [{ function: flaky, invocations: [1], latencyMs: 5000 }]
when:
  - start: {}
`,
      );
      const report = await runSuite({ paths: [dir], cwd: dir, backend: 'localstack', seed: 'localstack' });
      const byName = new Map(report.scenarios.map((s) => [s.name, s]));
      expect(byName.get('flaky then fine')!.status, JSON.stringify(byName.get('flaky then fine'))).toBe('passed');
      expect(byName.get('flaky is slow')).toMatchObject({ status: 'skipped', reason: expect.stringMatching(/latency/) as unknown });
    },
    15 * 60_000,
  );
});
