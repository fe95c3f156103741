/**
 * Step Functions' own events on the default event bus: a `Step Functions
 * Execution Status Change` (source `aws.states`) when a Standard execution
 * starts (RUNNING) and when it ends (SUCCEEDED, FAILED, TIMED_OUT, ABORTED).
 * Express executions send none, as on AWS.
 * https://docs.aws.amazon.com/step-functions/latest/dg/eventbridge-integration.html
 */
import type { ExecutionSnapshot } from '../../asl/index.ts';
import type { EventPublisher } from '../service-deps.ts';

export function statusChangeDetail(s: ExecutionSnapshot): Record<string, unknown> {
  const ended = s.status !== 'RUNNING';
  return {
    executionArn: s.executionArn,
    stateMachineArn: s.stateMachineArn,
    name: s.name,
    status: s.status,
    startDate: s.startDate,
    stopDate: ended ? (s.stopDate ?? null) : null,
    input: s.input,
    output: s.output ?? null,
    inputDetails: { included: true },
    outputDetails: s.output === undefined ? null : { included: true },
    error: s.error ?? null,
    cause: s.cause ?? null,
    redriveCount: 0,
    redriveDate: null,
    redriveStatus: s.status === 'RUNNING' || s.status === 'SUCCEEDED' ? 'NOT_REDRIVABLE' : 'REDRIVABLE',
  };
}

export function publishStatusChange(publisher: EventPublisher | undefined, s: ExecutionSnapshot): void {
  publisher?.publish({ source: 'aws.states', detailType: 'Step Functions Execution Status Change', detail: statusChangeDetail(s), resources: [s.executionArn] });
}
