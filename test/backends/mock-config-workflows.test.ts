/**
 * MockConfigFiles for the reference workflows in workflows/ (ARNs substituted
 * as deploy does): "throttled twice, then succeeds" on every Lambda Task state
 * must produce AWS's documented shape, or a named reason to skip.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../harness/backends/images.ts';
import { attemptKeys, buildMockConfig, validateMockConfig, type MockTestCase } from '../../harness/backends/mock-config.ts';

const dir = join(REPO_ROOT, 'workflows');
const workflows = readdirSync(dir).filter((f) => f.endsWith('.asl.json'));

/** `${ResizeImageFunctionArn}` → the deployed function's ARN (template FunctionName: resize-image). */
function deployed(text: string): string {
  return text.replace(/\$\{(\w+)FunctionArn\}/g, (_, logical: string) => {
    const name = logical.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
    return `arn:aws:lambda:us-east-1:000000000000:function:${name}`;
  });
}

/** Task states that invoke a Lambda function, anywhere in the definition. */
function lambdaTasks(states: Record<string, Record<string, unknown>>, out: Array<{ state: string; fn: string }> = []) {
  for (const [name, s] of Object.entries(states)) {
    for (const b of (s.Branches as Array<{ States: typeof states }> | undefined) ?? []) lambdaTasks(b.States, out);
    const proc = (s.ItemProcessor ?? s.Iterator) as { States: typeof states } | undefined;
    if (proc) lambdaTasks(proc.States, out);
    if (s.Type === 'Task' && typeof s.Resource === 'string' && s.Resource.startsWith('arn:aws:states:::lambda:invoke')) {
      const args = (s.Parameters ?? s.Arguments) as { FunctionName: string };
      out.push({ state: name, fn: args.FunctionName.split(':function:')[1]! });
    }
  }
  return out;
}

/** How many retries the first retrier matching `error` allows on `state` (0: none matches). */
function retriesFor(states: Record<string, Record<string, unknown>>, state: string, error: string): number {
  const find = (ss: typeof states): Record<string, unknown> | undefined => {
    for (const [name, s] of Object.entries(ss)) {
      if (name === state) return s;
      for (const b of (s.Branches as Array<{ States: typeof states }> | undefined) ?? []) {
        const hit = find(b.States);
        if (hit) return hit;
      }
      const proc = (s.ItemProcessor ?? s.Iterator) as { States: typeof states } | undefined;
      const hit = proc ? find(proc.States) : undefined;
      if (hit) return hit;
    }
    return undefined;
  };
  const retriers = (find(states)?.Retry as Array<{ ErrorEquals: string[]; MaxAttempts?: number }> | undefined) ?? [];
  const r = retriers.find((x) => x.ErrorEquals.some((e) => e === error || e === 'States.ALL' || e === 'States.TaskFailed'));
  return r ? (r.MaxAttempts ?? 3) : 0;
}

describe.each(workflows)('workflows/%s', (file) => {
  const text = deployed(readFileSync(join(dir, file), 'utf8'));
  const definition = JSON.parse(text) as { States: Record<string, Record<string, unknown>> };
  const tasks = lambdaTasks(definition.States);

  it('every Lambda Task state: two throttles then a return → valid mocks or a named reason', () => {
    expect(tasks.length).toBeGreaterThan(0);
    const cases: MockTestCase[] = tasks.map((t) => ({
      stateMachineName: file.replace('.asl.json', ''),
      testCaseName: `throttle-${t.state}`,
      definition: text,
      faults: { functions: [{ function: t.fn, invocations: '1-2', throw: { errorType: 'Lambda.TooManyRequestsException', message: 'Rate exceeded' } }] },
      returns: { [t.fn]: { ok: true } },
    }));
    const build = buildMockConfig(cases);
    expect(validateMockConfig(build.config)).toEqual([]);
    expect(build.testCases.length + build.skipped.length).toBe(cases.length);
    for (const s of build.skipped) expect(s.reason).toMatch(/is invoked by \d+ states/);
    for (const tc of build.testCases) {
      const [state] = tc.mockedStates;
      const responses = build.config.MockedResponses[`${tc.stateMachineName}.${tc.testCaseName}.${state}`]!;
      const throttled = { Throw: { Error: 'Lambda.TooManyRequestsException', Cause: 'Rate exceeded' } };
      const retries = retriesFor(definition.States, state!, 'Lambda.TooManyRequestsException');
      if (retries === 0) {
        // Not retried on a throttle (e.g. external-call's CallExternalService): Catch takes over after one call.
        expect(attemptKeys(responses)).toEqual(['0']);
        expect(responses['0']).toEqual(throttled);
        continue;
      }
      expect(attemptKeys(responses)[0]).toBe('0-1');
      expect(responses['0-1']).toEqual(throttled);
      const rest = attemptKeys(responses).slice(1);
      if (retries === 1) {
        expect(rest).toEqual([]);
        continue;
      }
      expect(rest).toHaveLength(1);
      expect(rest[0]).toMatch(/^2(-\d+)?$/);
      expect(responses[rest[0]!]).toEqual({ Return: { ExecutedVersion: '$LATEST', StatusCode: 200, Payload: { ok: true } } });
    }
  });
});

