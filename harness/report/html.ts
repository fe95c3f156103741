/**
 * The HTML report: one self-contained file (inline CSS and SVG, images as data
 * URIs, no scripts from anywhere). Per scenario: the checks, the state machine
 * drawn as a graph with the path taken, the failed state and retry counts
 * marked, a timeline of state entries in (virtual) time, and thumbnails of the
 * images before and after.
 */
import { relative } from 'node:path';
import { attemptsOf, indexHistory, stateOf } from '../scenario/history.ts';
import { executionWhere } from '../scenario/matchers.ts';
import type { ExecutionRecord, RunReport, ScenarioResult } from '../scenario/results.ts';
import { brief } from '../scenario/value-match.ts';
import { layoutDefinition, type GraphEdge, type GraphLayout, type GraphNode } from './graph-layout.ts';
import { MEASURE_HEADINGS, MEASURES, percent, type RunCoverage, type StateMachineCoverage, type Tally } from './coverage/types.ts';

function esc(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);
}

const CSS = `
body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header{padding:16px 24px;background:#1d2330;color:#fff}
header h1{margin:0;font-size:20px}
.summary span{margin-right:14px}
main{padding:16px 24px}
section.scenario{background:#fff;border:1px solid #dde1e7;border-radius:8px;margin:0 0 16px;padding:12px 16px}
section.scenario>h2{font-size:16px;margin:0 0 6px}
.badge{display:inline-block;border-radius:10px;padding:0 8px;font-size:12px;color:#fff}
.badge.passed{background:#1f883d}.badge.failed,.badge.error{background:#cf222e}.badge.skipped{background:#9a6700}
tr.check.failed{background:#fff5f5}
table.checks{border-collapse:collapse;width:100%;font-size:13px;margin:8px 0}
table.checks td{border-top:1px solid #eee;padding:3px 6px;vertical-align:top}
table.items{border-collapse:collapse;font-size:12px;margin:4px 0 10px}
table.items caption{text-align:left;padding:2px 0}
table.items th,table.items td{border:1px solid #e3e3e3;padding:2px 6px;text-align:left;font-family:ui-monospace,monospace}
table.items th{background:#f6f6f6}
td.st-failed{color:#cf222e;font-weight:600}td.st-passed{color:#1f883d}td.st-skipped{color:#9a6700}
code,pre{font:12px ui-monospace,monospace}
pre{background:#f3f4f6;padding:6px;overflow:auto;max-height:240px}
.row{display:flex;gap:16px;flex-wrap:wrap;align-items:flex-start}
svg.graph .state rect{fill:#fff;stroke:#8c959f;stroke-width:1.2}
svg.graph .state.container>rect{fill:#f6f8fa;stroke-dasharray:4 3}
svg.graph .state.visited>rect{fill:#dafbe1;stroke:#1f883d;stroke-width:2}
svg.graph .state.container.visited>rect{fill:#f0fff4}
svg.graph .state.failed>rect{fill:#ffebe9;stroke:#cf222e;stroke-width:3}
svg.graph text{font:12px system-ui,sans-serif;fill:#1d2330}
svg.graph .edge{fill:none;stroke:#8c959f;stroke-width:1.2}
svg.graph .edge.catch{stroke:#cf222e;stroke-dasharray:3 3}
svg.graph .edge.taken{stroke:#1f883d;stroke-width:2.2}
svg.graph .state.unvisited>rect,.legend .state.unvisited>rect{fill:#fff8c5;stroke:#9a6700;stroke-width:1.6;stroke-dasharray:5 3}
svg.graph .edge.untaken,.legend .edge.untaken{fill:none;stroke:#9a6700;stroke-width:1.6;stroke-dasharray:2 3}
.legend .state.visited>rect{fill:#dafbe1;stroke:#1f883d;stroke-width:2}.legend .edge.taken{fill:none;stroke:#1f883d;stroke-width:2.2}
.legend text{font:12px system-ui,sans-serif}
section.coverage{background:#fff;border:1px solid #dde1e7;border-radius:8px;margin:0 0 16px;padding:12px 16px}
section.coverage>h2{font-size:16px;margin:0 0 6px}
table.coverage{border-collapse:collapse;font-size:13px;margin:8px 0}
table.coverage th,table.coverage td{border-top:1px solid #eee;padding:3px 8px;text-align:left}
table.coverage td.num{text-align:right;font-variant-numeric:tabular-nums}
figure.coverage-graph{margin:8px 0 16px}figure.coverage-graph figcaption{margin:0 0 4px}
svg.graph .retry{fill:#9a6700}svg.graph .retry-text{fill:#fff;font-size:11px;font-weight:600}
svg.timeline rect.bar{fill:#54aeff}svg.timeline rect.bar.failed{fill:#cf222e}
svg.timeline text{font:11px system-ui,sans-serif}
.thumbs figure{display:inline-block;margin:0 8px 8px 0;text-align:center;font-size:11px}
.thumbs img{display:block;max-width:140px;max-height:140px;border:1px solid #ddd;background:#fff}
`;

