/**
 * The `testState` step: one state of a workflow (or a lone state definition)
 * through the TestState API, with a mock in place of its integration, and the
 * answer checked against `expect` — a state-level unit test that sits beside
 * the end-to-end steps and shows up in the same reports. The state comes
 * from the deployed state machine (DescribeStateMachine), so it is tested
 * exactly as deployed, substitutions applied.
 * https://docs.aws.amazon.com/step-functions/latest/apireference/API_TestState.html
 */
import { DescribeStateMachineCommand, TestStateCommand, type TestStateCommandInput, type TestStateCommandOutput } from '@aws-sdk/client-sfn';
import { checkText } from './matchers.ts';
import type { TestStateStepSpec } from './schema.ts';
import { brief, matchValue, parseMaybeJson } from './value-match.ts';
import type { RunContext } from './steps.ts';
import { StepError } from './steps.ts';
import { listStateMachines } from './executions.ts';

/** Any role will do for a mocked state; AWS needs one only to call a real integration. */
const ROLE = 'arn:aws:iam::123456789012:role/rehearse-test-state';

async function workflowDefinition(ctx: RunContext, workflow: string): Promise<string> {
  const machines = await listStateMachines(ctx.clients.sfn);
  const m = machines.find((x) => x.name === workflow || x.arn === workflow);
  if (!m) throw new StepError(`testState: no state machine named '${workflow}' (deployed: ${machines.map((x) => x.name).join(', ') || 'none'})`);
  const d = await ctx.clients.sfn.send(new DescribeStateMachineCommand({ stateMachineArn: m.arn }));
  return d.definition!;
}

function request(spec: TestStateStepSpec, definition: string): TestStateCommandInput {
  const mock = spec.mock;
  const config = spec.stateConfiguration;
  const readerData = config?.mapItemReaderData;
  const level = spec.inspectionLevel ?? (spec.expect.inspectionData !== undefined ? 'DEBUG' : 'INFO');
  return {
    definition,
    roleArn: ROLE,
    input: JSON.stringify(spec.input ?? {}),
    inspectionLevel: level,
    ...(spec.state !== undefined ? { stateName: spec.state } : {}),
    ...(spec.variables !== undefined ? { variables: JSON.stringify(spec.variables) } : {}),
    ...(spec.context !== undefined ? { context: JSON.stringify(spec.context) } : {}),
    ...(mock !== undefined
      ? {
          mock: {
            ...(mock.result !== undefined ? { result: JSON.stringify(mock.result) } : {}),
            ...(mock.errorOutput !== undefined ? { errorOutput: mock.errorOutput } : {}),
            ...(mock.fieldValidationMode !== undefined ? { fieldValidationMode: mock.fieldValidationMode } : {}),
          },
        }
      : {}),
    ...(config !== undefined
      ? {
          stateConfiguration: {
            ...(config.retrierRetryCount !== undefined ? { retrierRetryCount: config.retrierRetryCount } : {}),
            ...(config.errorCausedByState !== undefined ? { errorCausedByState: config.errorCausedByState } : {}),
            ...(config.mapIterationFailureCount !== undefined ? { mapIterationFailureCount: config.mapIterationFailureCount } : {}),
            ...(readerData !== undefined ? { mapItemReaderData: typeof readerData === 'string' ? readerData : JSON.stringify(readerData) } : {}),
          },
        }
      : {}),
  };
}

/** What differs between the answer and `expect`, one line each. */
export function testStateMismatches(expect: TestStateStepSpec['expect'], out: TestStateCommandOutput): string[] {
  const problems: string[] = [];
  const status = expect.status ?? 'SUCCEEDED';
  if (out.status !== status) problems.push(`status ${out.status}, expected ${status}${out.error ? ` (${out.error}: ${out.cause ?? ''})` : ''}`);
  if (expect.nextState !== undefined && (out.nextState ?? null) !== expect.nextState) {
    problems.push(`nextState ${JSON.stringify(out.nextState ?? null)}, expected ${JSON.stringify(expect.nextState)}`);
  }
  for (const field of ['error', 'cause'] as const) {
    const want = expect[field];
    if (want === undefined) continue;
    const r = checkText(want, out[field]);
    if (!r.ok) problems.push(`${field} ${JSON.stringify(out[field])}, expected ${r.expected}`);
  }
  if (expect.output !== undefined) {
    for (const m of matchValue(expect.output, parseMaybeJson(out.output), '$.output')) problems.push(`${m.path}: ${m.message}`);
  }
  if (expect.inspectionData !== undefined) {
    const data = out.inspectionData as Record<string, unknown> | undefined;
    const actual = Object.fromEntries(Object.entries(data ?? {}).map(([k, v]) => [k, typeof v === 'string' ? parseMaybeJson(v) : v]));
    for (const m of matchValue(expect.inspectionData, actual, '$.inspectionData')) problems.push(`${m.path}: ${m.message}`);
  }
  return problems;
}

export async function runTestStateStep(ctx: RunContext, spec: TestStateStepSpec): Promise<string> {
  const what = spec.state ?? 'the given state';
  let definition: string;
  if (spec.definition !== undefined) definition = JSON.stringify(spec.definition);
  else {
    const workflow = spec.workflow ?? ctx.workflow;
    if (workflow === undefined) throw new StepError('testState needs a workflow (step or scenario `workflow`) or a `definition`');
    definition = await workflowDefinition(ctx, workflow);
  }
  let out: TestStateCommandOutput;
  try {
    out = await ctx.clients.sfn.send(new TestStateCommand(request(spec, definition)), { abortSignal: ctx.signal });
  } catch (e) {
    const code = (e as { name?: string }).name ?? 'Error';
    const message = (e as Error).message;
    const rejected = spec.expect.rejected;
    if (rejected === undefined) throw new StepError(`TestState of ${what} was refused: ${code}: ${message}`);
    if (code !== rejected.code) throw new StepError(`TestState of ${what} was refused with ${code}: ${message}, expected ${rejected.code}`);
    if (rejected.message !== undefined && !checkText(rejected.message, message).ok) {
      throw new StepError(`TestState of ${what} was refused with the message ${JSON.stringify(message)}, expected ${checkText(rejected.message, message).expected}`);
    }
    return `TestState of ${what} refused with ${code}, as expected`;
  }
  if (spec.expect.rejected !== undefined) throw new StepError(`TestState of ${what} answered ${out.status}, expected a ${spec.expect.rejected.code} refusal`);
  const problems = testStateMismatches(spec.expect, out);
  if (problems.length > 0) throw new StepError(`TestState of ${what}: ${problems.join('; ')}`);
  return `TestState of ${what}: ${out.status}${out.nextState ? ` → ${out.nextState}` : ''}${out.output !== undefined ? ` ${brief(parseMaybeJson(out.output), 80)}` : ''}`;
}
