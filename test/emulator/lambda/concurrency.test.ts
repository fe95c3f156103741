/**
 * Concurrency limits over real HTTP with the AWS SDK v3: the local
 * execution-environment cap (`maxEnvironments`: invocations queue for a slot)
 * and AWS's account concurrency quota (`lambdaAccountConcurrency`: Invoke is
 * throttled with Reason ConcurrentInvocationLimitExceeded).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CreateFunctionCommand,
  GetAccountSettingsCommand,
  InvokeCommand,
  InvalidParameterValueException,
  PutFunctionConcurrencyCommand,
  TooManyRequestsException,
  type LambdaClient,
} from '@aws-sdk/client-lambda';
import { VirtualClock } from '../../../harness/core/index.ts';
import { startEmulator, type Emulator } from '../../../harness/emulator/index.ts';
import { fixtureZip, lambdaClient, ROLE, text, waitFor } from './support.ts';

// Environments are counted by their bootstrap's name on the command line, which a
// standby process that became one does not carry (harness/runtime/standby.ts): spawn each.
process.env.REHEARSE_STANDBY = '0';

/**
 * The execution environments alive right now: processes running a runtime
 * bootstrap that descend from this one (started through the spawner, a
 * child of this process: harness/runtime/spawner.ts).
 */
function childProcessCount(): number {
  const parents = new Map<number, number>();
  const environments: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the ")" that ends the command name: state, ppid, …
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state === 'Z') continue;
      parents.set(Number(entry), Number(ppid));
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('-bootstrap.')) environments.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  const descends = (pid: number): boolean => {
    for (let p = parents.get(pid), hops = 0; p !== undefined && hops < 4; p = parents.get(p), hops++) if (p === process.pid) return true;
    return false;
  };
  return environments.filter(descends).length;
}

/** Samples the child-process count until stopped; returns the highest seen. */
function samplePeakChildren(): { stop(): number } {
  let peak = childProcessCount();
  const timer = setInterval(() => {
    peak = Math.max(peak, childProcessCount());
  }, 5);
  return {
    stop() {
      clearInterval(timer);
      return Math.max(peak, childProcessCount());
    },
  };
}

async function createSlow(lambda: LambdaClient, name: string): Promise<void> {
  await lambda.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: 'nodejs20.x',
      Handler: 'index.handler',
      Role: ROLE,
      Code: { ZipFile: fixtureZip('node', ['index.mjs=slow.mjs']) },
      Timeout: 10,
    }),
  );
}

function invokeSlow(lambda: LambdaClient, name: string, ms: number) {
  return lambda.send(new InvokeCommand({ FunctionName: name, Payload: Buffer.from(JSON.stringify({ ms })) }));
}

describe('maxEnvironments: the local execution-environment cap', () => {
  let em: Emulator;
  let lambda: LambdaClient;
  beforeAll(async () => {
    // A virtual clock too: queued invocations must not deadlock on the clock's work hold.
    em = await startEmulator({ services: ['lambda'], clock: new VirtualClock({ autoAdvance: 'idle' }), log: false, maxEnvironments: 2 });
    lambda = lambdaClient(em.endpoint);
    await createSlow(lambda, 'slow-a');
    await createSlow(lambda, 'slow-b');
  });
  afterAll(async () => {
    lambda?.destroy();
    await em?.dispose();
  });

  it('queues five concurrent invocations behind two environments: all succeed, in about three waves', async () => {
    const sampler = samplePeakChildren();
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: 5 }, () => invokeSlow(lambda, 'slow-a', 200)));
    const wallMs = Date.now() - started;
    const peak = sampler.stop();

    for (const r of results) {
      expect(r.StatusCode).toBe(200);
      expect(r.FunctionError).toBeUndefined();
      expect(JSON.parse(text(r.Payload))).toHaveProperty('calls');
    }
    // Two environments served everything: their call counters add up to 5.
    const calls = results.map((r) => (JSON.parse(text(r.Payload)) as { calls: number }).calls);
    expect(Math.max(...calls)).toBeGreaterThanOrEqual(3);
    expect(peak).toBeLessThanOrEqual(2);
    expect(peak).toBeGreaterThanOrEqual(1);
    // 5 invocations / 2 slots = 3 waves of 200 ms.
    expect(wallMs).toBeGreaterThanOrEqual(3 * 200 - 50);

    const obs = em.observations.snapshot();
    const invocations = obs.invocations.filter((i) => i.functionName === 'slow-a');
    expect(invocations).toHaveLength(5);
    expect(invocations.filter((i) => i.coldStart)).toHaveLength(2);
    // Queued invocations are not counted as running.
    expect(obs.functionConcurrency['slow-a']).toBe(2);
    // The function timeout starts when the handler starts: a queued wait is not billed as run time.
    for (const i of invocations) expect(i.durationMs).toBeLessThan(2_000);
  });

  it('stops idle environments of another function to make room', async () => {
    // slow-a has two warm, idle environments now; slow-b needs both slots.
    const sampler = samplePeakChildren();
    const results = await Promise.all([invokeSlow(lambda, 'slow-b', 100), invokeSlow(lambda, 'slow-b', 100)]);
    const peak = sampler.stop();
    for (const r of results) expect(r.FunctionError).toBeUndefined();
    expect(peak).toBeLessThanOrEqual(2);
    await waitFor(() => childProcessCount() <= 2 || undefined, 'the stopped environments to exit');
  });
});