/** Small enough to sit inside a state's box beside its name. */
const RETRY_BADGE_RADIUS = 9;

/** The states that were entered, and the ones with retries, from an execution's history. */
function stateMarks(exec: ExecutionRecord | undefined): { visited: Set<string>; retries: Map<string, number>; failed?: string; taken: Set<string> } {
  const visited = new Set<string>();
  const retries = new Map<string, number>();
  const taken = new Set<string>();
  if (!exec) return { visited, retries, taken };
  const index = indexHistory(exec.history);
  for (const e of index.entries) {
    visited.add(e.name);
    const a = attemptsOf(e);
    if (a.count > 1) retries.set(e.name, Math.max(retries.get(e.name) ?? 0, a.count - 1));
  }
  // Transitions taken: consecutive entries on the same causal chain are approximated by order within the path.
  const path = index.entries.map((e) => e.name);
  for (let i = 1; i < path.length; i++) taken.add(`${path[i - 1]}→${path[i]}`);
  let failed: string | undefined;
  if (exec.status !== 'SUCCEEDED' && exec.status !== 'RUNNING') failed = executionWhere(exec, index).state;
  else {
    // A caught failure: the state whose task failed last (and that has a Catch) is still worth marking.
    const lastFail = [...index.events].reverse().find((e) => /^(LambdaFunction|Task)(Failed|TimedOut)$/.test(e.type));
    const name = lastFail ? stateOf(index, lastFail) : undefined;
    const after = lastFail ? index.events.filter((e) => e.id > lastFail.id && /ScheduledScheduled|Scheduled$/.test(e.type) && stateOf(index, e) === name) : [];
    if (name && after.length === 0) failed = name;
  }
  return { visited, retries, taken, ...(failed ? { failed } : {}) };
}

/** How one graph marks its states and edges (the path of one execution, or a run's coverage). */
interface GraphMarks {
  classesOf(n: GraphNode): string[];
  /** Shown after the state's name and type in its tooltip. */
  noteOf(n: GraphNode): string;
  retriesOf(n: GraphNode): number | undefined;
  edgeClassesOf(e: GraphEdge): string[];
  edgeNoteOf?(e: GraphEdge): string;
}

