/**
 * Progress a CI log can read: a step still waiting after 2 s says what it
 * waits for (here a callback nobody answers), and each finished scenario
 * carries the handlers' own time beside its wall time.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../harness/backends/images.ts';
import { consoleReporter } from '../../harness/report/index.ts';
import { runSuite } from '../../harness/scenario/suite.ts';

function capture() {
  let text = '';
  return { stream: new Writable({ write(c, _e, cb) { text += String(c); cb(); } }), text: () => text };
}

describe('progress', { timeout: 120_000 }, () => {
  it('a CI log says what a step has been waiting for after 2 s', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'progress-'));
    await writeFile(
      join(dir, 'unanswered.yaml'),
      `name: nobody answers
definition:
  StartAt: Ask
  States:
    Ask:
      Type: Task
      Resource: arn:aws:states:::sqs:sendMessage.waitForTaskToken
      Parameters: { QueueUrl: 'http://sqs.us-east-1.localhost/000000000000/approvals', MessageBody: { token.$: $$.Task.Token } }
      End: true
given:
  queues: [approvals]
when:
  - start: {}
  - await: { status: SUCCEEDED, timeoutSeconds: 3 }
`,
    );
    const out = capture();
    const report = await runSuite({ paths: [dir], cwd: dir, seed: 'p', reporter: consoleReporter({ out: out.stream, isTTY: false }) });
    expect(report.scenarios[0]!.status).toBe('failed');
    expect(out.text()).toContain('▶ nobody answers started\n… nobody answers: 2s waiting for when[1] await {"status":"SUCCEEDED","timeoutSeconds":3}\n');
  });

  it("a finished scenario reports its handlers' REPORT durations, a part of its wall time", async () => {
    const report = await runSuite({ paths: [join(REPO_ROOT, 'scenarios/review-approved.yaml')], cwd: REPO_ROOT, seed: 'p' });
    const s = report.scenarios[0]!;
    expect(s.status).toBe('passed');
    expect(s.handlerMs).toBeGreaterThan(0);
    expect(s.handlerMs).toBeLessThan(s.durationMs);
  });
});