describe('image-processor specifics', () => {
  it('can be built before deploying: placeholders resolved through resolveFunctionName', () => {
    const raw = readFileSync(join(dir, 'image-processor.asl.json'), 'utf8');
    const build = buildMockConfig([
      {
        stateMachineName: 'image-processor',
        testCaseName: 'bad-config',
        definition: raw,
        faults: { functions: [{ function: 'validate-image', invocations: [1], throw: { errorType: 'ConfigurationError' } }] },
        resolveFunctionName: (ref) => /^\$\{(\w+)FunctionArn\}$/.exec(ref)?.[1]?.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase(),
      },
    ]);
    expect(build.skipped).toEqual([]);
    expect(build.testCases[0]!.mockedStates).toEqual(['ValidateImage']);
  });

  const text = deployed(readFileSync(join(dir, 'image-processor.asl.json'), 'utf8'));

  it('ResizeImage (in a Parallel branch): "0-1" throttled, "2" the mocked success', () => {
    const build = buildMockConfig([
      {
        stateMachineName: 'image-processor',
        testCaseName: 'resize-survives-two-throttles',
        definition: text,
        faults: { functions: [{ function: 'resize-image', invocations: [1, 2], throw: { errorType: 'Lambda.TooManyRequestsException', message: 'Rate exceeded' } }] },
        returns: { 'resize-image': { bucket: 'images', key: 'resized/raw/cat.jpg', width: 800, height: 600 } },
      },
    ]);
    expect(build.config.StateMachines['image-processor']!.TestCases['resize-survives-two-throttles']).toEqual({
      ResizeImage: 'image-processor.resize-survives-two-throttles.ResizeImage',
    });
    expect(attemptKeys(build.config.MockedResponses['image-processor.resize-survives-two-throttles.ResizeImage']!)).toEqual(['0-1', '2']);
  });

  it('a ConfigurationError is not retried (MaxAttempts 0): one Throw, no return needed', () => {
    const build = buildMockConfig([
      {
        stateMachineName: 'image-processor',
        testCaseName: 'bad-config',
        definition: text,
        faults: { functions: [{ function: 'validate-image', invocations: [1], throw: { errorType: 'ConfigurationError', message: 'targetWidth missing' } }] },
      },
    ]);
    expect(build.skipped).toEqual([]);
    expect(attemptKeys(build.config.MockedResponses['image-processor.bad-config.ValidateImage']!)).toEqual(['0']);
  });

  it('a function error exhausts States.TaskFailed (MaxAttempts 2): "0-2" all thrown', () => {
    const build = buildMockConfig([
      {
        stateMachineName: 'image-processor',
        testCaseName: 'always-fails',
        definition: text,
        faults: { functions: [{ function: 'validate-image', throw: { errorType: 'Error', message: 'boom' } }] },
      },
    ]);
    expect(attemptKeys(build.config.MockedResponses['image-processor.always-fails.ValidateImage']!)).toEqual(['0-2']);
  });
});