function drawGraph(layout: GraphLayout, marks: GraphMarks, label: string): string {
  const parts: string[] = [];
  parts.push(`<svg class="graph" xmlns="http://www.w3.org/2000/svg" width="${layout.width}" height="${layout.height}" viewBox="0 0 ${layout.width} ${layout.height}" role="img" aria-label="${esc(label)}">`);
  parts.push('<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#8c959f"/></marker></defs>');
  // Containers first so their children draw on top.
  const nodes = [...layout.nodes].sort((a, b) => a.depth - b.depth || Number(b.isContainer) - Number(a.isContainer));
  for (const n of nodes) {
    const classes = ['state', n.isContainer ? 'container' : '', ...marks.classesOf(n)].filter(Boolean).join(' ');
    const retries = marks.retriesOf(n);
    parts.push(`<g class="${classes}" data-state="${esc(n.name)}" data-type="${esc(n.type)}"${retries ? ` data-retries="${retries}"` : ''}>`);
    parts.push(`<title>${esc(n.name)} (${esc(n.type)})${esc(marks.noteOf(n))}</title>`);
    parts.push(`<rect x="${n.x}" y="${n.y}" width="${n.w}" height="${n.h}" rx="6"/>`);
    const ty = n.isContainer ? n.y + 17 : n.y + n.h / 2 + 4;
    // A retry badge sits inside the box, at its right end; the name moves left to make room.
    const badge = retries ? RETRY_BADGE_RADIUS * 2 + 4 : 0;
    parts.push(`<text x="${n.x + (n.w - badge) / 2}" y="${ty}" text-anchor="middle">${esc(n.name.length > 22 ? `${n.name.slice(0, 21)}…` : n.name)}</text>`);
    if (retries) {
      const cx = n.x + n.w - RETRY_BADGE_RADIUS - 3;
      const cy = ty - 4;
      parts.push(`<g class="retry-badge"><circle class="retry" cx="${cx}" cy="${cy}" r="${RETRY_BADGE_RADIUS}"/><text class="retry-text" x="${cx}" y="${cy + 4}" text-anchor="middle">↻${retries}</text></g>`);
    }
    parts.push('</g>');
  }
  for (const e of layout.edges) {
    const d = e.points.map(([x, y], i) => `${i === 0 ? 'M' : 'L'}${x.toFixed(1)},${y.toFixed(1)}`).join(' ');
    const note = marks.edgeNoteOf?.(e);
    const classes = ['edge', e.kind, ...marks.edgeClassesOf(e)].join(' ');
    parts.push(`<path class="${classes}" d="${d}" marker-end="url(#arrow)" data-from="${esc(e.from)}" data-to="${esc(e.to)}" data-field="${esc(e.field)}">${note ? `<title>${esc(note)}</title>` : ''}</path>`);
  }
  parts.push('</svg>');
  return parts.join('');
}

export function renderGraph(exec: ExecutionRecord | undefined, failedCheckState?: string): string {
  const layout = layoutDefinition(exec?.definition);
  if (layout.nodes.length === 0) return '<p class="no-graph">(no definition available)</p>';
  const marks = stateMarks(exec);
  const failed = failedCheckState ?? marks.failed;
  return drawGraph(
    layout,
    {
      classesOf: (n) => [marks.visited.has(n.name) ? 'visited' : '', failed === n.name ? 'failed' : ''],
      noteOf: (n) => {
        const retries = marks.retries.get(n.name);
        return `${retries ? ` — ${retries} retr${retries === 1 ? 'y' : 'ies'}` : ''}${failed === n.name ? ' — failed here' : ''}`;
      },
      retriesOf: (n) => marks.retries.get(n.name),
      edgeClassesOf: (e) => (marks.taken.has(`${e.from}→${e.to}`) ? ['taken'] : []),
    },
    'state machine graph',
  );
}

/**
 * A state machine's graph over a whole run: states never entered are
 * `unvisited`, transitions never taken `untaken` (each Choice rule, Default
 * and catcher its own edge), each with its count in the tooltip.
 */
