import { describe, expect, it } from 'vitest';
import type { Diagnostic } from '../../../harness/asl/api.ts';
import { formatDiagnostic, formatInvalidDefinition, formatLocation, hasErrors, parseLocation, toJsonPointer, validateDefinition } from '../../../harness/asl/validation/index.ts';

const LAMBDA = 'arn:aws:lambda:us-east-1:123456789012:function:resize';

/** A valid one-state machine with `state` merged into its only state. */
function machine(state: Record<string, unknown>, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ StartAt: 'ResizeImage', States: { ResizeImage: { Type: 'Task', Resource: LAMBDA, End: true, ...state } }, ...extra });
}

function errors(text: string): Diagnostic[] {
  return validateDefinition(text).filter((d) => d.severity === 'ERROR');
}

function expectError(text: string, location: string, message: string | RegExp, code = 'SCHEMA_VALIDATION_FAILED'): void {
  const ds = errors(text);
  const hit = ds.find((d) => d.location === location && (typeof message === 'string' ? d.message.includes(message) : message.test(d.message)));
  expect(hit, `diagnostics were: ${JSON.stringify(ds, null, 1)}`).toBeDefined();
  expect(hit!.code).toBe(code);
}

describe('validateDefinition', () => {
  it('accepts a good definition', () => {
    expect(errors(machine({ Retry: [{ ErrorEquals: ['States.ALL'], BackoffRate: 2 }] }))).toEqual([]);
  });

  it('rejects empty and malformed text', () => {
    expect(validateDefinition('  ')[0]).toMatchObject({ code: 'MISSING_DESCRIPTION' });
    expect(validateDefinition('{"StartAt":')[0]).toMatchObject({ code: 'INVALID_JSON_DESCRIPTION' });
    expect(validateDefinition('[]')[0]).toMatchObject({ code: 'SCHEMA_VALIDATION_FAILED' });
  });

  it.each([
    ['BackoffRate below 1', machine({ Retry: [{ ErrorEquals: ['X'], BackoffRate: 0.5 }] }), 'States.ResizeImage.Retry[0].BackoffRate', 'must be ≥ 1.0'],
    ['IntervalSeconds 0', machine({ Retry: [{ ErrorEquals: ['X'], IntervalSeconds: 0 }] }), 'States.ResizeImage.Retry[0].IntervalSeconds', 'integer from 1'],
    ['MaxAttempts negative', machine({ Retry: [{ ErrorEquals: ['X'], MaxAttempts: -1 }] }), 'States.ResizeImage.Retry[0].MaxAttempts', 'integer from 0'],
    ['JitterStrategy', machine({ Retry: [{ ErrorEquals: ['X'], JitterStrategy: 'SOME' }] }), 'States.ResizeImage.Retry[0].JitterStrategy', "'FULL' or 'NONE'"],
    ['States.ALL not last', machine({ Retry: [{ ErrorEquals: ['States.ALL'] }, { ErrorEquals: ['X'] }] }), 'States.ResizeImage.Retry[0].ErrorEquals', "'States.ALL' must be in the last retrier"],
    ['States.ALL not alone', machine({ Catch: [{ ErrorEquals: ['States.ALL', 'X'], Next: 'ResizeImage' }] }), 'States.ResizeImage.Catch[0].ErrorEquals', 'must appear alone'],
    ['empty ErrorEquals', machine({ Retry: [{ ErrorEquals: [] }] }), 'States.ResizeImage.Retry[0].ErrorEquals', 'non-empty array'],
    ['unknown Catch Next', machine({ Catch: [{ ErrorEquals: ['X'], Next: 'Nowhere' }] }), 'States.ResizeImage.Catch[0].Next', "names 'Nowhere'"],
    ['unknown Next', machine({ End: undefined, Next: 'Missing' }), 'States.ResizeImage.Next', "names 'Missing'"],
    ['Next and End', machine({ Next: 'ResizeImage' }), 'States.ResizeImage', 'exactly one of "Next" or "End"'],
    ['unknown StartAt', JSON.stringify({ StartAt: 'Nope', States: { A: { Type: 'Succeed' } } }), 'StartAt', "names 'Nope'"],
    ['bad InputPath', machine({ InputPath: '$.a[' }), 'States.ResizeImage.InputPath', /Invalid JSONPath '\$\.a\['/],
    ['ResultPath into context', machine({ ResultPath: '$$.Execution' }), 'States.ResizeImage.ResultPath', 'not a valid ResultPath'],
    ['bad Parameters path', machine({ Parameters: { 'a.$': 'not a path' } }), 'States.ResizeImage.Parameters.a.$', "must start with '$'"],
    ['bad intrinsic', machine({ Parameters: { 'a.$': "States.Format('x', " } }), 'States.ResizeImage.Parameters.a.$', 'Invalid intrinsic function'],
    ['unknown intrinsic', machine({ Parameters: { 'a.$': 'States.Frobnicate(1)' } }), 'States.ResizeImage.Parameters.a.$', "unknown intrinsic function 'States.Frobnicate'"],
    ['duplicate template key', machine({ Parameters: { a: 1, 'a.$': '$.x' } }), 'States.ResizeImage.Parameters.a.$', "duplicates the field 'a'"],
    ['Parameters in JSONata', machine({ QueryLanguage: 'JSONata', Parameters: {} }), 'States.ResizeImage.Parameters', 'not supported in a JSONata state'],
    ['Arguments in JSONPath', machine({ Arguments: {} }), 'States.ResizeImage.Arguments', 'not supported in a JSONPath state'],
    ['unknown field', machine({ Foo: 1 }), 'States.ResizeImage.Foo', 'is not a field of a Task state'],
    ['bad JSONata', machine({ QueryLanguage: 'JSONata', Arguments: { x: '{% $states.input. %}' } }), 'States.ResizeImage.Arguments.x', /invalid JSONata expression '\$states\.input\.'/],
    ['bad JSONata in Assign', machine({ QueryLanguage: 'JSONata', Assign: { v: '{% ( %}' } }), 'States.ResizeImage.Assign.v', 'invalid JSONata expression'],
    ['bad variable name', machine({ Assign: { '1x': 1 } }), 'States.ResizeImage.Assign.1x', 'not a valid variable name'],
    ['states variable', machine({ QueryLanguage: 'JSONata', Assign: { states: 1 } }), 'States.ResizeImage.Assign.states', 'reserved'],
    ['Heartbeat >= Timeout', machine({ TimeoutSeconds: 10, HeartbeatSeconds: 10 }), 'States.ResizeImage.HeartbeatSeconds', 'smaller than TimeoutSeconds'],
    ['ResultSelector not an object', machine({ ResultSelector: 5 }), 'States.ResizeImage.ResultSelector', 'must be a JSON object'],
    ['Timeout and TimeoutPath', machine({ TimeoutSeconds: 10, TimeoutSecondsPath: '$.t' }), 'States.ResizeImage.TimeoutSecondsPath', 'cannot be combined with TimeoutSeconds'],
  ])('%s', (_name, text, location, message) => {
    expectError(text, location, message);
  });

  it('rejects a bad Resource and activities with INVALID_RESOURCE', () => {
    expectError(machine({ Resource: 'lambda-resize' }), 'States.ResizeImage.Resource', 'must be an ARN', 'INVALID_RESOURCE');
    expectError(machine({ Resource: 'arn:aws:states:us-east-1:123456789012:activity:work' }), 'States.ResizeImage', 'Activity tasks are not supported', 'INVALID_RESOURCE');
  });

  it('finds unreachable states, a missing terminal state and duplicate names across branches', () => {
    expectError(JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Succeed' }, B: { Type: 'Succeed' } } }), 'States.B', 'not reachable');
    expectError(JSON.stringify({ StartAt: 'A', States: { A: { Type: 'Pass', Next: 'A' } } }), 'States', 'no terminal state', 'MISSING_END_STATE');
    const parallel = {
      StartAt: 'P',
      States: { P: { Type: 'Parallel', End: true, Branches: [{ StartAt: 'P', States: { P: { Type: 'Succeed' } } }] } },
    };
    expectError(JSON.stringify(parallel), 'States.P.Branches[0].States.P', 'already used', 'DUPLICATE_STATE_NAME');
  });

  it('recurses into Parallel branches and Map processors, and forbids leaving them', () => {
    const def = {
      StartAt: 'Map',
      States: {
        Map: {
          Type: 'Map',
          End: true,
          ItemProcessor: {
            StartAt: 'Inner',
            States: {
              Inner: { Type: 'Pass', Next: 'Map' },
              Deep: { Type: 'Parallel', End: true, Branches: [{ StartAt: 'X', States: { X: { Type: 'Task', Resource: LAMBDA, End: true, Retry: [{ ErrorEquals: ['E'], BackoffRate: 0 }] } } }] },
            },
          },
        },
      },
    };
    const text = JSON.stringify(def);
    expectError(text, 'States.Map.ItemProcessor.States.Inner.Next', "names 'Map'");
    expectError(text, 'States.Map.ItemProcessor.States.Deep.Branches[0].States.X.Retry[0].BackoffRate', 'must be ≥ 1.0');
  });

  it('checks Map and Wait shapes', () => {
    expectError(JSON.stringify({ StartAt: 'M', States: { M: { Type: 'Map', End: true } } }), 'States.M', 'exactly one of ItemProcessor or Iterator');
    expectError(
      JSON.stringify({ StartAt: 'M', States: { M: { Type: 'Map', End: true, ItemBatcher: {}, ItemProcessor: { StartAt: 'I', States: { I: { Type: 'Succeed' } } } } } }),
      'States.M.ItemBatcher',
      'only supported by a distributed Map',
    );
    expectError(JSON.stringify({ StartAt: 'W', States: { W: { Type: 'Wait', End: true, Seconds: 1, SecondsPath: '$.s' } } }), 'States.W', 'exactly one of Seconds');
    expectError(JSON.stringify({ StartAt: 'W', States: { W: { Type: 'Wait', End: true, Timestamp: '2016-12-05 21:29:29Z' } } }), 'States.W.Timestamp', 'RFC 3339');
  });

  it('checks Fail and distributed Map fields, without schema noise around our diagnostic', () => {
    const fail = errors(JSON.stringify({ StartAt: 'F', States: { F: { Type: 'Fail', Error: 5 } } }));
    expect(fail).toEqual([{ severity: 'ERROR', code: 'SCHEMA_VALIDATION_FAILED', location: 'States.F.Error', message: 'must be a string' }]);
    const map = { StartAt: 'M', States: { M: { Type: 'Map', End: true, ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED' }, StartAt: 'I', States: { I: { Type: 'Succeed' } } } } } };
    expect(errors(JSON.stringify(map)).map((d) => `${d.location}: ${d.message}`)).toEqual([
      "States.M.ItemProcessor.ProcessorConfig: ExecutionType ('STANDARD' or 'EXPRESS') is required when Mode is DISTRIBUTED",
    ]);
  });

  it('rejects $, $$ and bare field names at the top level of a JSONata expression', () => {
    const output = (expr: string) => machine({ QueryLanguage: 'JSONata', Output: `{% ${expr} %}` });
    expectError(output('$'), 'States.ResizeImage.Output', "uses $ at the top level");
    expectError(output('$$.x'), 'States.ResizeImage.Output', "uses $$ at the top level");
    expectError(output('$count(items)'), 'States.ResizeImage.Output', "uses the field name 'items' at the top level");
    expectError(output('{"a": name}'), 'States.ResizeImage.Output', "the field name 'name'");
    for (const ok of ['$states.input.items[price > 10].id', '$map($states.input.x, function($v){ $v.a })', '$states.input.(a + b)', '($x := 1; $x + 1)']) {
      expect(errors(output(ok)), ok).toEqual([]);
    }
  });

  it('still reports what only the schema checks', () => {
    expectError(JSON.stringify({ StartAt: 'A', Comment: 5, States: { A: { Type: 'Succeed' } } }), 'Comment', 'must be string');
  });

  it('checks Choice rules', () => {
    const choice = (rules: unknown[], extra: Record<string, unknown> = {}) =>
      JSON.stringify({ StartAt: 'C', States: { C: { Type: 'Choice', Choices: rules, Default: 'D', ...extra }, D: { Type: 'Succeed' } } });
    expectError(choice([{ Variable: '$.x', StringEquals: 1, Next: 'D' }]), 'States.C.Choices[0].StringEquals', 'must be a string');
    expectError(choice([{ Variable: '$.x', TimestampEquals: 'yesterday', Next: 'D' }]), 'States.C.Choices[0].TimestampEquals', 'RFC 3339');
    expectError(choice([{ Variable: '$.x', NumericEquals: 1, StringEquals: 'a', Next: 'D' }]), 'States.C.Choices[0]', 'exactly one comparison operator');
    expectError(choice([{ And: [{ Variable: '$.x', IsNull: true, Next: 'D' }], Next: 'D' }]), 'States.C.Choices[0].And[0].Next', 'only top-level');
    expectError(choice([{ Variable: '$.x', IsNull: true, Next: 'Nope' }]), 'States.C.Choices[0].Next', "names 'Nope'");
    expectError(choice([{ Condition: '{% true %}', Next: 'D' }]), 'States.C.Choices[0].Condition', 'not supported in a JSONPath Choice rule');
    expectError(choice([{ Variable: '$.x', IsNull: true, Next: 'D' }], { QueryLanguage: 'JSONata' }), 'States.C.Choices[0].Variable', 'use "Condition"');
    expectError(choice([]), 'States.C.Choices', 'non-empty');
  });

  it('warns (without failing) about static Pass results and missing .$', () => {
    const ds = validateDefinition(JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', Result: { 'a.$': '$.x' }, Parameters: { b: '$.y' }, End: true } } }));
    expect(hasErrors(ds)).toBe(false);
    expect(ds.map((d) => d.code).sort()).toEqual(['NO_DOLLAR', 'PASS_RESULT_IS_STATIC']);
  });

  it('formats locations and messages for the API and the CLI', () => {
    const ds = errors(machine({ Retry: [{ ErrorEquals: ['X'], BackoffRate: 0.5 }] }));
    expect(toJsonPointer('States.ResizeImage.Retry[0].BackoffRate')).toBe('/States/ResizeImage/Retry/0/BackoffRate');
    expect(toJsonPointer("States['a.b'].Next")).toBe('/States/a.b/Next');
    expect(formatInvalidDefinition(ds)).toBe("Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: must be ≥ 1.0 at /States/ResizeImage/Retry/0/BackoffRate'");
    expect(formatDiagnostic(ds[0]!)).toBe('ERROR States.ResizeImage.Retry[0].BackoffRate: must be ≥ 1.0 (SCHEMA_VALIDATION_FAILED)');
  });

  it('lets the engine reject what it does not run', () => {
    const ds = validateDefinition(machine({}), { unsupported: (_s, type) => (type === 'Task' ? 'Tasks are off today' : undefined) });
    expect(ds.some((d) => d.message === 'Tasks are off today')).toBe(true);
  });
});

/**
 * Definitions AWS accepts (CreateStateMachine, deployed public samples) where
 * asl-validator's schema is stricter: Jayway's `.[` and JSONata without the
 * spaces inside `{% %}`. One case per form, in the fields that read each kind of path.
 */
describe('accepts what Step Functions accepts where asl-validator is stricter', () => {
  const choice = (rule: Record<string, unknown>) => JSON.stringify({ StartAt: 'C', States: { C: { Type: 'Choice', Choices: [{ ...rule, Next: 'D' }], Default: 'D' }, D: { Type: 'Succeed' } } });
  const pass = (fields: Record<string, unknown>) => JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', End: true, ...fields } } });
  const jsonata = (state: Record<string, unknown>) => JSON.stringify({ QueryLanguage: 'JSONata', StartAt: 'T', States: { T: { End: true, ...state } } });
  it.each([
    ['$.[0] as InputPath', pass({ InputPath: '$.[0]' })],
    ['$.[0] as a Choice Variable (reference path)', choice({ Variable: '$.[0].count', NumericGreaterThan: 0 })],
    ['$.Snapshots.[0].State in Parameters', pass({ Parameters: { 'state.$': '$.Snapshots.[0].State' } })],
    ['$.Snapshots.[0].State as a Choice Variable', choice({ Variable: '$.Snapshots.[0].State', StringEquals: 'available' })],
    ['$.Snapshots.[0].State in a *Path comparison', choice({ Variable: '$.want', StringEqualsPath: '$.Snapshots.[0].State' })],
    ['$.[0] as ResultPath', pass({ ResultPath: '$.[0]' })],
    ['$.[?(@.OU > 0)] as OutputPath', pass({ OutputPath: '$.[?(@.OU > 0)]' })],
    ['$.[?(@.OU > 0)] in Parameters', pass({ Parameters: { 'units.$': '$.[?(@.OU > 0)]' } })],
    ["$.[*].['bucket','key'] in Parameters", pass({ Parameters: { 'objects.$': "$.[*].['bucket','key']" } })],
    ["$.[*].['bucket','key'] as OutputPath", pass({ OutputPath: "$.[*].['bucket','key']" })],
    ['{% x%} as Output', jsonata({ Type: 'Pass', Output: '{% $states.input%}' })],
    ['{% x%} inside Arguments', jsonata({ Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Arguments: { FunctionName: 'f', Payload: '{%$states.input%}' } })],
    ['{% x%} as a Choice Condition', JSON.stringify({ QueryLanguage: 'JSONata', StartAt: 'C', States: { C: { Type: 'Choice', Choices: [{ Condition: '{% $states.input.n > 0%}', Next: 'D' }], Default: 'D' }, D: { Type: 'Succeed' } } })],
    ['a JSONata expression over several lines inside Arguments', jsonata({ Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Arguments: { FunctionName: 'f', Payload: '{% {\n  "n": $states.input.n\n} %}' } })],
    ['a literal string over several lines inside Arguments', jsonata({ Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Arguments: { FunctionName: 'f', Payload: 'line one\nline two' } })],
  ])('%s', (_name, text) => {
    expect(errors(text)).toEqual([]);
  });

  it('still rejects what AWS rejects, naming the state and field', () => {
    expectError(pass({ InputPath: '$.[' }), 'States.P.InputPath', /Invalid JSONPath/);
    // A reference path has no filters or multi-property brackets.
    expectError(JSON.stringify({ StartAt: 'M', States: { M: { Type: 'Map', End: true, ItemsPath: "$.[*].['bucket','key']", ItemProcessor: { StartAt: 'B', States: { B: { Type: 'Pass', End: true } } } } } }), 'States.M.ItemsPath', /asl_ref_path/);
    expectError(pass({ ResultPath: "$.a['x','y']" }), 'States.P.ResultPath', /not a valid ResultPath/);
    expect(errors(jsonata({ Type: 'Pass', Output: '{% $states.input. %}' })).length).toBeGreaterThan(0);
    expect(errors(jsonata({ Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Arguments: { FunctionName: 'f', Payload: '{% ( %}' } }))).not.toEqual([]);
  });
});

describe('locations', () => {
  it.each([
    ['States.ResizeImage.Retry[0].BackoffRate', '/States/ResizeImage/Retry/0/BackoffRate'],
    ['States.P.Parameters.key.$', '/States/P/Parameters/key.$'],
    ["States['a.b'].Parameters['x.y.$']", '/States/a.b/Parameters/x.y.$'],
  ])('%s', (location, pointer) => {
    expect(toJsonPointer(location)).toBe(pointer);
    expect(formatLocation(parseLocation(location))).toBe(location);
  });
});
