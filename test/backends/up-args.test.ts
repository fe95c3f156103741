/** `rehearse up` option parsing (pure): profiles, clock rules, errors that name the option. */
import { describe, expect, it } from 'vitest';
import { parseUpArgs } from '../../harness/cli/commands/up.ts';

describe('parseUpArgs', () => {
  it('defaults to the rehearse container alone, on virtual time', () => {
    expect(parseUpArgs([])).toEqual({ help: false, profiles: ['rehearse'], build: false, mockConfig: undefined, waitTimeoutSeconds: 180, clock: 'virtual' });
  });

  it('keeps repeated backends once each, and runs rehearse on real time next to Step Functions Local', () => {
    const a = parseUpArgs(['--backend', 'stepfunctions-local', '--backend', 'localstack', '--backend', 'stepfunctions-local', '--build', '--wait-timeout', '60']);
    expect(a).toMatchObject({ profiles: ['stepfunctions-local', 'localstack'], build: true, waitTimeoutSeconds: 60, clock: 'real' });
    expect(parseUpArgs(['--clock', 'real']).clock).toBe('real');
    expect(parseUpArgs(['--mock-config', 'mocks.json']).mockConfig).toBe('mocks.json');
  });

  it('rejects what cannot work, naming the option', () => {
    expect(() => parseUpArgs(['--backend', 'stepfunctions-local', '--clock', 'virtual'])).toThrow(/--clock virtual cannot be used with stepfunctions-local/);
    expect(() => parseUpArgs(['--clock', 'fast'])).toThrow(/--clock fast: expected real or virtual/);
    expect(() => parseUpArgs(['--wait-timeout', '0'])).toThrow(/--wait-timeout 0: expected a whole number of seconds ≥ 1/);
    expect(() => parseUpArgs(['--backend', 'endpoint=http://x'])).toThrow(/`rehearse up` starts one of/);
    expect(() => parseUpArgs(['extra'])).toThrow(/Unexpected argument 'extra'/);
  });
});
