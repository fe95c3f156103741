/**
 * Runs one TestState corpus case through the Step Functions service's own
 * TestState operation (harness/emulator/stepfunctions/test-state.ts) on an
 * engine with the corpus' Lambda mocks and a VirtualClock, and compares the
 * answer as the corpus README says: status, nextState and error exactly;
 * output, cause and each recorded inspectionData member exactly except at
 * placeholders; a member the recording lacks must be absent. A rejection
 * must carry the recorded error code (and, for the strict score, message).
 */
import { AwsServiceError, createIdSource, VirtualClock } from '../../../harness/core/index.ts';
import { createEngine } from '../../../harness/asl/index.ts';
import { createServiceModels } from '../../../harness/emulator/stepfunctions/service-models.ts';
import { testState } from '../../../harness/emulator/stepfunctions/test-state.ts';
import { diff, normaliseText, wildcardMatch } from './compare.ts';
import { MockLambdaInvoker } from './mock-invoker.ts';
import type { TestStateCase } from './test-state-cases.ts';

export interface TestStateCaseResult {
  id: string;
  passed: boolean;
  /** Rejections only: the message is AWS's word for word. */
  messageExact?: boolean;
  reasons: string[];
}

const REGION = 'us-east-1';
const ACCOUNT = '111111111111';
const models = createServiceModels();

/** A response member as the recording keeps it: parsed where AWS's text was a JSON object. */
function comparable(actual: unknown, expected: unknown): unknown {
  if (typeof actual !== 'string') return actual;
  const text = normaliseText(actual);
  if (typeof expected === 'object' && expected !== null) {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
  return text;
}

function compareMember(name: string, actual: unknown, expected: unknown, wildcards: ReadonlySet<string>, reasons: string[]): void {
  const a = comparable(actual, expected);
  const d = typeof expected === 'string' && typeof a === 'string' ? (wildcardMatch(a, expected) ? undefined : name) : diff(a, expected, name, wildcards);
  if (d) reasons.push(`${name} differs at ${d}: ${JSON.stringify(a)?.slice(0, 300)} ≠ ${JSON.stringify(expected)?.slice(0, 300)}`);
}

export async function runTestStateCase(c: TestStateCase): Promise<TestStateCaseResult> {
  const clock = new VirtualClock({ start: Date.UTC(2026, 0, 1) });
  const ids = createIdSource(`test-state/${c.id}`);
  const engine = createEngine({ clock, ids, invoker: new MockLambdaInvoker(c.lambda, clock, ids.fork('lambda')), region: REGION, accountId: ACCOUNT });
  const { definitionText, inputText, ...rest } = c.request;
  const request: Record<string, unknown> = { ...rest, definition: definitionText, ...(inputText === undefined ? {} : { input: inputText }) };
  let response: Record<string, unknown> | undefined;
  let rejection: AwsServiceError | undefined;
  try {
    response = (await testState(request, { engine, partition: { region: REGION, accountId: ACCOUNT }, ids, models })) as unknown as Record<string, unknown>;
  } catch (e) {
    if (!(e instanceof AwsServiceError)) return { id: c.id, passed: false, reasons: [`crashed: ${(e as Error).stack ?? String(e)}`] };
    rejection = e;
  }
  const exp = c.expected;
  const reasons: string[] = [];
  if (exp.kind === 'error') {
    if (rejection === undefined) return { id: c.id, passed: false, messageExact: false, reasons: [`not rejected (expected ${exp.error.code}: ${exp.error.message}); answered ${JSON.stringify(response).slice(0, 300)}`] };
    if (rejection.code !== exp.error.code) reasons.push(`code ${rejection.code} ≠ ${exp.error.code}`);
    const messageExact = rejection.message === exp.error.message;
    if (!messageExact) reasons.push(`message ${JSON.stringify(rejection.message)} ≠ ${JSON.stringify(exp.error.message)} (strict score only)`);
    return { id: c.id, passed: rejection.code === exp.error.code, messageExact, reasons };
  }
  if (rejection !== undefined) return { id: c.id, passed: false, reasons: [`rejected: ${rejection.code}: ${rejection.message}`] };
  const actual = response!;
  const expected = exp.response;
  const wildcards = new Set(exp.placeholders.map((p) => p.path));
  for (const key of ['status', 'nextState', 'error']) {
    if (actual[key] !== expected[key]) reasons.push(`${key} ${JSON.stringify(actual[key])} ≠ ${JSON.stringify(expected[key])}${key === 'status' && actual.cause ? ` (${String(actual.error)}: ${String(actual.cause)})` : ''}`);
  }
  for (const key of ['output', 'cause']) {
    if ((key in actual) !== (key in expected)) reasons.push(`${key} ${key in actual ? 'present' : 'absent'}, recorded ${key in expected ? 'present' : 'absent'}`);
    else if (key in expected) compareMember(`$.${key}`, actual[key], expected[key], wildcards, reasons);
  }
  const aData = (actual.inspectionData ?? {}) as Record<string, unknown>;
  const eData = (expected.inspectionData ?? {}) as Record<string, unknown>;
  for (const key of new Set([...Object.keys(aData), ...Object.keys(eData)])) {
    if (!(key in eData)) reasons.push(`inspectionData.${key} present, not recorded: ${JSON.stringify(aData[key]).slice(0, 200)}`);
    else if (!(key in aData)) reasons.push(`inspectionData.${key} absent, recorded ${JSON.stringify(eData[key]).slice(0, 200)}`);
    else compareMember(`$.inspectionData.${key}`, aData[key], eData[key], wildcards, reasons);
  }
  return { id: c.id, passed: reasons.length === 0, reasons };
}
