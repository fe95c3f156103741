/**
 * The text explaining a failed scenario (console and JUnit): for each failed
 * check expected vs actual and where; the path taken; the history events
 * around the failure; the failing functions' captured logs.
 */
import pc from 'picocolors';
import { detailsOf, indexHistory, pathTaken, stateOf } from '../scenario/history.ts';
import type { CheckResult, ExecutionRecord, ScenarioResult } from '../scenario/results.ts';
import { brief } from '../scenario/value-match.ts';

export interface TextOptions {
  color: boolean;
  /** Events shown either side of the failure event. */
  context?: number;
}

function paint(opts: TextOptions) {
  const id = (s: string) => s;
  return opts.color ? pc : { red: id, green: id, yellow: id, dim: id, bold: id, cyan: id };
}

function whereText(c: CheckResult): string {
  const w = c.where;
  if (!w) return '';
  const parts = [
    w.execution ? `execution ${w.execution}` : '',
    w.state ? `state ${w.state}` : '',
    w.function ? `function ${w.function}` : '',
    w.eventId !== undefined ? `event #${w.eventId}` : '',
    w.atSeconds !== undefined ? `t+${w.atSeconds}s` : '',
  ].filter(Boolean);
  return parts.join(', ');
}

function eventLine(e: ExecutionRecord['history'][number], state: string | undefined, start: number): string {
  const d = detailsOf(e);
  const extra = typeof d?.error === 'string' ? ` ${d.error}${typeof d.cause === 'string' ? `: ${brief(d.cause, 120)}` : ''}` : '';
  return `#${String(e.id).padStart(3)} t+${((e.timestamp - start) / 1000).toFixed(3)}s ${e.type}${state ? ` [${state}]` : ''}${extra}`;
}

export function historyAround(exec: ExecutionRecord, eventId: number | undefined, context = 4): string[] {
  const index = indexHistory(exec.history);
  if (index.events.length === 0) return [];
  const at = eventId !== undefined ? index.events.findIndex((e) => e.id === eventId) : index.events.length - 1;
  const center = at < 0 ? index.events.length - 1 : at;
  const from = Math.max(0, center - context);
  const to = Math.min(index.events.length, center + context + 1);
  return index.events.slice(from, to).map((e) => `${e.id === index.events[center]!.id ? '>' : ' '} ${eventLine(e, stateOf(index, e), index.startedAt)}`);
}

export function describeFailure(s: ScenarioResult, opts: TextOptions): string {
  const c = paint(opts);
  const lines: string[] = [];
  if (s.reason && s.status !== 'skipped') lines.push(c.red(s.reason));
  for (const st of s.steps.filter((x) => x.status === 'failed')) lines.push(`${c.red('✗')} ${st.id} ${st.label}: ${st.message ?? 'failed'}`);
  const failed = s.checks.filter((x) => x.status === 'failed');
  for (const f of failed) {
    lines.push(`${c.red('✗')} ${c.bold(f.id)}: ${f.message}`);
    lines.push(`    expected: ${brief(f.expected, 400)}`);
    lines.push(`    actual:   ${brief(f.actual, 400)}`);
    const w = whereText(f);
    if (w) lines.push(`    where:    ${w}`);
  }
  const firstWhere = failed.find((f) => f.where?.execution)?.where;
  const exec = s.executions.find((e) => (e.alias ?? e.name) === firstWhere?.execution) ?? s.executions[s.executions.length - 1];
  if (exec) {
    const index = indexHistory(exec.history);
    const path = pathTaken(index);
    lines.push(c.dim(`  path (${exec.alias ?? exec.name}, ${exec.status}${exec.error ? ` ${exec.error}` : ''}): ${path.join(' → ') || '(no states entered)'}`));
    const around = historyAround(exec, firstWhere?.eventId, opts.context ?? 4);
    if (around.length) {
      lines.push(c.dim('  history around the failure:'));
      for (const l of around) lines.push(c.dim(`    ${l}`));
    }
  }
  for (const fl of s.logs) {
    lines.push(c.dim(`  logs of ${fl.functionName}:`));
    for (const inv of fl.invocations.slice(-3)) {
      lines.push(c.dim(`    [${inv.requestId}]${inv.error ? ` ${inv.error}` : ''}`));
      for (const l of inv.logs.split('\n').filter(Boolean).slice(-15)) lines.push(c.dim(`      ${l}`));
    }
  }
  return lines.join('\n');
}
