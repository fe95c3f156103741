/**
 * "Ns virtual" is printed only when the endpoint's clock is virtual: on a
 * real-clock endpoint (`--real-time`, a `serve` without `--clock virtual`)
 * the executions' duration is wall time, and saying "virtual" would mislead.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runSuite } from '../../harness/scenario/suite.ts';

const WAITS = `name: waits a little
definition:
  StartAt: Pause
  States:
    Pause: { Type: Wait, Seconds: 1, Next: Done }
    Done: { Type: Succeed }
when:
  - start: {}
then:
  execution: { status: SUCCEEDED }
`;

describe('virtual seconds in results', { timeout: 60_000 }, () => {
  it('are reported on virtual time and left out on real time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rehearse-virtual-'));
    writeFileSync(join(dir, 'waits.yaml'), WAITS);
    const virtual = await runSuite({ paths: ['waits.yaml'], cwd: dir, seed: 'v' });
    expect(virtual.scenarios[0]).toMatchObject({ status: 'passed', virtualSeconds: 1 });
    const real = await runSuite({ paths: ['waits.yaml'], cwd: dir, seed: 'r', realTime: true });
    expect(real.scenarios[0]!.status).toBe('passed');
    expect(real.scenarios[0]!.virtualSeconds).toBeUndefined();
  });
});
