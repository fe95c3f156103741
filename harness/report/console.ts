/**
 * The console reporter: a progress line on a TTY (rewritten in place), plain
 * lines in CI; one line per scenario with its time; on failure the full
 * explanation (expected vs actual, path, history around it, logs).
 */
import pc from 'picocolors';
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
  scenarioFinished(result: ScenarioResult): void;
  finished(report: RunReport): void;
}

const ICON: Record<ScenarioResult['status'], string> = { passed: '✓', failed: '✗', skipped: '○', error: '!' };

export function consoleReporter(options: ConsoleReporterOptions): ProgressReporter {
  const color = options.color ?? options.isTTY;
  const c = color ? pc : { red: (s: string) => s, green: (s: string) => s, yellow: (s: string) => s, dim: (s: string) => s, bold: (s: string) => s };
  let total = 0;
  let done = 0;
  const running = new Set<string>();
  let lineShown = false;
  const clear = () => {
    if (options.isTTY && lineShown) {
      options.out.write('\r\x1b[2K');
      lineShown = false;
    }
  };
  const progress = () => {
    if (!options.isTTY) return;
    clear();
    const names = [...running].slice(0, 2).join(', ');
    options.out.write(c.dim(`[${done}/${total}] running ${names}${running.size > 2 ? ` +${running.size - 2}` : ''}`));
    lineShown = true;
  };
  const colorOf = (s: ScenarioResult['status']) => (s === 'passed' ? c.green : s === 'skipped' ? c.yellow : c.red);
  return {
    started(n) {
      total = n;
      if (!options.isTTY) options.out.write(`running ${n} scenario(s)\n`);
    },
    scenarioStarted(name) {
      running.add(name);
      // A CI log has no live line: say when each scenario starts, so a slow one is seen before it ends.
      if (!options.isTTY) options.out.write(`▶ ${name} started\n`);
      progress();
    },
    scenarioFinished(r) {
      running.delete(r.name);
      done++;
      clear();
      const time = c.dim(`${(r.durationMs / 1000).toFixed(2)}s${r.virtualSeconds !== undefined ? `, ${r.virtualSeconds}s virtual` : ''}`);
      const why = r.status === 'skipped' ? c.yellow(` — ${r.reason ?? 'skipped'}`) : '';
      options.out.write(`${colorOf(r.status)(ICON[r.status])} ${r.name} ${time}${why}\n`);
      if (r.status === 'failed' || r.status === 'error') {
        const text = describeFailure(r, { color });
        options.out.write(`${text.split('\n').map((l) => `    ${l}`).join('\n')}\n`);
      }
      if (running.size > 0) progress();
    },
    finished(report) {
      clear();
      const s = report.summary;
      const parts = [
        c.green(`${s.passed} passed`),
        s.failed ? c.red(`${s.failed} failed`) : '',
        s.errors ? c.red(`${s.errors} errors`) : '',
        s.skipped ? c.yellow(`${s.skipped} skipped`) : '',
      ].filter(Boolean);
      options.out.write(`\n${parts.join(', ')} of ${s.total} in ${(report.durationMs / 1000).toFixed(2)}s (backend ${report.backend}, seed ${report.seed})\n`);
    },
  };
}
