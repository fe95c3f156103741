/** Reporters: console (progress + failures), JSON (stable), JUnit XML, HTML (self-contained). */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { RehearseError } from '../core/index.ts';
import type { RunReport } from '../scenario/results.ts';
import { renderHtml } from './html.ts';
import { renderJson } from './json.ts';
import { renderJunit } from './junit.ts';

export { consoleReporter, type ProgressReporter, type ConsoleReporterOptions } from './console.ts';
export { renderHtml, renderGraph, renderCoverageGraph, renderTimeline } from './html.ts';
export { renderJson } from './json.ts';
export { renderJunit } from './junit.ts';
export { describeFailure } from './failure-text.ts';
export { layoutDefinition } from './graph-layout.ts';

export const REPORTERS = ['console', 'json', 'junit', 'html'] as const;
export type ReporterName = (typeof REPORTERS)[number];

export const REPORT_FILES: Record<Exclude<ReporterName, 'console'>, string> = {
  json: 'rehearse-report.json',
  junit: 'junit.xml',
  html: 'rehearse-report.html',
};

export function parseReporters(text: string): ReporterName[] {
  const names = text.split(',').map((s) => s.trim()).filter(Boolean);
  for (const n of names) {
    if (!(REPORTERS as readonly string[]).includes(n))
      throw new RehearseError('ERR_BAD_INPUT', `unknown reporter '${n}' (known: ${REPORTERS.join(', ')})`);
  }
  return names as ReporterName[];
}

/** Writes the file reports into `outDir`; returns the paths written. */
export async function writeReports(report: RunReport, reporters: ReporterName[], outDir: string, cwd: string): Promise<string[]> {
  const files = reporters.filter((r): r is Exclude<ReporterName, 'console'> => r !== 'console');
  if (files.length === 0) return [];
  await mkdir(outDir, { recursive: true });
  const written: string[] = [];
  for (const r of files) {
    const path = join(outDir, REPORT_FILES[r]);
    const text = r === 'json' ? renderJson(report) : r === 'junit' ? renderJunit(report, cwd) : renderHtml(report, cwd);
    await writeFile(path, text);
    written.push(path);
  }
  return written;
}
