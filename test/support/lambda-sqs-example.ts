/**
 * AWS's Step Functions Local example, as "Configuration file for mocked
 * service integrations" and "Testing with mocked service integrations" give
 * it (https://docs.aws.amazon.com/step-functions/latest/dg/sfn-local-mock-cfg-file.html):
 * the LambdaSQSIntegration state machine and its HappyPath, RetryPath and
 * HybridPath test cases, account 123456789012 included.
 */

/** Step Functions Local's account, which the documentation's ARNs use. */
export const ACCOUNT = '123456789012';

/** AWS's example mock configuration file, as the documentation gives it. */
export const AWS_EXAMPLE_MOCK_CONFIG = {
  StateMachines: {
    LambdaSQSIntegration: {
      TestCases: {
        HappyPath: { LambdaState: 'MockedLambdaSuccess', SQSState: 'MockedSQSSuccess' },
        RetryPath: { LambdaState: 'MockedLambdaRetry', SQSState: 'MockedSQSSuccess' },
        HybridPath: { LambdaState: 'MockedLambdaSuccess' },
      },
    },
  },
  MockedResponses: {
    MockedLambdaSuccess: { '0': { Return: { StatusCode: 200, Payload: { StatusCode: 200, body: 'Hello from Lambda!' } } } },
    LambdaMockedResourceNotReady: { '0': { Throw: { Error: 'Lambda.ResourceNotReadyException', Cause: 'Lambda resource is not ready.' } } },
    MockedSQSSuccess: { '0': { Return: { MD5OfMessageBody: '3bcb6e8e-7h85-4375-b0bc-1a59812c6e51', MessageId: '3bcb6e8e-8b51-4375-b0bc-1a59812c6e51' } } },
    MockedLambdaRetry: {
      '0': { Throw: { Error: 'Lambda.ResourceNotReadyException', Cause: 'Lambda resource is not ready.' } },
      '1-2': { Throw: { Error: 'Lambda.TimeoutException', Cause: 'Lambda timed out.' } },
      '3': { Return: { StatusCode: 200, Payload: { StatusCode: 200, body: 'Hello from Lambda!' } } },
    },
  },
};

/** AWS's example state machine (the create-state-machine call's definition). */
export const AWS_EXAMPLE_DEFINITION = {
  Comment: 'This state machine is called: LambdaSQSIntegration',
  StartAt: 'LambdaState',
  States: {
    LambdaState: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { 'Payload.$': '$', FunctionName: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:HelloWorldFunction` },
      Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 2, MaxAttempts: 3, BackoffRate: 2 }],
      Next: 'SQSState',
    },
    SQSState: {
      Type: 'Task',
      Resource: 'arn:aws:states:::sqs:sendMessage',
      Parameters: { QueueUrl: `https://sqs.us-east-1.amazonaws.com/${ACCOUNT}/myQueue`, 'MessageBody.$': '$' },
      End: true,
    },
  },
};

/** The example with its ARNs and queue URL moved to `account` (the embedded endpoint's default is 000000000000). */
export function inAccount<T>(value: T, account: string): T {
  return JSON.parse(JSON.stringify(value).replaceAll(ACCOUNT, account)) as T;
}
