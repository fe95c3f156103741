/** A small RunReport: one passed, one failed (ResizeImage retried, then NotifyError), one skipped. */
import type { HistoryEvent } from '../../harness/asl/api.ts';
import type { RunReport, ScenarioResult } from '../../harness/scenario/results.ts';

const T0 = 1_700_000_000_000;

export const DEFINITION = JSON.stringify({
  StartAt: 'ValidateImage',
  States: {
    ValidateImage: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Next: 'IsValid', Catch: [{ ErrorEquals: ['States.ALL'], Next: 'NotifyError' }] },
    IsValid: { Type: 'Choice', Choices: [{ Variable: '$.ok', BooleanEquals: true, Next: 'ProcessImage' }], Default: 'NotifyError' },
    ProcessImage: {
      Type: 'Parallel',
      Branches: [
        { StartAt: 'ResizeImage', States: { ResizeImage: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', End: true } } },
        { StartAt: 'ApplyFilters', States: { ApplyFilters: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', End: true } } },
      ],
      Next: 'NotifySuccess',
      Catch: [{ ErrorEquals: ['States.ALL'], Next: 'NotifyError' }],
    },
    NotifySuccess: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', End: true },
    NotifyError: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Next: 'Failed' },
    Failed: { Type: 'Fail', Error: 'ImageFailed' },
  },
});

function history(): HistoryEvent[] {
  let id = 0;
  const ev = (type: string, prev: number, t: number, details: Record<string, unknown> = {}): HistoryEvent => ({ id: ++id, previousEventId: prev, timestamp: T0 + t, type, ...details });
  return [
    ev('ExecutionStarted', 0, 0),
    ev('TaskStateEntered', 1, 0, { stateEnteredEventDetails: { name: 'ValidateImage', input: '{}' } }),
    ev('TaskScheduled', 2, 0),
    ev('TaskSucceeded', 3, 5),
    ev('TaskStateExited', 4, 5, { stateExitedEventDetails: { name: 'ValidateImage', output: '{"ok":true}' } }),
    ev('ChoiceStateEntered', 5, 5, { stateEnteredEventDetails: { name: 'IsValid', input: '{}' } }),
    ev('ChoiceStateExited', 6, 5, { stateExitedEventDetails: { name: 'IsValid', output: '{}' } }),
    ev('ParallelStateEntered', 7, 5, { stateEnteredEventDetails: { name: 'ProcessImage', input: '{}' } }),
    ev('TaskStateEntered', 8, 5, { stateEnteredEventDetails: { name: 'ResizeImage', input: '{}' } }),
    ev('TaskScheduled', 9, 5),
    ev('TaskFailed', 10, 10, { taskFailedEventDetails: { error: 'Lambda.TooManyRequestsException', cause: 'throttled' } }),
    ev('TaskScheduled', 11, 3010),
    ev('TaskFailed', 12, 3020, { taskFailedEventDetails: { error: 'States.TaskFailed', cause: 'resize exploded <script>' } }),
    ev('ParallelStateFailed', 13, 3020, { executionFailedEventDetails: { error: 'States.TaskFailed' } }),
    ev('TaskStateEntered', 14, 3020, { stateEnteredEventDetails: { name: 'NotifyError', input: '{}' } }),
    ev('TaskScheduled', 15, 3020),
    ev('TaskSucceeded', 16, 3025),
    ev('TaskStateExited', 17, 3025, { stateExitedEventDetails: { name: 'NotifyError', output: '{}' } }),
    ev('FailStateEntered', 18, 3025, { stateEnteredEventDetails: { name: 'Failed', input: '{}' } }),
    ev('ExecutionFailed', 19, 3025, { executionFailedEventDetails: { error: 'ImageFailed', cause: 'resize exploded' } }),
  ];
}

// A 2×2 red PNG.
const PNG = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEklEQVR4nGP4z8DAwMDAxMDAAAAeAQJqn5y9AAAAAElFTkSuQmCC';

const failed: ScenarioResult = {
  file: '/repo/scenarios/resize-fails.yaml',
  name: 'resize fails permanently',
  workflow: 'image-processor',
  status: 'failed',
  durationMs: 1234,
  virtualSeconds: 3.025,
  seed: '7/resize-fails.yaml#resize fails permanently',
  steps: [{ id: 'when[0]', action: 'upload', label: 'upload', status: 'passed', message: 'put', durationMs: 12 }],
  checks: [
    { id: 'then.execution.status', status: 'failed', message: 'expected status SUCCEEDED, got FAILED', expected: 'SUCCEEDED', actual: 'FAILED', where: { execution: 'exec-1', state: 'ResizeImage', eventId: 13, atSeconds: 3.02 } },
    { id: 'then.states.ResizeImage.attempts', status: 'passed', message: 'ResizeImage: 2 attempt(s)' },
  ],
  executions: [
    {
      name: 'exec-1',
      executionArn: 'arn:aws:states:us-east-1:123456789012:execution:image-processor:exec-1',
      stateMachineArn: 'arn:aws:states:us-east-1:123456789012:stateMachine:image-processor',
      workflow: 'image-processor',
      status: 'FAILED',
      error: 'ImageFailed',
      cause: 'resize exploded',
      startDate: T0,
      stopDate: T0 + 3025,
      history: history(),
      definition: DEFINITION,
    },
  ],
  images: [
    { bucket: 'images', key: 'raw/cat.png', role: 'input', format: 'png', width: 2, height: 2, bytes: 70, thumbnail: PNG },
    { bucket: 'images', key: 'resized/raw/cat.png', role: 'output', format: 'png', width: 2, height: 2, bytes: 70, thumbnail: PNG },
  ],
  logs: [{ functionName: 'resize-image', invocations: [{ requestId: 'req-1', logs: 'ERROR resize exploded\n', error: 'States.TaskFailed' }] }],
};

export function sampleReport(): RunReport {
  const passed: ScenarioResult = { ...failed, file: '/repo/scenarios/ok.yaml', name: 'happy & <fine>', status: 'passed', checks: [{ id: 'then.execution.status', status: 'passed', message: 'status SUCCEEDED' }], logs: [], images: [] };
  const skipped: ScenarioResult = { ...failed, file: '/repo/scenarios/ok.yaml', name: 'needs docker', status: 'skipped', reason: 'skipped on localstack: no observations', checks: [], executions: [], logs: [], images: [] };
  return { schemaVersion: 1, backend: 'embedded', seed: '7', durationMs: 2500, summary: { total: 3, passed: 1, failed: 1, skipped: 1, errors: 0 }, scenarios: [failed, passed, skipped] };
}