describe('lambdaAccountConcurrency: AWS account concurrency quota', () => {
  let em: Emulator;
  let lambda: LambdaClient;
  beforeAll(async () => {
    em = await startEmulator({ services: ['lambda'], log: false, lambdaAccountConcurrency: 2 });
    lambda = lambdaClient(em.endpoint);
    await createSlow(lambda, 'quota');
  });
  afterAll(async () => {
    lambda?.destroy();
    await em?.dispose();
  });

  it('throttles a third concurrent RequestResponse invoke with ConcurrentInvocationLimitExceeded', async () => {
    const first = invokeSlow(lambda, 'quota', 1_500);
    const second = invokeSlow(lambda, 'quota', 1_500);
    // Both are running once both environments exist.
    await waitFor(() => childProcessCount() >= 2 || undefined, 'two running invocations');
    const err = await invokeSlow(lambda, 'quota', 10).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TooManyRequestsException);
    const throttle = err as TooManyRequestsException;
    expect(throttle.$metadata.httpStatusCode).toBe(429);
    expect(throttle.Reason).toBe('ConcurrentInvocationLimitExceeded');
    expect(throttle.message).toBe('Rate Exceeded.');
    const [a, b] = await Promise.all([first, second]);
    expect(a.FunctionError).toBeUndefined();
    expect(b.FunctionError).toBeUndefined();
    // Capacity is back once they finished.
    const after = await invokeSlow(lambda, 'quota', 10);
    expect(after.FunctionError).toBeUndefined();
  });

  it('GetAccountSettings reports the quota, the unreserved share and the function count', async () => {
    const settings = await lambda.send(new GetAccountSettingsCommand({}));
    expect(settings.AccountLimit).toMatchObject({ ConcurrentExecutions: 2, UnreservedConcurrentExecutions: 2 });
    expect(settings.AccountLimit?.CodeSizeZipped).toBe(52428800);
    expect(settings.AccountUsage?.FunctionCount).toBe(1);
    expect(settings.AccountUsage?.TotalCodeSize).toBeGreaterThan(0);
  });

  it('refuses a reservation that would leave less than the minimum unreserved (all of a quota ≤ 100)', async () => {
    const err = await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'quota', ReservedConcurrentExecutions: 1 })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidParameterValueException);
    expect((err as Error).message).toContain('below its minimum value of [2]');
  });
});

describe('defaults', () => {
  it('GetAccountSettings: ConcurrentExecutions 1000 minus reservations, as AWS', async () => {
    const em = await startEmulator({ services: ['lambda'], log: false });
    const lambda = lambdaClient(em.endpoint);
    try {
      await createSlow(lambda, 'reserved');
      await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'reserved', ReservedConcurrentExecutions: 50 }));
      const settings = await lambda.send(new GetAccountSettingsCommand({}));
      expect(settings.AccountLimit).toMatchObject({ ConcurrentExecutions: 1000, UnreservedConcurrentExecutions: 950 });
      expect(settings.AccountUsage?.FunctionCount).toBe(1);
      const tooMuch = await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'reserved', ReservedConcurrentExecutions: 901 })).catch((e: unknown) => e);
      expect(tooMuch).toBeInstanceOf(InvalidParameterValueException);
      await lambda.send(new PutFunctionConcurrencyCommand({ FunctionName: 'reserved', ReservedConcurrentExecutions: 900 }));
    } finally {
      lambda.destroy();
      await em.dispose();
    }
  });
});
