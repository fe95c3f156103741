import { CreateStateMachineCommand, type SFNClient } from '@aws-sdk/client-sfn';

/** An EXPRESS state machine answering `{got: <input.value>}`: StartSyncExecution (host prefix `sync-`) can run it. */
export async function createEchoExpress(sfn: SFNClient): Promise<string> {
  const created = await sfn.send(
    new CreateStateMachineCommand({
      name: 'echo-express',
      type: 'EXPRESS',
      roleArn: 'arn:aws:iam::000000000000:role/StepFunctionsRole',
      definition: JSON.stringify({ StartAt: 'Echo', States: { Echo: { Type: 'Pass', Parameters: { 'got.$': '$.value' }, End: true } } }),
    }),
  );
  return created.stateMachineArn!;
}
