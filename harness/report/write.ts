/** Writes a run's file reports (JSON, JUnit XML, HTML). */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunReport } from '../scenario/results.ts';
import { renderHtml } from './html.ts';
import { renderJson } from './json.ts';
import { renderJunit } from './junit.ts';
import { fileReporters, REPORT_FILES, type ReporterName } from './reporters.ts';

/** Writes the file reports into `outDir`; returns the paths written. */
export async function writeReports(report: RunReport, reporters: ReporterName[], outDir: string, cwd: string): Promise<string[]> {
  const files = fileReporters(reporters);
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