export function renderCoverageGraph(m: StateMachineCoverage): string {
  const layout = layoutDefinition(m.definition);
  if (layout.nodes.length === 0) return '<p class="no-graph">(no definition available)</p>';
  const state = new Map(m.states.map((s) => [s.name, s]));
  const transition = new Map(m.transitions.map((t) => [t.id, t]));
  const transitionOf = (e: GraphEdge) => {
    const from = state.get(e.from);
    return from ? transition.get(`${from.path}.${e.field}`) : undefined;
  };
  const retries = new Map<string, number>();
  for (const r of m.retriers) {
    const s = m.states.find((x) => x.path === r.state);
    if (s && r.fired > 0) retries.set(s.name, (retries.get(s.name) ?? 0) + r.fired);
  }
  return drawGraph(
    layout,
    {
      // A state coverage does not count (inside a distributed Map) is drawn plain.
      classesOf: (n) => {
        const s = state.get(n.name);
        return s === undefined ? [] : [s.entered > 0 ? 'visited' : 'unvisited'];
      },
      noteOf: (n) => {
        const s = state.get(n.name);
        return s === undefined ? ' — not counted (a distributed Map runs it as child executions)' : ` — entered ${s.entered}×`;
      },
      retriesOf: (n) => retries.get(n.name),
      edgeClassesOf: (e) => {
        const t = transitionOf(e);
        return t === undefined ? [] : [t.taken > 0 ? 'taken' : 'untaken'];
      },
      edgeNoteOf: (e) => {
        const t = transitionOf(e);
        return t === undefined ? '' : `${e.from}.${e.field} → ${e.to}: taken ${t.taken}×`;
      },
    },
    `coverage of ${m.name}`,
  );
}

const LEGEND = `<div class="legend"><svg width="420" height="22" role="img" aria-label="legend">
<g class="state visited"><rect x="1" y="3" width="16" height="14" rx="3"/></g><text x="22" y="15">entered</text>
<g class="state unvisited"><rect x="82" y="3" width="16" height="14" rx="3"/></g><text x="103" y="15">never entered</text>
<path class="edge taken" d="M190,10 L220,10"/><text x="225" y="15">taken</text>
<path class="edge untaken" d="M275,10 L305,10"/><text x="310" y="15">never taken</text></svg></div>`;

function coverageCell(t: Tally): string {
  return t.total === 0 ? '<td class="num">–</td>' : `<td class="num">${t.covered}/${t.total} <b>${Math.floor(percent(t))}%</b></td>`;
}

/** The run's coverage: a row per state machine, then each one's graph with what was never reached. */
function renderCoverage(coverage: RunCoverage): string {
  const parts = ['<section class="coverage" id="coverage"><h2>Workflow coverage</h2>', LEGEND];
  parts.push(`<table class="coverage"><thead><tr><th>state machine</th><th>runs</th>${MEASURES.map((k) => `<th>${MEASURE_HEADINGS[k]}</th>`).join('')}</tr></thead><tbody>`);
  for (const m of coverage.stateMachines) {
    parts.push(
      `<tr data-state-machine="${esc(m.name)}"><td><code>${esc(m.name)}</code>${m.file ? ` <small>${esc(m.file)}</small>` : ''}</td><td class="num">${m.executions}</td>${MEASURES.map((k) => coverageCell(m.totals[k])).join('')}</tr>`,
    );
  }
  parts.push('</tbody></table>');
  for (const m of coverage.stateMachines) {
    parts.push(`<figure class="coverage-graph" data-state-machine="${esc(m.name)}"><figcaption><code>${esc(m.name)}</code>${m.file ? ` · ${esc(m.file)}` : ''}</figcaption>${renderCoverageGraph(m)}</figure>`);
  }
  parts.push('</section>');
  return parts.join('\n');
}

