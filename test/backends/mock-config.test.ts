/**
 * Fault plans → Step Functions Local MockConfigFile, checked against AWS's
 * documented format ("Configuration File for Mocked Service Integrations"):
 * test cases keyed by Task state name, 0-based "0" / "1-2" attempt keys,
 * each entry exactly one Return or Throw{Error, Cause}.
 */
import { describe, expect, it } from 'vitest';
import { AWS_EXAMPLE_MOCK_CONFIG } from '../support/lambda-sqs-example.ts';
import {
  attemptKeys,
  buildMockConfig,
  functionNameOf,
  mockedExecutionTarget,
  mockTestCaseName,
  serializeMockConfig,
  validateMockConfig,
  type MockTestCase,
} from '../../harness/backends/mock-config.ts';

const ARN = (name: string) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;

/** The state machine from AWS's mocked-integration example (LambdaSQSIntegration). */
const LAMBDA_SQS = {
  StartAt: 'LambdaState',
  States: {
    LambdaState: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { 'Payload.$': '$', FunctionName: ARN('HelloWorldFunction') },
      Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 2, MaxAttempts: 3, BackoffRate: 2 }],
      Next: 'SQSState',
    },
    SQSState: { Type: 'Task', Resource: 'arn:aws:states:::sqs:sendMessage', Parameters: { QueueUrl: 'q', 'MessageBody.$': '$' }, End: true },
  },
};

/** A shape like workflows/image-processor: a resize task with throttling retries, inside and outside a Map. */
const IMAGE_PROCESSOR = {
  StartAt: 'ValidateImage',
  States: {
    ValidateImage: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: 'validate-image', 'Payload.$': '$' },
      Catch: [{ ErrorEquals: ['InvalidImage'], Next: 'Rejected' }],
      Next: 'Sizes',
    },
    Sizes: {
      Type: 'Map',
      ItemsPath: '$.sizes',
      MaxConcurrency: 1,
      ItemProcessor: {
        StartAt: 'ResizeImage',
        States: {
          ResizeImage: {
            Type: 'Task',
            Resource: 'arn:aws:states:::lambda:invoke',
            Parameters: { FunctionName: `${ARN('resize-image')}:live`, 'Payload.$': '$' },
            Retry: [{ ErrorEquals: ['Lambda.TooManyRequestsException'], IntervalSeconds: 3, MaxAttempts: 2, BackoffRate: 1.5 }],
            End: true,
          },
        },
      },
      Next: 'Notify',
    },
    Notify: { Type: 'Task', Resource: ARN('notify'), Retry: [{ ErrorEquals: ['States.TaskFailed'], MaxAttempts: 1 }], End: true },
    Rejected: { Type: 'Fail', Error: 'Rejected' },
  },
};

const one = (c: Omit<MockTestCase, 'stateMachineName' | 'testCaseName'> & Partial<MockTestCase>) =>
  buildMockConfig([{ stateMachineName: 'sm', testCaseName: 'case', ...c }]);

