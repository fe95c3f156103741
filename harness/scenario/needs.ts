/**
 * What a scenario relies on beyond the AWS APIs (virtual time, faults,
 * observations) — the runner asks the backend's capability table before
 * running it, so a scenario a backend cannot honour is skipped with the
 * reason, never passed.
 */
import type { Need } from '../backends/capabilities.ts';
import type { ScenarioSpec, StepSpec } from './schema.ts';

/** Visits every step, those nested in `repeat` and `parallel` included. */
export function walkSteps(steps: StepSpec[], visit: (s: StepSpec) => void): void {
  for (const s of steps) {
    visit(s);
    if (s.repeat) walkSteps(s.repeat.steps, visit);
    if (s.parallel) walkSteps(s.parallel, visit);
  }
}

export function scenarioNeeds(spec: ScenarioSpec, options: { definitionText?: string } = {}): Need[] {
  const needs = new Set<Need>();
  for (const f of spec.given?.faults ?? []) {
    if (f.function !== undefined) {
      if (f.throw) needs.add('function-fault.throw');
      if (f.timeout) needs.add('function-fault.timeout');
      if (f.crash) needs.add('function-fault.crash');
      if (f.latencyMs !== undefined) needs.add('function-fault.latency');
      if (f.return !== undefined) needs.add('function-fault.return');
      if (f.input !== undefined) needs.add('function-fault.input');
    } else if (f.state !== undefined) needs.add('state-fault');
    else needs.add('operation-fault');
  }
  walkSteps(spec.when, (s) => {
    if (s.advanceClock) needs.add('virtual-time');
    if (s.testState) needs.add('test-state');
  });
  const t = spec.then;
  if (t.concurrency?.maps) needs.add('observation.map-concurrency');
  if (t.concurrency?.functions) needs.add('observation.function-concurrency');
  if (t.invocations) needs.add('observation.invocations');
  if (t.coldStarts) needs.add('observation.cold-starts');
  if (t.sns) needs.add('observation.sns-messages');
  if (t.messages || t.deadLetters) needs.add('observation.sqs-messages');
  if (t.events) needs.add('observation.events');
  if (t.secretReads) needs.add('observation.secret-reads');
  // Exact retry delays are only meaningful on virtual time (a wall-clock run would take that long and jitter).
  if (Object.values(t.states ?? {}).some((s) => s.retryDelaysSeconds !== undefined)) needs.add('virtual-time');
  const def = options.definitionText ?? (typeof spec.definition === 'object' ? JSON.stringify(spec.definition) : '');
  if (/"QueryLanguage"\s*:\s*"JSONata"/.test(def)) needs.add('jsonata');
  if (/arn:aws:states:::aws-sdk:/.test(def)) needs.add('aws-sdk-integrations');
  return [...needs];
}
