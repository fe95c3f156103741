/**
 * The console reporter: on a TTY a live line per running scenario (its time,
 * what it waits for), rewritten in place; in CI plain lines when each scenario
 * starts, waits more than 2 s, and ends; one line per finished scenario with
 * its time (wall, virtual, handlers); on failure the full explanation
 * (expected vs actual, path, history around it, logs).
 */
import pc from 'picocolors';
import { REAL_CLOCK, type Timer } from '../core/index.ts';
import type { RunReport, ScenarioResult } from '../scenario/results.ts';
import { describeFailure } from './failure-text.ts';

export interface ConsoleReporterOptions {
  out: NodeJS.WritableStream;
  isTTY: boolean;
  color?: boolean;
}

export interface ProgressReporter {
  started(total: number): void;
  scenarioStarted(name: string): void;
  /** A step of a running scenario (its deploy, its settling) still runs after 2 s: what it waits for (harness/scenario/waiting.ts). */
  scenarioWaiting?(name: string, what: string, elapsedMs: number): void;
  scenarioFinished(result: ScenarioResult): void;
  finished(report: RunReport): void;
}

const ICON: Record<ScenarioResult['status'], string> = { passed: '✓', failed: '✗', skipped: '○', error: '!' };

/** Running scenarios a TTY shows a live line for; the rest are counted on one more line. */
const LIVE_LINES = 6;

const seconds = (ms: number) => `${Math.floor(ms / 1000)}s`;

export function consoleReporter(options: ConsoleReporterOptions): ProgressReporter {
  const color = options.color ?? options.isTTY;
  const c = color ? pc : { red: (s: string) => s, green: (s: string) => s, yellow: (s: string) => s, dim: (s: string) => s, bold: (s: string) => s };
  let total = 0;
  let done = 0;
  /** Running scenarios by name: when each started, and what it last waited for. */
  const running = new Map<string, { since: number; waiting?: string }>();
  let shownLines = 0;
  // The live lines' seconds move on their own while a scenario runs; nothing ticks when none does.
  let ticker: Timer | undefined;
  const tick = () => {
    ticker = running.size > 0 && options.isTTY ? REAL_CLOCK.setTimer(1000, () => (progress(), tick())) : undefined;
  };
  // On a TTY the block of live lines is rewritten in place: up to its first line, erase to the end.
  const clear = () => {
    if (options.isTTY && shownLines > 0) {
      options.out.write(`\x1b[${shownLines}F\x1b[0J`);
      shownLines = 0;
    }
  };
  const progress = () => {
    if (!options.isTTY) return;
    clear();
    const now = REAL_CLOCK.now();
    const lines = [c.dim(`[${done}/${total}] running ${running.size}`)];
    for (const [name, r] of [...running].slice(0, LIVE_LINES)) {
      lines.push(c.dim(`  ▸ ${name} ${seconds(now - r.since)}${r.waiting ? ` — waiting for ${r.waiting}` : ''}`));
    }
    if (running.size > LIVE_LINES) lines.push(c.dim(`  +${running.size - LIVE_LINES} more`));
    options.out.write(`${lines.join('\n')}\n`);
    shownLines = lines.length;
  };
  const colorOf = (s: ScenarioResult['status']) => (s === 'passed' ? c.green : s === 'skipped' ? c.yellow : c.red);
  return {
    started(n) {
      total = n;
      if (!options.isTTY) options.out.write(`running ${n} scenario(s)\n`);
    },
    scenarioStarted(name) {
      running.set(name, { since: REAL_CLOCK.now() });
      if (!ticker) tick();
      // A CI log has no live line: say when each scenario starts, so a slow one is seen before it ends.
      if (!options.isTTY) options.out.write(`▶ ${name} started\n`);
      progress();
    },
    scenarioWaiting(name, what, elapsedMs) {
      const r = running.get(name);
      if (r) r.waiting = what;
      if (!options.isTTY) options.out.write(`… ${name}: ${seconds(elapsedMs)} waiting for ${what}\n`);
      progress();
    },
    scenarioFinished(r) {
      running.delete(r.name);
      if (running.size === 0) {
        ticker?.cancel();
        ticker = undefined;
      }
      done++;
      clear();
      // Handlers often take a few milliseconds: shown in ms below a second, so a fast one does not read 0.00s.
      const handlers = r.handlerMs === undefined ? '' : `, handlers ${r.handlerMs < 1000 ? `${r.handlerMs.toFixed(r.handlerMs < 10 ? 1 : 0)} ms` : `${(r.handlerMs / 1000).toFixed(2)}s`}`;
      const time = c.dim(`${(r.durationMs / 1000).toFixed(2)}s${r.virtualSeconds !== undefined ? `, ${r.virtualSeconds}s virtual` : ''}${handlers}`);
      const why = r.status === 'skipped' ? c.yellow(` — ${r.reason ?? 'skipped'}`) : '';
      options.out.write(`${colorOf(r.status)(ICON[r.status])} ${r.name} ${time}${why}\n`);
      if (r.status === 'failed' || r.status === 'error') {
        const text = describeFailure(r, { color });
        options.out.write(`${text.split('\n').map((l) => `    ${l}`).join('\n')}\n`);
      }
      if (running.size > 0) progress();
    },
    finished(report) {
      ticker?.cancel();
      ticker = undefined;
      clear();
      const s = report.summary;
      const parts = [
        c.green(`${s.passed} passed`),
        s.failed ? c.red(`${s.failed} failed`) : '',
        s.errors ? c.red(`${s.errors} errors`) : '',
        s.skipped ? c.yellow(`${s.skipped} skipped`) : '',
      ].filter(Boolean);
      options.out.write(`\n${parts.join(', ')} of ${s.total} in ${(report.durationMs / 1000).toFixed(2)}s (backend ${report.backend}, seed ${report.seed}${report.deploys !== undefined ? `, ${report.deploys} deploy${report.deploys === 1 ? '' : 's'}` : ''})\n`);
    },
  };
}
