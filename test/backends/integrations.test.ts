/**
 * The one table of which Task integrations each backend can run: the embedded
 * row follows what the task invoker serves; messages name the state, the
 * integration and the options.
 */
import { describe, expect, it } from 'vitest';
import { cannotRunMessage, integrationSupport, taskIntegration, unrunnableTasks } from '../../harness/backends/integrations.ts';
import { SERVED_SDK_SERVICES } from '../../harness/emulator/stepfunctions/task-invoker.ts';

const arn = (s: string) => `arn:aws:states:::${s}`;

describe('task integrations', () => {
  it('reads every Resource form Step Functions has', () => {
    expect(taskIntegration('arn:aws:lambda:us-east-1:123456789012:function:f')).toMatchObject({ kind: 'lambda-function' });
    expect(taskIntegration(arn('glue:startJobRun.sync'))).toEqual({ kind: 'optimized', service: 'glue', action: 'startJobRun', pattern: 'sync', label: 'glue:startJobRun.sync' });
    expect(taskIntegration(arn('aws-sdk:athena:startQueryExecution'))).toMatchObject({ kind: 'aws-sdk', service: 'athena', label: 'aws-sdk:athena:startQueryExecution' });
    expect(taskIntegration(arn('lambda:invoke.waitForTaskToken'))).toMatchObject({ pattern: 'waitForTaskToken' });
    expect(taskIntegration('arn:aws:states:us-east-1:123456789012:activity:review')).toMatchObject({ kind: 'activity' });
    // Not an optimised integration AWS has: not a Task resource at all (the validator rejects it).
    expect(taskIntegration(arn('s3:getObject'))).toBeUndefined();
  });

  it('embedded runs what its task invoker serves, and nothing else', () => {
    for (const service of SERVED_SDK_SERVICES) expect(integrationSupport('embedded', taskIntegration(arn(`aws-sdk:${service}:anyAction`))!).runs).toBe(true);
    expect(integrationSupport('embedded', taskIntegration(arn('lambda:invoke'))!).runs).toBe(true);
    expect(integrationSupport('embedded', taskIntegration(arn('states:startExecution.sync:2'))!).runs).toBe(true);
    for (const r of ['batch:submitJob.sync', 'glue:startJobRun', 'ecs:runTask.sync', 'athena:startQueryExecution', 'apigateway:invoke', 'bedrock:invokeModel', 'aws-sdk:athena:getQueryResults']) {
      const support = integrationSupport('embedded', taskIntegration(arn(r))!);
      expect(support.runs, r).toBe(false);
    }
    expect(integrationSupport('stepfunctions-local', taskIntegration(arn('aws-sdk:s3:getObject'))!)).toMatchObject({ runs: false, reason: expect.stringMatching(/aws-sdk/) });
    expect(integrationSupport('localstack', taskIntegration(arn('sqs:sendMessage'))!).runs).toBe(true);
  });

  it('finds unrunnable Tasks inside Parallel branches and Map processors, naming state, integration and options', () => {
    const definition = {
      StartAt: 'P',
      States: {
        P: {
          Type: 'Parallel',
          End: true,
          Branches: [
            { StartAt: 'Glue', States: { Glue: { Type: 'Task', Resource: arn('glue:startJobRun.sync'), End: true } } },
            { StartAt: 'M', States: { M: { Type: 'Map', End: true, ItemProcessor: { StartAt: 'Q', States: { Q: { Type: 'Task', Resource: arn('aws-sdk:kinesis:putRecord'), End: true } } } } } },
            { StartAt: 'L', States: { L: { Type: 'Task', Resource: arn('lambda:invoke'), End: true } } },
          ],
        },
      },
    };
    const found = unrunnableTasks(definition, 'embedded');
    expect(found.map((t) => t.state)).toEqual(['Glue', 'Q']);
    expect(found[0]!.message).toBe(cannotRunMessage('embedded', 'Glue', taskIntegration(arn('glue:startJobRun.sync'))!, 'the embedded endpoint does not serve Glue (.sync job runs)'));
    expect(found[0]!.message).toMatch(/^Task Glue calls glue:startJobRun\.sync, which the embedded endpoint cannot run: .*Give the scenario a fault .*state: Glue.*no backend rehearse starts has it$/);
    expect(found[1]!.message).toMatch(/--backend localstack/);
  });
});
