import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../harness/cli/main.ts';
import { parseScenario } from '../../harness/scenario/loader.ts';
import { historyToScenario } from '../../harness/scenario/replay.ts';

const FN = (name: string) => `arn:aws:lambda:eu-west-1:123456789012:function:${name}`;

/** get-execution-history output as the AWS CLI prints it: ISO timestamps, optimised lambda:invoke tasks. */
function awsHistory() {
  let id = 0;
  const t = (s: number) => new Date(Date.UTC(2026, 0, 1, 12, 0, s)).toISOString();
  const ev = (type: string, prev: number, s: number, details: Record<string, unknown>) => ({ id: ++id, previousEventId: prev, timestamp: t(s), type, ...details });
  const sched = (fn: string, prev: number, s: number) =>
    ev('TaskScheduled', prev, s, { taskScheduledEventDetails: { resourceType: 'lambda', resource: 'invoke', region: 'eu-west-1', parameters: JSON.stringify({ FunctionName: FN(fn), Payload: {} }) } });
  return {
    events: [
      ev('ExecutionStarted', 0, 0, { executionStartedEventDetails: { input: '{"bucket":"images","key":"raw/cat.jpg"}', roleArn: 'arn:aws:iam::123456789012:role/x' } }),
      ev('TaskStateEntered', 1, 0, { stateEnteredEventDetails: { name: 'ValidateImage', input: '{}' } }),
      sched('validate-image', 2, 0),
      ev('TaskSucceeded', 3, 1, { taskSucceededEventDetails: { output: '{}' } }),
      ev('TaskStateExited', 4, 1, { stateExitedEventDetails: { name: 'ValidateImage', output: '{}' } }),
      ev('TaskStateEntered', 5, 1, { stateEnteredEventDetails: { name: 'ResizeImage', input: '{}' } }),
      sched('resize-image', 6, 1),
      ev('TaskFailed', 7, 2, { taskFailedEventDetails: { error: 'Lambda.TooManyRequestsException', cause: 'Rate exceeded' } }),
      sched('resize-image', 8, 5),
      ev('TaskFailed', 9, 6, { taskFailedEventDetails: { error: 'Lambda.TooManyRequestsException', cause: 'Rate exceeded' } }),
      sched('resize-image', 10, 10),
      ev('TaskFailed', 11, 11, { taskFailedEventDetails: { error: 'ImageProcessingError', cause: JSON.stringify({ errorType: 'ImageProcessingError', errorMessage: 'vips: out of memory' }) } }),
      ev('TaskStateExited', 12, 11, { stateExitedEventDetails: { name: 'ResizeImage' } }),
      ev('TaskStateEntered', 13, 11, { stateEnteredEventDetails: { name: 'NotifyError', input: '{}' } }),
      sched('notify-error', 14, 11),
      ev('TaskSucceeded', 15, 12, { taskSucceededEventDetails: { output: '{}' } }),
      ev('TaskStateExited', 16, 12, { stateExitedEventDetails: { name: 'NotifyError', output: '{}' } }),
      ev('ExecutionFailed', 17, 12, { executionFailedEventDetails: { error: 'ImageProcessingError', cause: 'vips: out of memory' } }),
    ],
  };
}

const DESCRIBE = {
  executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:image-processor:incident-42',
  stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:image-processor',
  name: 'incident-42',
  status: 'FAILED',
  input: '{"bucket":"images","key":"raw/cat.jpg"}',
};

describe('replay', () => {
  it('turns a recorded failure into faults at the same invocation numbers and the recorded end as expectations', () => {
    const { scenario, yaml } = historyToScenario({ events: awsHistory().events, execution: DESCRIBE });
    expect(scenario.workflow).toBe('image-processor');
    expect(scenario.given?.faults).toEqual([
      { function: 'resize-image', invocations: '1-2', throw: { errorType: 'Lambda.TooManyRequestsException', message: 'Rate exceeded' } },
      { function: 'resize-image', invocations: [3], throw: { errorType: 'ImageProcessingError', message: 'vips: out of memory' } },
    ]);
    expect(scenario.when).toEqual([{ start: { input: { bucket: 'images', key: 'raw/cat.jpg' }, as: 'replayed' } }, { await: { execution: 'replayed' } }]);
    expect(scenario.then).toEqual({
      execution: { of: 'replayed', status: 'FAILED', error: 'ImageProcessingError' },
      path: ['ValidateImage', 'ResizeImage', 'NotifyError'],
      states: { ResizeImage: { attempts: 3 } },
    });
    expect(yaml.startsWith('# yaml-language-server: $schema=./scenario.schema.json\n')).toBe(true);
    expect(parseScenario(yaml, 'replayed.yaml').name).toBe('replay of incident-42');
  });

  it('`rehearse replay` writes a loadable scenario; bad input exits 2 with the reason', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'replay-'));
    await writeFile(join(dir, 'history.json'), JSON.stringify(awsHistory()));
    await writeFile(join(dir, 'execution.json'), JSON.stringify(DESCRIBE));
    await writeFile(join(dir, 'def.asl.json'), JSON.stringify({ StartAt: 'ValidateImage', States: { ValidateImage: { Type: 'Pass', End: true } } }));
    let out = '';
    let err = '';
    const io = {
      stdout: new Writable({ write(c, _e, cb) { out += String(c); cb(); } }),
      stderr: new Writable({ write(c, _e, cb) { err += String(c); cb(); } }),
      cwd: dir,
      env: {},
      isTTY: false,
    };
    expect(await main(['replay', 'history.json', '--execution', 'execution.json', '--definition', 'def.asl.json', '--out', 'incident.yaml'], io)).toBe(0);
    const spec = parseScenario(await readFile(join(dir, 'incident.yaml'), 'utf8'), 'incident.yaml');
    expect(spec.definition).toBe('def.asl.json');
    expect(spec.then.path).toEqual(['ValidateImage']);
    await writeFile(join(dir, 'bad.json'), '{"nope": 1}');
    expect(await main(['replay', 'bad.json'], io)).toBe(2);
    expect(err).toBe('rehearse replay: bad.json has no "events" array (expected get-execution-history output)\n');
    expect(out).toContain('wrote');
  });
});
