/** One test group per state type: what each evaluates and the history it records. */
import { describe, expect, it } from 'vitest';
import { details, single, testEngine } from './helpers.ts';

describe('Pass', () => {
  it('applies InputPath → Parameters → ResultPath → OutputPath in order', async () => {
    const t = testEngine();
    const r = await t.run(
      single({ Type: 'Pass', InputPath: '$.in', Parameters: { 'doubled.$': 'States.MathAdd($.n, $.n)', fixed: 'x' }, ResultPath: '$.in.result', OutputPath: '$.in' }),
      { in: { n: 2 }, other: true },
    );
    expect(r.snapshot.status).toBe('SUCCEEDED');
    expect(r.output).toEqual({ n: 2, result: { doubled: 4, fixed: 'x' } });
    expect(r.types).toEqual(['ExecutionStarted', 'PassStateEntered', 'PassStateExited', 'ExecutionSucceeded']);
  });

  it('records AWS detail shapes: JSON text input/output, truncated:false, ids and previousEventId', async () => {
    const t = testEngine();
    const r = await t.run(single({ Type: 'Pass', Result: [1, 2] }), { a: 1 });
    const [started, entered, exited, succeeded] = r.history;
    expect(started).toMatchObject({ id: 1, previousEventId: 0, executionStartedEventDetails: { input: '{"a":1}', inputDetails: { truncated: false }, roleArn: 'arn:aws:iam::123456789012:role/test' } });
    expect(entered).toMatchObject({ id: 2, previousEventId: 0, stateEnteredEventDetails: { name: 'S', input: '{"a":1}', inputDetails: { truncated: false } } });
    expect(exited).toMatchObject({ id: 3, previousEventId: 2, stateExitedEventDetails: { name: 'S', output: '[1,2]', outputDetails: { truncated: false } } });
    expect(succeeded).toMatchObject({ id: 4, previousEventId: 3, executionSucceededEventDetails: { output: '[1,2]' } });
    expect(entered!.timestamp).toBe(Date.UTC(2026, 0, 1));
  });

  it('ResultPath null keeps the input; OutputPath null gives {}', async () => {
    const t = testEngine();
    expect((await t.run(single({ Type: 'Pass', Result: 1, ResultPath: null }), { keep: 1 })).output).toEqual({ keep: 1 });
    expect((await t.run(single({ Type: 'Pass', OutputPath: null }), { keep: 1 })).output).toEqual({});
  });

  it('fails with States.Runtime when InputPath selects nothing (AWS cause text)', async () => {
    const r = await testEngine().run(single({ Type: 'Pass', InputPath: '$.missing' }), {});
    expect(r.snapshot.status).toBe('FAILED');
    expect(r.snapshot.error).toBe('States.Runtime');
    expect(r.snapshot.cause).toBe("An error occurred while executing the state 'S' (entered at the event id #2). Invalid path '$.missing' : No results for path: $['missing']");
  });

  it('JSONata: Output and Assign see $states.input; variables are visible to later states', async () => {
    const r = await testEngine().run(
      {
        QueryLanguage: 'JSONata',
        StartAt: 'A',
        States: {
          A: { Type: 'Pass', Assign: { total: '{% $states.input.x + 1 %}' }, Output: { seen: '{% $states.input.x %}' }, Next: 'B' },
          B: { Type: 'Pass', Output: '{% {"total": $total, "prev": $states.input.seen} %}', End: true },
        },
      },
      { x: 41 },
    );
    expect(r.output).toEqual({ total: 42, prev: 41 });
    expect(details(r.history[2]!)).toMatchObject({ assignedVariables: { total: '42' }, assignedVariablesDetails: { truncated: false } });
  });

  it('records EvaluationFailed with location for a JSONata field that returns nothing', async () => {
    const r = await testEngine().run({ QueryLanguage: 'JSONata', ...single({ Type: 'Pass', Output: '{% $nothing %}' }) });
    expect(r.snapshot.error).toBe('States.QueryEvaluationError');
    expect(r.types).toEqual(['ExecutionStarted', 'PassStateEntered', 'EvaluationFailed', 'ExecutionFailed']);
    expect(details(r.history[2]!)).toMatchObject({ error: 'States.QueryEvaluationError', location: 'Output', state: 'S' });
  });
});

