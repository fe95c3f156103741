/**
 * The reporter names `--reporter` takes and the files they write: kept apart
 * from the renderers, which a run loads only when it writes a file.
 */
import { RehearseError } from '../core/index.ts';

export const REPORTERS = ['console', 'json', 'junit', 'html'] as const;
export type ReporterName = (typeof REPORTERS)[number];
export type FileReporterName = Exclude<ReporterName, 'console'>;

export const REPORT_FILES: Record<FileReporterName, string> = {
  json: 'rehearse-report.json',
  junit: 'junit.xml',
  html: 'rehearse-report.html',
};

/** The reporters that write a file (all but the console). */
export function fileReporters(reporters: readonly ReporterName[]): FileReporterName[] {
  return reporters.filter((r): r is FileReporterName => r !== 'console');
}

export function parseReporters(text: string): ReporterName[] {
  const names = text.split(',').map((s) => s.trim()).filter(Boolean);
  for (const n of names) {
    if (!(REPORTERS as readonly string[]).includes(n))
      throw new RehearseError('ERR_BAD_INPUT', `unknown reporter '${n}' (known: ${REPORTERS.join(', ')})`);
  }
  return names as ReporterName[];
}
