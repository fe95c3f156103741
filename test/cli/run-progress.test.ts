/** `rehearse run` on a console that is not a TTY (a CI log): a line when each scenario starts and when it ends. */
import { execa } from 'execa';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

describe('rehearse run progress without a TTY', () => {
  it('prints a start line before the scenario’s result line', async () => {
    const r = await execa('node', ['bin/rehearse.mjs', 'run', 'scenarios/review-approved.yaml', '--seed', '1'], { cwd: ROOT, reject: false, env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } });
    expect(r.exitCode, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    const started = lines.findIndex((l) => /^▶ .+ started$/.test(l));
    const ended = lines.findIndex((l) => l.startsWith('✓ '));
    expect(started).toBeGreaterThanOrEqual(0);
    expect(ended).toBeGreaterThan(started);
    expect(lines[ended]).toContain(lines[started]!.slice(2, -' started'.length));
  }, 60_000);
});