describe('Choice', () => {
  const choice = {
    StartAt: 'C',
    States: {
      C: { Type: 'Choice', Choices: [{ Variable: '$.n', NumericGreaterThan: 10, Next: 'Big' }], Default: 'Small' },
      Big: { Type: 'Pass', Result: 'big', End: true },
      Small: { Type: 'Pass', Result: 'small', End: true },
    },
  };

  it('takes the first matching rule, else Default', async () => {
    const t = testEngine();
    expect((await t.run(choice, { n: 11 })).output).toBe('big');
    expect((await t.run(choice, { n: 1 })).output).toBe('small');
  });

  it('fails with States.Runtime when nothing matches and there is no Default', async () => {
    const def = { StartAt: 'C', States: { C: { Type: 'Choice', Choices: choice.States.C.Choices }, Big: choice.States.Big } };
    const r = await testEngine().run(def, { n: 1 });
    expect(r.snapshot.status).toBe('FAILED');
    expect(r.snapshot.error).toBe('States.Runtime');
    expect(r.types).toEqual(['ExecutionStarted', 'ChoiceStateEntered', 'ExecutionFailed']);
  });

  it('JSONata Condition with a rule Assign', async () => {
    const r = await testEngine().run(
      {
        QueryLanguage: 'JSONata',
        StartAt: 'C',
        States: {
          C: { Type: 'Choice', Choices: [{ Condition: '{% $states.input.ok %}', Assign: { picked: 'yes' }, Next: 'D' }], Default: 'D' },
          D: { Type: 'Pass', Output: '{% $picked %}', End: true },
        },
      },
      { ok: true },
    );
    expect(r.output).toBe('yes');
  });
});

describe('Wait', () => {
  it('waits Seconds on the virtual clock (history timestamps show the wait)', async () => {
    const t = testEngine();
    const wall = performance.now();
    const r = await t.run(single({ Type: 'Wait', Seconds: 86_400 }));
    expect(performance.now() - wall).toBeLessThan(2_000);
    expect(r.history[2]!.timestamp - r.history[1]!.timestamp).toBe(86_400_000);
    expect(r.types).toEqual(['ExecutionStarted', 'WaitStateEntered', 'WaitStateExited', 'ExecutionSucceeded']);
  });

  it('waits until TimestampPath', async () => {
    const t = testEngine();
    const r = await t.run(single({ Type: 'Wait', TimestampPath: '$.at' }), { at: '2026-01-01T01:00:00Z' });
    expect(r.history[2]!.timestamp).toBe(Date.UTC(2026, 0, 1, 1));
  });

  it('rejects a negative or fractional SecondsPath with AWS cause texts', async () => {
    const t = testEngine();
    const neg = await t.run(single({ Type: 'Wait', SecondsPath: '$.s' }), { s: -1 });
    expect(neg.snapshot.cause).toBe("An error occurred while executing the state 'S' (entered at the event id #2). The SecondsPath parameter references a negative value: $.s == -1");
    const frac = await t.run(single({ Type: 'Wait', SecondsPath: '$.s' }), { s: 1.5 });
    expect(frac.snapshot.cause).toContain('cannot be parsed as a long value: $.s == 1.5');
  });
});

describe('Succeed and Fail', () => {
  it('Succeed ends the execution with its (OutputPath-filtered) input', async () => {
    const r = await testEngine().run(single({ Type: 'Succeed', OutputPath: '$.a' }), { a: { b: 1 } });
    expect(r.output).toEqual({ b: 1 });
    expect(r.types).toEqual(['ExecutionStarted', 'SucceedStateEntered', 'SucceedStateExited', 'ExecutionSucceeded']);
  });

  it('Fail records Error/Cause and no Exited event', async () => {
    const r = await testEngine().run(single({ Type: 'Fail', Error: 'Boom', Cause: 'because' }));
    expect(r.snapshot).toMatchObject({ status: 'FAILED', error: 'Boom', cause: 'because' });
    expect(r.types).toEqual(['ExecutionStarted', 'FailStateEntered', 'ExecutionFailed']);
    expect(details(r.history[2]!)).toEqual({ error: 'Boom', cause: 'because' });
  });

  it('Fail ErrorPath/CausePath read the input and the context object', async () => {
    const r = await testEngine().run(single({ Type: 'Fail', ErrorPath: '$.e', CausePath: '$$.State.Name' }), { e: 'FromInput' });
    expect(r.snapshot).toMatchObject({ error: 'FromInput', cause: 'S' });
  });
});