export function renderTimeline(exec: ExecutionRecord | undefined): string {
  if (!exec || exec.history.length === 0) return '';
  const index = indexHistory(exec.history);
  const start = index.startedAt;
  const end = Math.max(exec.stopDate ?? 0, ...index.events.map((e) => e.timestamp));
  // Work takes no virtual time, so an execution without waits or retries spans 0 s:
  // then the axis is the order of events instead (still showing overlap and order).
  const byOrder = end - start < 1;
  const lastId = index.events[index.events.length - 1]?.id ?? 1;
  const entries = index.entries.slice(0, 60);
  const W = 640;
  const L = 170;
  const rowH = 16;
  const H = entries.length * rowH + 30;
  const span = byOrder ? Math.max(1, lastId - 1) : Math.max(1, end - start);
  const x = (v: number) => L + ((v - (byOrder ? 1 : start)) / span) * (W - L - 10);
  const exitId = (e: (typeof entries)[number]) => {
    const exited = e.events.find((ev) => ev.type.endsWith('StateExited'));
    return exited?.id ?? e.events[e.events.length - 1]?.id ?? e.enteredEventId;
  };
  const parts: string[] = [
    `<svg class="timeline" xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" role="img" aria-label="timeline" data-axis="${byOrder ? 'events' : 'seconds'}">`,
  ];
  entries.forEach((e, i) => {
    const y = 6 + i * rowH;
    const x1 = x(byOrder ? e.enteredEventId : e.enteredAt);
    const x2 = Math.max(x1 + 2, x(byOrder ? exitId(e) : (e.exitedAt ?? end)));
    const failedState = attemptsOf(e).errors.length > 0;
    parts.push(`<text x="4" y="${y + 11}">${esc(e.name.slice(0, 24))}</text>`);
    parts.push(
      `<rect class="bar${failedState ? ' failed' : ''}" x="${x1.toFixed(1)}" y="${y + 2}" width="${(x2 - x1).toFixed(1)}" height="${rowH - 5}"><title>${esc(e.name)}: t+${((e.enteredAt - start) / 1000).toFixed(3)}s → ${e.exitedAt !== undefined ? `t+${((e.exitedAt - start) / 1000).toFixed(3)}s` : 'not exited'}</title></rect>`,
    );
  });
  const axisY = H - 8;
  for (let k = 0; k <= 4; k++) {
    const v = (byOrder ? 1 : start) + (span * k) / 4;
    const label = byOrder ? `#${Math.round(v)}` : `${((v - start) / 1000).toFixed(1)}s`;
    parts.push(`<text x="${x(v).toFixed(1)}" y="${axisY}" text-anchor="middle">${label}</text>`);
  }
  if (byOrder) parts.push(`<text x="${W - 4}" y="${axisY - 12}" text-anchor="end">0 s of virtual time: axis = event order</text>`);
  parts.push('</svg>');
  return parts.join('');
}

/** The DynamoDB items a scenario left (what it wrote, on top of given.items): one table per table, a column per attribute. */
function renderTables(tables: NonNullable<ScenarioResult['tables']>): string {
  const parts = ['<div class="items"><h3>DynamoDB items</h3>'];
  for (const t of tables) {
    const columns = [...new Set(t.items.flatMap((item) => Object.keys(item)))];
    const shown = t.count > t.items.length ? ` (first ${t.items.length})` : '';
    parts.push(`<table class="items" data-table="${esc(t.table)}"><caption><code>${esc(t.table)}</code> · ${t.count} item${t.count === 1 ? '' : 's'}${shown}</caption>`);
    parts.push(`<thead><tr>${columns.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead><tbody>`);
    for (const item of t.items) {
      parts.push(`<tr>${columns.map((c) => `<td>${c in item ? esc(typeof item[c] === 'string' ? item[c] : brief(item[c], 120)) : ''}</td>`).join('')}</tr>`);
    }
    parts.push('</tbody></table>');
  }
  parts.push('</div>');
  return parts.join('');
}