describe('buildMockConfig', () => {
  it("reproduces AWS's own RetryPath example from the equivalent fault plan", () => {
    const build = buildMockConfig([
      {
        stateMachineName: 'LambdaSQSIntegration',
        testCaseName: 'RetryPath',
        definition: JSON.stringify(LAMBDA_SQS),
        faults: {
          functions: [
            { function: 'HelloWorldFunction', invocations: [1], throw: { errorType: 'Lambda.ResourceNotReadyException', message: 'Lambda resource is not ready.' } },
            { function: 'HelloWorldFunction', invocations: '2-3', throw: { errorType: 'Lambda.TimeoutException', message: 'Lambda timed out.' } },
          ],
        },
        returns: { HelloWorldFunction: { StatusCode: 200, body: 'Hello from Lambda!' } },
      },
    ]);
    expect(build.skipped).toEqual([]);
    expect(build.config.StateMachines).toEqual({
      LambdaSQSIntegration: { TestCases: { RetryPath: { LambdaState: 'LambdaSQSIntegration.RetryPath.LambdaState' } } },
    });
    // AWS's documented MockedLambdaRetry, plus the ExecutedVersion a real lambda:invoke result carries.
    expect(build.config.MockedResponses['LambdaSQSIntegration.RetryPath.LambdaState']).toEqual({
      '0': { Throw: { Error: 'Lambda.ResourceNotReadyException', Cause: 'Lambda resource is not ready.' } },
      '1-2': { Throw: { Error: 'Lambda.TimeoutException', Cause: 'Lambda timed out.' } },
      '3': { Return: { ExecutedVersion: '$LATEST', StatusCode: 200, Payload: { StatusCode: 200, body: 'Hello from Lambda!' } } },
    });
    expect(build.testCases).toEqual([{ stateMachineName: 'LambdaSQSIntegration', testCaseName: 'RetryPath', mockedStates: ['LambdaState'] }]);
    expect(validateMockConfig(build.config)).toEqual([]);
    // The file lists attempts in order, as AWS's example does, and parses back to the same config.
    const text = serializeMockConfig(build.config);
    expect(JSON.parse(text)).toEqual(build.config);
    expect(text.indexOf('"0"')).toBeLessThan(text.indexOf('"1-2"'));
    expect(text.indexOf('"1-2"')).toBeLessThan(text.indexOf('"3"'));
    expect(serializeMockConfig({ StateMachines: {}, MockedResponses: {} })).toBe('{\n  "StateMachines": {},\n  "MockedResponses": {}\n}\n');
  });

  it('skips, with the reason, a plan that leaves a later attempt to the real function and gives no return value', () => {
    const build = one({
      definition: LAMBDA_SQS,
      faults: { functions: [{ function: 'HelloWorldFunction', invocations: [1, 2], throw: { errorType: 'Lambda.TooManyRequestsException' } }] },
    });
    expect(build.config).toEqual({ StateMachines: {}, MockedResponses: {} });
    expect(build.skipped).toHaveLength(1);
    expect(build.skipped[0]!.reason).toMatch(/call 3 of HelloWorldFunction \(state LambdaState\) would run the real function/);
    expect(build.skipped[0]!.reason).toMatch(/mocked response for every invocation/);
  });

  it('needs no return value when the faults exhaust the retries (the Catch or the failure takes over)', () => {
    const build = one({
      definition: LAMBDA_SQS,
      faults: { functions: [{ function: 'HelloWorldFunction', throw: { errorType: 'Lambda.ServiceException', message: 'down' } }] },
    });
    expect(build.skipped).toEqual([]);
    // 1 attempt + MaxAttempts 3 = 4 calls, all throwing: one range.
    expect(build.config.MockedResponses['sm.case.LambdaState']).toEqual({ '0-3': { Throw: { Error: 'Lambda.ServiceException', Cause: 'down' } } });
  });

  it('stops at the first fault no retrier matches, and shapes a function error like the Lambda integration does', () => {
    const build = one({
      definition: IMAGE_PROCESSOR,
      faults: { functions: [{ function: 'validate-image', invocations: [1], throw: { errorType: 'InvalidImage', message: 'not a JPEG' } }] },
    });
    expect(build.skipped).toEqual([]);
    const responses = build.config.MockedResponses['sm.case.ValidateImage']!;
    expect(attemptKeys(responses)).toEqual(['0']);
    const thrown = (responses['0'] as { Throw: { Error: string; Cause: string } }).Throw;
    expect(thrown.Error).toBe('InvalidImage');
    expect(JSON.parse(thrown.Cause)).toEqual({ errorType: 'InvalidImage', errorMessage: 'not a JPEG', trace: [] });
  });

  it('maps timeouts and crashes to the errors AWS reports for them', () => {
    const build = one({
      definition: IMAGE_PROCESSOR,
      faults: {
        functions: [
          { function: 'notify', invocations: [1], timeout: true },
          { function: 'notify', invocations: [2], crash: true },
        ],
      },
    });
    const responses = build.config.MockedResponses['sm.case.Notify']!;
    // A function-ARN resource: States.TaskFailed retrier (MaxAttempts 1) → 2 calls, both faulted.
    expect(attemptKeys(responses)).toEqual(['0', '1']);
    expect((responses['0'] as { Throw: { Error: string } }).Throw.Error).toBe('Sandbox.Timedout');
    expect((responses['1'] as { Throw: { Error: string } }).Throw.Error).toBe('Runtime.ExitError');
  });

  it('ranks a `return` on every call as the Lambda service does: above a crash, and above the case default', () => {
    const build = one({
      definition: IMAGE_PROCESSOR,
      faults: {
        functions: [
          { function: 'notify', return: { sent: 'stub' } },
          { function: 'notify', invocations: [1], crash: true },
        ],
      },
      returns: { notify: { sent: 'case default' } },
    });
    // The emulator answers call 1 with the return (the handler never runs, so it cannot crash).
    expect(build.config.MockedResponses['sm.case.Notify']).toEqual({ '0': { Return: { sent: 'stub' } } });
  });

  it('returns the bare payload for a function-ARN resource and {StatusCode, Payload} for lambda:invoke', () => {
    const build = one({
      definition: IMAGE_PROCESSOR,
      faults: { functions: [{ function: 'notify', invocations: [1], throw: { errorType: 'Boom' } }] },
      returns: { notify: { sent: true } },
    });
    expect(build.config.MockedResponses['sm.case.Notify']).toEqual({
      '0': { Throw: { Error: 'Boom', Cause: JSON.stringify({ errorType: 'Boom', errorMessage: '', trace: [] }) } },
      '1': { Return: { sent: true } },
    });
  });

  it('covers the later iterations of a state inside a Map with one range', () => {
    const build = one({
      definition: IMAGE_PROCESSOR,
      faults: { functions: [{ function: 'resize-image', invocations: ['1-2'], throw: { errorType: 'Lambda.TooManyRequestsException', message: 'Rate exceeded' } }] },
      returns: { 'resize-image': { width: 800 } },
    });
    expect(build.skipped).toEqual([]);
    const responses = build.config.MockedResponses['sm.case.ResizeImage']!;
    expect(attemptKeys(responses)).toEqual(['0-1', '2-10001']);
    expect(responses['2-10001']).toEqual({ Return: { ExecutedVersion: '$LATEST', StatusCode: 200, Payload: { width: 800 } } });
    expect(validateMockConfig(build.config)).toEqual([]);
  });

  it('skips what a mock cannot express, naming it', () => {
    const reasons = [
      one({ definition: LAMBDA_SQS, faults: { functions: [{ function: 'HelloWorldFunction', invocations: [1], latencyMs: 5000 }] } }),
      one({ definition: LAMBDA_SQS, faults: { operations: [{ service: 's3', operation: 'GetObject', error: { code: 'SlowDown' } }] } }),
      one({ definition: LAMBDA_SQS, faults: { functions: [{ function: 'thumbnailer', invocations: [1], throw: { errorType: 'X' } }] } }),
      one({ definition: IMAGE_PROCESSOR, faults: { functions: [{ function: 'resize-image', every: 2, throw: { errorType: 'X' } }] } }),
      one({
        definition: { StartAt: 'A', States: { A: { Type: 'Task', Resource: ARN('f'), Next: 'B' }, B: { Type: 'Task', Resource: ARN('f'), End: true } } },
        faults: { functions: [{ function: 'f', invocations: [1], throw: { errorType: 'X' } }] },
      }),
      one({
        definition: { StartAt: 'A', States: { A: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Parameters: { 'FunctionName.$': '$.fn' }, End: true } } },
        faults: { functions: [{ function: 'f', invocations: [1], throw: { errorType: 'X' } }] },
      }),
      // Matched by payload: a mock numbers the state's calls, so it would fault whichever item came first.
      one({
        definition: IMAGE_PROCESSOR,
        faults: { functions: [{ function: 'resize-image', input: { width: 800 }, invocations: [1], throw: { errorType: 'Lambda.TooManyRequestsException' } }] },
        returns: { 'resize-image': { ok: true } },
      }),
    ].map((b) => b.skipped[0]?.reason);
    expect(reasons[0]).toMatch(/latency.*can only Return or Throw/);
    expect(reasons[1]).toMatch(/operation faults \(s3:GetObject\)/);
    expect(reasons[2]).toMatch(/no Task state of sm invokes thumbnailer/);
    expect(reasons[3]).toMatch(/every call of resize-image.*inside a Map/);
    expect(reasons[4]).toMatch(/f is invoked by 2 states \(A, B\)/);
    expect(reasons[5]).toMatch(/FunctionName is only known at run time/);
    expect(reasons[6]).toMatch(/a fault on resize-image matches calls by their payload \(`input`\); a MockConfigFile .* cannot see payloads/);
  });

  it('puts many scenarios in one file (read once at boot) and refuses duplicate test case names', () => {
    const faults = { functions: [{ function: 'validate-image', invocations: [1], throw: { errorType: 'InvalidImage' } }] };
    const build = buildMockConfig([
      { stateMachineName: 'image-processor', testCaseName: 'rejects-a-gif', definition: IMAGE_PROCESSOR, faults },
      { stateMachineName: 'image-processor', testCaseName: 'no-faults', definition: IMAGE_PROCESSOR, faults: {} },
      { stateMachineName: 'other', testCaseName: 'rejects-a-gif', definition: IMAGE_PROCESSOR, faults },
    ]);
    expect(Object.keys(build.config.StateMachines).sort()).toEqual(['image-processor', 'other']);
    // A scenario without function faults runs unmocked: no test case for it.
    expect(build.testCases.map((t) => `${t.stateMachineName}#${t.testCaseName}`)).toEqual(['image-processor#rejects-a-gif', 'other#rejects-a-gif']);
    expect(validateMockConfig(build.config)).toEqual([]);
    expect(() =>
      buildMockConfig([
        { stateMachineName: 'a', testCaseName: 't', definition: IMAGE_PROCESSOR, faults },
        { stateMachineName: 'a', testCaseName: 't', definition: IMAGE_PROCESSOR, faults },
      ]),
    ).toThrow(/two scenarios map to test case t of a/);
  });
});

