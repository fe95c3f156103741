/**
 * Choice: the first matching rule's Next, else Default, else a States.Runtime
 * failure (AWS reports no-match as States.Runtime; States.NoChoiceMatched is
 * "reserved for future use"). A matched rule's Assign/Output replace the
 * state's own, which apply to the Default transition.
 * https://docs.aws.amazon.com/step-functions/latest/dg/state-choice.html
 */
import { evaluateChoiceRule, evaluateJsonataCondition } from '../expressions.ts';
import { runtimeError } from '../frame.ts';
import type { Step, StateRun } from './base.ts';

type Rule = Record<string, unknown>;

/** JSONPath Choice is synchronous (hot path); JSONata conditions are awaited. */
export function runChoice(run: StateRun): Step | Promise<Step> {
  const eff = run.effectiveInput();
  const choices = (run.raw.Choices ?? []) as Rule[];
  if (run.jsonata) return chooseJsonata(run, eff, choices);
  const scope = run.pathScope(eff);
  for (const rule of choices) {
    if (evaluateChoiceRule(rule, scope, run.where)) return transition(run, eff, rule);
  }
  return transition(run, eff, undefined);
}

async function chooseJsonata(run: StateRun, eff: unknown, choices: Rule[]): Promise<Step> {
  let matched: Rule | undefined;
  {
    const scope = run.jsonataScope();
    for (const rule of choices) {
      let ok: boolean;
      try {
        ok = await evaluateJsonataCondition(rule.Condition as string, scope, run.where);
      } catch (e) {
        throw run.evaluationFailed(e, 'Condition');
      }
      if (ok) {
        matched = rule;
        break;
      }
    }
  }
  return transition(run, eff, matched);
}

function transition(run: StateRun, eff: unknown, matched: Rule | undefined): Step | Promise<Step> {
  if (matched) {
    return run.finish(undefined, eff, {
      hasResult: false,
      next: matched.Next as string,
      assign: (matched.Assign as Record<string, unknown> | undefined) ?? {},
      output: 'Output' in matched ? { value: matched.Output } : undefined,
    });
  }
  const def = run.raw.Default;
  if (typeof def !== 'string') {
    throw runtimeError(run.state.name, run.where.enteredEventId, 'Failed to transition out of the state. No Choice rule matched and no Default is specified.');
  }
  return run.finish(undefined, eff, { hasResult: false, next: def });
}
