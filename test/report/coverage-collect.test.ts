/**
 * Coverage counted from histories, without a run: the sample report's
 * executions (a Parallel that fails and is caught with no exit event, a
 * branch never started) and the pure pieces — the model of a definition,
 * threshold parsing and checking, the console table.
 */
import { describe, expect, it } from 'vitest';
import { RehearseError } from '../../harness/core/index.ts';
import { checkThresholds, computeCoverage, coverageModel, describeMisses, parseThresholds, renderCoverageTable } from '../../harness/report/coverage/index.ts';
import { sampleReport } from './fixture.ts';

describe('coverage from execution histories', () => {
  const coverage = computeCoverage(sampleReport(), '/repo');
  const m = coverage.stateMachines[0]!;

  it('counts, per state machine, each state entered, each transition taken and each branch started', () => {
    expect(coverage.stateMachines.map((x) => x.name)).toEqual(['image-processor']);
    // Only the deployed text is known (no sources recorded): no file, so no lcov record, but still counted.
    expect(m.file).toBeUndefined();
    expect(m.executions).toBe(2);
    expect(Object.fromEntries(m.states.map((s) => [s.path, s.entered]))).toEqual({
      ValidateImage: 2,
      IsValid: 2,
      ProcessImage: 2,
      'ProcessImage/Branches[0]/ResizeImage': 2,
      'ProcessImage/Branches[1]/ApplyFilters': 0,
      NotifySuccess: 0,
      NotifyError: 2,
      Failed: 2,
    });
    expect(Object.fromEntries(m.transitions.map((t) => [t.id, t.taken]))).toEqual({
      'ValidateImage.Next': 2,
      'ValidateImage.Catch[0]': 0,
      'IsValid.Choices[0]': 2,
      'IsValid.Default': 0,
      'ProcessImage.Next': 0,
      // ParallelStateFailed, then NotifyError entered with no ParallelStateExited between: still the Parallel's Catch.
      'ProcessImage.Catch[0]': 2,
      'NotifyError.Next': 2,
    });
    expect(m.containers).toEqual([{ path: 'ProcessImage', type: 'Parallel', branches: [{ index: 0, startAt: 'ResizeImage', entered: 2 }, { index: 1, startAt: 'ApplyFilters', entered: 0 }] }]);
    // ResizeImage was attempted twice, but the definition has no Retry: nothing to credit.
    expect(m.retriers).toEqual([]);
    expect(m.totals).toEqual({
      states: { covered: 6, total: 8 },
      transitions: { covered: 4, total: 7 },
      choices: { covered: 1, total: 2 },
      catches: { covered: 1, total: 2 },
      retries: { covered: 0, total: 0 },
    });
  });

  it('keys nested states by their path and names every rule by its field', () => {
    const model = coverageModel({
      StartAt: 'M',
      States: {
        M: { Type: 'Map', Iterator: { StartAt: 'In', States: { In: { Type: 'Pass', End: true } } }, Next: 'C' },
        C: { Type: 'Choice', Choices: [{ Variable: '$.a', IsPresent: true, Next: 'M' }, { Not: { Variable: '$.a', IsNull: true }, Next: 'E' }], Default: 'E' },
        E: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', Retry: [{ ErrorEquals: ['States.ALL'] }], Catch: [{ ErrorEquals: ['X'], Next: 'M' }], End: true },
      },
    })!;
    expect(model.states.map((s) => s.path)).toEqual(['M', 'M/Iterator/In', 'C', 'E']);
    expect(model.transitions.map((t) => `${t.id} → ${t.to}`)).toEqual(['M.Next → C', 'C.Choices[0] → M', 'C.Choices[1] → E', 'C.Default → E', 'E.Catch[0] → M']);
    expect(model.retriers.map((r) => r.id)).toEqual(['E.Retry[0]']);
    expect(model.transitions.find((t) => t.id === 'C.Choices[1]')!.at).toEqual(['States', 'C', 'Choices', 1]);
    expect(coverageModel('not json')).toBeUndefined();
    // A distributed Map's item processor runs as child executions: its states are not counted.
    const distributed = coverageModel({
      StartAt: 'D',
      States: { D: { Type: 'Map', ItemProcessor: { ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' }, StartAt: 'Child', States: { Child: { Type: 'Pass', End: true } } }, End: true } },
    })!;
    expect(distributed.states.map((s) => s.path)).toEqual(['D']);
    expect(distributed.containers).toEqual([{ path: 'D', name: 'D', type: 'Map', branches: [], distributed: true }]);
  });
});

describe('--coverage-threshold', () => {
  it('reads MEASURE=PERCENT pairs', () => {
    expect(parseThresholds('states=100,transitions=90')).toEqual({ states: 100, transitions: 90 });
    expect(parseThresholds(' choices = 50% , catches=0,retries=12.5')).toEqual({ choices: 50, catches: 0, retries: 12.5 });
  });

  it.each([
    ['states', "'states' is not MEASURE=PERCENT"],
    ['lines=90', "unknown measure 'lines' in 'lines=90' (known: states, transitions, choices, catches, retries)"],
    ['states=abc', "'abc' in 'states=abc' is not a percentage from 0 to 100"],
    ['states=101', "'101' in 'states=101' is not a percentage"],
    ['states=90,states=80', "'states' is given twice"],
    ['', 'expected MEASURE=PERCENT'],
  ])('rejects %j, naming the bad part', (text, message) => {
    let error: unknown;
    try {
      parseThresholds(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RehearseError);
    expect((error as RehearseError).code).toBe('ERR_BAD_INPUT');
    expect((error as Error).message).toContain(message);
  });

  it('names, per state machine and measure, what was missed', () => {
    const coverage = computeCoverage(sampleReport(), '/repo');
    expect(checkThresholds(coverage, { states: 75, transitions: 50 })).toEqual([]);
    const misses = checkThresholds(coverage, { states: 100, catches: 50, retries: 100 });
    expect(describeMisses(misses)).toEqual(['image-processor: states 75.0% < 100%, not entered: ProcessImage/Branches[1]/ApplyFilters, NotifySuccess']);
    expect(describeMisses(checkThresholds(coverage, { choices: 60 }))).toEqual(['image-processor: choices 50.0% < 60%, not taken: IsValid.Default → NotifyError']);
  });
});

describe('the console table', () => {
  it('has one row per state machine, each measure as covered/total and its percentage', () => {
    const lines = renderCoverageTable(computeCoverage(sampleReport(), '/repo')).trimEnd().split('\n');
    expect(lines[0]).toBe('coverage:');
    expect(lines[1]).toMatch(/^state machine\s+runs\s+states\s+transitions\s+choice rules\s+catch\s+retry$/);
    expect(lines[3]!.split(/\s{2,}/)).toEqual(['image-processor', '2', '6/8 75%', '4/7 57%', '1/2 50%', '1/2 50%', '-']);
  });
});