describe('naming', () => {
  it('turns scenario names into test case names and execution targets', () => {
    expect(mockTestCaseName('resize survives two throttles')).toBe('resize-survives-two-throttles');
    expect(mockTestCaseName('  Map: 3 items / 2 at once ')).toBe('Map-3-items-2-at-once');
    expect(() => mockTestCaseName('  ')).toThrow(/no characters usable/);
    expect(mockedExecutionTarget('arn:aws:states:us-east-1:123456789012:stateMachine:sm', 'HappyPath')).toBe(
      'arn:aws:states:us-east-1:123456789012:stateMachine:sm#HappyPath',
    );
  });

  it('reads function names from every FunctionName form', () => {
    expect(functionNameOf('resize-image')).toBe('resize-image');
    expect(functionNameOf('resize-image:live')).toBe('resize-image');
    expect(functionNameOf(ARN('resize-image'))).toBe('resize-image');
    expect(functionNameOf(`${ARN('resize-image')}:$LATEST`)).toBe('resize-image');
    expect(functionNameOf('123456789012:function:resize-image')).toBe('resize-image');
  });
});

describe('validateMockConfig (AWS documented rules)', () => {
  it("accepts AWS's documented example file", () => {
    expect(validateMockConfig(AWS_EXAMPLE_MOCK_CONFIG)).toEqual([]);
  });

  it('names each violation', () => {
    const problems = validateMockConfig({
      StateMachines: { sm: { TestCases: { t: { A: 'Missing', B: 'R' } } } },
      MockedResponses: {
        R: { '1': { Return: 1 }, '2-1': { Throw: { Error: 'E' } }, x: { Return: 1, Throw: { Error: 'E', Cause: 'c' } } },
      },
      Extra: true,
    });
    expect(problems).toEqual(
      expect.arrayContaining([
        'unknown top-level field Extra',
        'StateMachines.sm.TestCases.t.A names Missing, which MockedResponses does not define',
        'MockedResponses.R: range 2-1 is empty',
        'MockedResponses.R.2-1.Throw must have string Error and Cause',
        'MockedResponses.R: attempt key "x" must be "N" or "N-M"',
        'MockedResponses.R.x must contain exactly one field, Return or Throw',
        'MockedResponses.R: attempts must be consecutive from 0 (expected 0, got 1)',
      ]),
    );
  });
});
