/** The capability table the scenario runner consults: what each backend honours, and the skip reason when it does not. */
import { describe, expect, it } from 'vitest';
import { BACKEND_CAPABILITIES, capabilityTable, NEEDS, skipReason, unsupported, unsupportedReason } from '../../harness/backends/capabilities.ts';
import { NO_CONTROL_API } from '../../harness/backends/endpoint.ts';

const embedded = { name: 'embedded' as const, capabilities: BACKEND_CAPABILITIES.embedded };
const localstack = { name: 'localstack' as const, capabilities: BACKEND_CAPABILITIES.localstack };
const sfnLocal = { name: 'stepfunctions-local' as const, capabilities: BACKEND_CAPABILITIES['stepfunctions-local'] };
const bareEndpoint = { name: 'endpoint' as const, capabilities: NO_CONTROL_API };

describe('capabilities', () => {
  it('the embedded endpoint honours everything', () => {
    expect(unsupported(embedded, NEEDS)).toEqual([]);
    expect(skipReason(embedded, NEEDS)).toBeUndefined();
  });

  it('virtual time exists only on the embedded endpoint, and --real-time says so', () => {
    expect(unsupportedReason(localstack, 'virtual-time')).toMatch(/LocalStack runs on wall-clock time.*--backend embedded/);
    expect(unsupportedReason(sfnLocal, 'virtual-time')).toMatch(/Step Functions Local runs on wall-clock time/);
    expect(unsupportedReason({ name: 'embedded', capabilities: { ...BACKEND_CAPABILITIES.embedded, virtualTime: false } }, 'virtual-time')).toBe('virtual time is off (--real-time)');
  });

  it('LocalStack: faults through a mock config (no latency), no operation faults, no observations', () => {
    expect(unsupportedReason(localstack, 'function-fault.throw')).toBeUndefined();
    expect(unsupportedReason(localstack, 'function-fault.timeout')).toBeUndefined();
    expect(unsupportedReason(localstack, 'function-fault.latency')).toMatch(/MockConfigFile.*only Return or Throw/);
    expect(unsupportedReason(localstack, 'function-fault.input')).toMatch(/MockConfigFile.*cannot match a fault's `input` payload/);
    expect(unsupportedReason(sfnLocal, 'function-fault.input')).toBeUndefined();
    expect(unsupportedReason(bareEndpoint, 'function-fault.input')).toMatch(/no way to inject function faults/);
    expect(unsupportedReason(localstack, 'operation-fault')).toMatch(/no API to make S3\/Secrets Manager\/SNS operations fail/);
    expect(unsupportedReason(localstack, 'observation.invocations')).toMatch(/does not report invocations/);
    expect(unsupportedReason(localstack, 'jsonata')).toBeUndefined();
  });

  it('Step Functions Local: control-API faults and Lambda observations via rehearse, but no Map concurrency, JSONata or aws-sdk tasks', () => {
    expect(unsupportedReason(sfnLocal, 'function-fault.latency')).toBeUndefined();
    expect(unsupportedReason(sfnLocal, 'observation.function-concurrency')).toBeUndefined();
    expect(unsupportedReason(sfnLocal, 'observation.map-concurrency')).toMatch(/runs the Map state itself/);
    expect(unsupportedReason(sfnLocal, 'jsonata')).toMatch(/predates JSONata/);
    expect(unsupportedReason(sfnLocal, 'aws-sdk-integrations')).toMatch(/aws-sdk/);
  });

  it('an endpoint without the control API can only run what the AWS APIs can check', () => {
    const missing = unsupported(bareEndpoint, NEEDS).map((m) => m.need);
    expect(missing).toEqual(expect.arrayContaining(['virtual-time', 'function-fault.throw', 'operation-fault', 'observation.logs', 'local-code-directories']));
    expect(missing).not.toContain('jsonata');
  });

  it('joins the reasons into one skip line and ignores repeats', () => {
    const reason = skipReason(localstack, ['virtual-time', 'virtual-time', 'operation-fault', 'function-fault.throw']);
    expect(reason).toMatch(/^skipped on localstack: LocalStack runs on wall-clock time.*; LocalStack has no API to make/);
    expect(reason!.match(/wall-clock/g)).toHaveLength(1);
  });

  it('the table has a row per need and a column per started backend', () => {
    const table = capabilityTable();
    expect(table.map((r) => r.need)).toEqual([...NEEDS]);
    expect(table.every((r) => r.embedded === 'yes')).toBe(true);
    expect(table.find((r) => r.need === 'jsonata')!['stepfunctions-local']).toMatch(/predates JSONata/);
  });
});