function renderScenario(s: ScenarioResult, cwd: string, i: number): string {
  const exec = s.executions[s.executions.length - 1];
  const firstFailed = s.checks.find((c) => c.status === 'failed');
  const failedState = firstFailed?.where?.state;
  const target = (firstFailed?.where?.execution && s.executions.find((e) => (e.alias ?? e.name) === firstFailed.where?.execution)) || exec;
  const parts: string[] = [];
  parts.push(`<section class="scenario" id="s${i}" data-status="${s.status}">`);
  parts.push(
    `<h2><span class="badge ${s.status}">${s.status}</span> ${esc(s.name)} <small>${esc(relative(cwd, s.file))} · ${(s.durationMs / 1000).toFixed(2)}s${s.virtualSeconds !== undefined ? ` · ${s.virtualSeconds}s virtual` : ''}</small></h2>`,
  );
  if (s.reason) parts.push(`<p class="reason">${esc(s.reason)}</p>`);
  if (target) {
    parts.push(
      `<p>Execution <code>${esc(target.alias ?? target.name)}</code> of <code>${esc(target.workflow)}</code>: <b>${esc(target.status)}</b>${target.error ? ` — ${esc(target.error)}: ${esc(brief(target.cause ?? '', 300))}` : ''}</p>`,
    );
    parts.push(`<div class="row"><div>${renderGraph(target, failedState)}</div><div><h3>Timeline</h3>${renderTimeline(target)}</div></div>`);
  }
  if (s.checks.length) {
    parts.push('<table class="checks"><tbody>');
    for (const c of s.checks) {
      parts.push(
        `<tr class="check ${c.status}"><td class="st-${c.status}">${c.status}</td><td><code>${esc(c.id)}</code></td><td>${esc(c.message)}${c.status === 'failed' ? `<br><small>expected <code>${esc(brief(c.expected, 300))}</code><br>actual <code>${esc(brief(c.actual, 300))}</code>${c.where ? `<br>where ${esc(JSON.stringify(c.where))}` : ''}</small>` : ''}</td></tr>`,
      );
    }
    parts.push('</tbody></table>');
  }
  const failedSteps = s.steps.filter((st) => st.status === 'failed');
  for (const st of failedSteps) parts.push(`<p class="step-failed">✗ <code>${esc(st.id)}</code> ${esc(st.label)}: ${esc(st.message ?? '')}</p>`);
  const images = s.images.filter((im) => im.thumbnail);
  if (images.length) {
    parts.push('<div class="thumbs">');
    for (const role of ['input', 'output'] as const) {
      const list = images.filter((im) => im.role === role);
      if (!list.length) continue;
      parts.push(`<h3>${role === 'input' ? 'Before' : 'After'}</h3>`);
      for (const im of list)
        parts.push(
          `<figure data-role="${role}"><img alt="${esc(im.key)}" src="${im.thumbnail}"><figcaption>${esc(im.key)}<br>${esc(im.format ?? '?')} ${im.width ?? '?'}×${im.height ?? '?'} · ${im.bytes} B</figcaption></figure>`,
        );
    }
    parts.push('</div>');
  }
  if (s.tables?.length) parts.push(renderTables(s.tables));
  for (const fl of s.logs) {
    parts.push(`<details><summary>logs of ${esc(fl.functionName)}</summary><pre>${esc(fl.invocations.map((x) => `[${x.requestId}] ${x.error ?? ''}\n${x.logs}`).join('\n'))}</pre></details>`);
  }
  parts.push('</section>');
  return parts.join('\n');
}

export function renderHtml(report: RunReport, cwd: string): string {
  const s = report.summary;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Rehearse report</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">
<style>${CSS}</style></head>
<body><header><h1>Rehearse report</h1><div class="summary"><span>${s.passed} passed</span><span>${s.failed} failed</span><span>${s.skipped} skipped</span><span>${s.errors} errors</span><span>backend ${esc(report.backend)}</span><span>seed ${esc(report.seed)}</span><span>${(report.durationMs / 1000).toFixed(2)}s</span></div></header>
<main>
${report.coverage ? renderCoverage(report.coverage) : ''}
${report.scenarios.map((sc, i) => renderScenario(sc, cwd, i)).join('\n')}
</main></body></html>
`;
}
