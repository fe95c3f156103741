/**
 * Runs a (sub-)workflow — the top-level machine, a Parallel branch, a Map
 * iteration — from StartAt until a state ends it. Dispatches on the state type.
 */
import type { CompiledState, Program } from '../definition.ts';
import { EngineError, type Frame } from '../frame.ts';
import { enterState, type Step, type StateRun } from './base.ts';
import { runChoice } from './choice.ts';
import { runFail } from './fail.ts';
import { runMap } from './map.ts';
import { runParallel } from './parallel.ts';
import { runPass } from './pass.ts';
import { runSucceed } from './succeed.ts';
import { runTask } from './task.ts';
import { runWait } from './wait.ts';

function dispatch(run: StateRun): Step | Promise<Step> {
  switch (run.state.type) {
    case 'Pass':
      return runPass(run);
    case 'Task':
      return runTask(run);
    case 'Choice':
      return runChoice(run);
    case 'Wait':
      return runWait(run);
    case 'Succeed':
      return runSucceed(run);
    case 'Fail':
      return runFail(run);
    case 'Parallel':
      return runParallel(run);
    case 'Map':
      return runMap(run);
  }
}

/** Enters and runs one state (TestState runs exactly one). */
export function runState(state: CompiledState, frame: Frame, input: unknown): Step | Promise<Step> {
  return dispatch(enterState(state, frame, input));
}

/** Synchronous states in a row before yielding to other microtasks (executions share one thread). */
const YIELD_EVERY = 256;

export async function runProgram(program: Program, frame: Frame, input: unknown): Promise<unknown> {
  let state: CompiledState = program.states.get(program.startAt)!;
  let value = input;
  let syncSteps = 0;
  for (;;) {
    const r = runState(state, frame, value);
    let step: Step;
    if (r instanceof Promise) {
      step = await r;
      syncSteps = 0;
    } else {
      step = r;
      if (++syncSteps >= YIELD_EVERY) {
        syncSteps = 0;
        await Promise.resolve();
      }
    }
    if (step.next === undefined) return step.output;
    const next = program.states.get(step.next);
    if (next === undefined) throw new EngineError('States.Runtime', `The state '${state.name}' transitions to '${step.next}', which does not exist.`);
    state = next;
    value = step.output;
  }
}
