/**
 * The `return` function fault over real HTTP: the plan goes in through the
 * control API (`PUT /_rehearse/faults`), the call through the AWS SDK's Invoke.
 * A selected call answers the given payload without running the handler (no
 * environment, no cold start, no handler logs) and still counts as an
 * invocation; the calls it does not select run the real handler.
 */
import { CreateFunctionCommand, InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ControlApiError, ControlClient } from '../../../harness/backends/control-client.ts';
import { VirtualClock } from '../../../harness/core/index.ts';
import { startEmulator, type Emulator } from '../../../harness/emulator/index.ts';
import { fixtureZip, lambdaClient, ROLE, text } from './support.ts';

let em: Emulator;
let lambda: LambdaClient;
let control: ControlClient;

beforeAll(async () => {
  em = await startEmulator({ services: ['lambda'], clock: new VirtualClock({ autoAdvance: 'idle' }), log: false, seed: 11 });
  lambda = lambdaClient(em.endpoint);
  control = new ControlClient(em.endpoint);
  // warm.mjs logs the event and returns its pid and a per-environment counter: proof the handler ran.
  await lambda.send(
    new CreateFunctionCommand({ FunctionName: 'recorded', Runtime: 'nodejs20.x', Handler: 'index.handler', Role: ROLE, Code: { ZipFile: fixtureZip('node', ['index.mjs=warm.mjs']) } }),
  );
});

afterAll(async () => {
  lambda?.destroy();
  await em?.dispose();
});

async function invoke(payload: unknown) {
  const out = await lambda.send(new InvokeCommand({ FunctionName: 'recorded', Payload: Buffer.from(JSON.stringify(payload)), LogType: 'Tail' }));
  return { status: out.StatusCode, functionError: out.FunctionError, body: JSON.parse(text(out.Payload)) as unknown, log: Buffer.from(out.LogResult ?? '', 'base64').toString('utf8') };
}

describe('function fault `return`', () => {
  it('answers the given payload without running the handler; unselected calls run it', async () => {
    await control.setFaults({ functions: [{ function: 'recorded', invocations: [1, 3], return: { verdict: 'accept', sizes: [800, 600] } }] });

    const first = await invoke({ n: 1 });
    expect(first).toMatchObject({ status: 200, functionError: undefined, body: { verdict: 'accept', sizes: [800, 600] } });
    expect(first.log).not.toContain('event {"n":1}');

    const second = await invoke({ n: 2 });
    expect(second.functionError).toBeUndefined();
    expect(second.body).toMatchObject({ invocations: 1, functionName: 'recorded' });
    expect(second.log).toContain('event {"n":2}');

    const third = await invoke({ n: 3 });
    expect(third.body).toEqual({ verdict: 'accept', sizes: [800, 600] });

    // Recorded like every other invocation: counted, numbered, marked, never a cold start.
    const records = (await control.observations()).invocations.filter((i) => i.functionName === 'recorded');
    expect(records.map((r) => [r.invocationNumber, r.fault ?? null, r.coldStart])).toEqual([
      [1, 'return', false],
      [2, null, true],
      [3, 'return', false],
    ]);
    expect(records[0]!.error).toBeUndefined();
  });

  it('returns null and scalars as JSON, and the plan reads back as installed', async () => {
    const plan = { functions: [{ function: 'recorded', invocations: '1', return: null }, { function: 'recorded', invocations: [2], return: 'done' }] };
    await control.setFaults(plan);
    expect(await control.faults()).toEqual(plan);
    expect((await invoke({})).body).toBeNull();
    expect((await invoke({})).body).toBe('done');
  });

  it('a throw selecting the same call wins over return (as a MockConfigFile would have to choose one)', async () => {
    await control.setFaults({
      functions: [
        { function: 'recorded', invocations: [1], return: { ok: true } },
        { function: 'recorded', invocations: [1], throw: { errorType: 'ImageProcessingError', message: 'vips: out of memory' } },
      ],
    });
    const r = await invoke({});
    expect(r.functionError).toBe('Unhandled');
    expect(r.body).toMatchObject({ errorType: 'ImageProcessingError', errorMessage: 'vips: out of memory' });
  });

  it('`input` applies a fault only to invocations with that payload, counting only those', async () => {
    const plan = {
      functions: [
        { function: 'recorded', input: { item: { id: 3, size: 'L' } }, invocations: [1], throw: { errorType: 'Flaky', message: 'item 3, first try' } },
        { function: 'recorded', input: { item: { id: 3, size: 'L' } }, invocations: [2], return: { id: 3, retried: true } },
      ],
    };
    await control.setFaults(plan);
    expect(await control.faults()).toEqual(plan);
    const before = (await control.observations()).invocations.filter((i) => i.functionName === 'recorded').length;

    // Other payloads run the handler, however many calls come first.
    const other = await invoke({ item: { id: 1, size: 'L' } });
    expect(other.functionError).toBeUndefined();
    expect(other.log).toContain('event {"item":{"id":1,"size":"L"}}');
    // Same payload, keys in another order: the first call with it throws, the second returns.
    const first = await invoke({ item: { size: 'L', id: 3 } });
    expect(first).toMatchObject({ functionError: 'Unhandled', body: { errorType: 'Flaky', errorMessage: 'item 3, first try' } });
    expect((await invoke({ item: { id: 2, size: 'L' } })).functionError).toBeUndefined();
    expect((await invoke({ item: { id: 3, size: 'L' } })).body).toEqual({ id: 3, retried: true });
    // Its third call is selected by neither fault.
    expect((await invoke({ item: { id: 3, size: 'L' } })).log).toContain('event {"item":{"id":3,"size":"L"}}');

    // Invocation numbers in the records still count every call of the function.
    const records = (await control.observations()).invocations.filter((i) => i.functionName === 'recorded').slice(before);
    expect(records.map((r) => [r.invocationNumber, r.fault ?? null])).toEqual([
      [1, null],
      [2, 'throw Flaky'],
      [3, null],
      [4, 'return'],
      [5, null],
    ]);
  });

  it('the control API rejects `input` on an operation fault, naming it', async () => {
    const err = await control
      .setFaults({ operations: [{ service: 's3', operation: 'GetObject', input: { Key: 'a' }, error: { code: 'InternalError' } }] } as never)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ControlApiError);
    expect(err).toMatchObject({ status: 400, code: 'InvalidFaultPlan', message: expect.stringContaining('`operations[0].input` is not supported') });
  });

  it('the control API still rejects a function fault with no action', async () => {
    const err = await control.setFaults({ functions: [{ function: 'recorded', invocations: [1] }] } as never).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ControlApiError);
    expect((err as ControlApiError).message).toContain('needs one of throw, timeout, latencyMs, crash, return');
  });
});
