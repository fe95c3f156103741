/**
 * The real CLI as a child process (`npx tsx harness/cli/entry.ts up|down`):
 * with no Docker engine it must exit 3 with one line saying so and pointing at
 * the embedded backend. DOCKER_HOST points at a socket that does not exist, so
 * the answer is the same on machines that do have Docker.
 */
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../harness/backends/images.ts';

async function rehearse(args: string[], env: Record<string, string> = {}) {
  return execa('npx', ['tsx', 'harness/cli/entry.ts', ...args], {
    cwd: REPO_ROOT,
    reject: false,
    env: { DOCKER_HOST: 'unix:///nonexistent/rehearse-test.sock', ...env },
    timeout: 150_000,
  });
}

describe('rehearse up / down without a Docker engine', () => {
  // Run concurrently: each child process pays tsx's start-up once.
  it('`rehearse up` and `rehearse down` exit 3 with the one no-engine line (engine checked before the LocalStack token)', async () => {
    const [up, upLocalstack, down] = await Promise.all([
      rehearse(['up']),
      rehearse(['up', '--backend', 'localstack'], { LOCALSTACK_AUTH_TOKEN: '' }),
      rehearse(['down']),
    ]);
    expect(up.exitCode).toBe(3);
    const lines = up.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^rehearse up: no Docker engine reachable for rehearse up --backend rehearse: .+; use `--backend embedded` instead/);
    expect(up.stdout).toBe('');

    expect(upLocalstack.exitCode).toBe(3);
    expect(upLocalstack.stderr).toMatch(/no Docker engine reachable for rehearse up --backend localstack/);

    expect(down.exitCode).toBe(3);
    expect(down.stderr).toMatch(/^rehearse down: no Docker engine reachable for rehearse down: .+--backend embedded/);
  }, 180_000);

  it('bad options exit 2 naming the option; --help exits 0', async () => {
    const [bad, unknown, help] = await Promise.all([rehearse(['up', '--backend', 'embedded']), rehearse(['down', '--force']), rehearse(['up', '--help'])]);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/--backend embedded: `rehearse up` starts one of rehearse, stepfunctions-local, localstack/);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown option '--force'/);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toMatch(/LOCALSTACK_AUTH_TOKEN/);
  }, 180_000);
});
