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

function dispatch(run: StateRun): Promise<Step> {
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

export async function runProgram(program: Program, frame: Frame, input: unknown): Promise<unknown> {
  let state: CompiledState = program.states.get(program.startAt)!;
  let value = input;
  for (;;) {
    const step = await dispatch(enterState(state, frame, value));
    if (step.next === undefined) return step.output;
    const next = program.states.get(step.next);
    if (next === undefined) throw new EngineError('States.Runtime', `The state '${state.name}' transitions to '${step.next}', which does not exist.`);
    state = next;
    value = step.output;
  }
}
