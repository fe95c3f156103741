/**
 * Which state a history event belongs to (history lines in failure text, the
 * HTML timeline): a Parallel's or Map's own events belong to it, not to the
 * state inside it that their previousEventId chain passes first.
 */
import { describe, expect, it } from 'vitest';
import type { HistoryEvent } from '../../harness/asl/index.ts';
import { indexHistory, stateOf } from '../../harness/scenario/history.ts';

function build(spec: Array<[type: string, name?: string]>): HistoryEvent[] {
  // Each event follows the one before it, as a linear history does.
  return spec.map(([type, name], i) => ({
    id: i + 1,
    previousEventId: i,
    timestamp: 0,
    type,
    ...(name !== undefined ? { [type.endsWith('Entered') ? 'stateEnteredEventDetails' : 'stateExitedEventDetails']: { name } } : {}),
  })) as HistoryEvent[];
}

describe('stateOf', () => {
  it('names the Parallel for ParallelStateFailed after a failed branch, and the Map for its iterations, nested ones included', () => {
    const events = build([
      ['ExecutionStarted'],
      ['ParallelStateEntered', 'ProcessImage'],
      ['ParallelStateStarted'],
      ['TaskStateEntered', 'ResizeImage'],
      ['TaskScheduled'],
      ['TaskFailed'],
      ['ParallelStateFailed'],
      ['MapStateEntered', 'EachImage'],
      ['MapStateStarted'],
      ['MapIterationStarted'],
      ['ParallelStateEntered', 'Inner'],
      ['ParallelStateStarted'],
      ['PassStateEntered', 'Leaf'],
      ['PassStateExited', 'Leaf'],
      ['ParallelStateSucceeded'],
      ['ParallelStateExited', 'Inner'],
      ['MapIterationSucceeded'],
      ['MapStateSucceeded'],
      ['MapStateExited', 'EachImage'],
    ]);
    const index = indexHistory(events);
    const owner = (type: string, nth = 0) => stateOf(index, events.filter((e) => e.type === type)[nth]!);
    expect(owner('TaskFailed')).toBe('ResizeImage');
    expect(owner('ParallelStateFailed')).toBe('ProcessImage');
    expect(owner('MapIterationStarted')).toBe('EachImage');
    expect(owner('ParallelStateSucceeded')).toBe('Inner');
    expect(owner('MapIterationSucceeded')).toBe('EachImage');
    expect(owner('MapStateSucceeded')).toBe('EachImage');
  });
});
