/**
 * The platform lines Lambda writes around each invocation's output, and the
 * `LogType: Tail` excerpt (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html):
 *
 *   START RequestId: <id> Version: $LATEST
 *   …function output…
 *   END RequestId: <id>
 *   REPORT RequestId: <id>\tDuration: 3.22 ms\tBilled Duration: 4 ms\tMemory Size: 128 MB\tMax Memory Used: 74 MB\tInit Duration: 166.62 ms\t
 */

export function startLine(requestId: string, version: string): string {
  return `START RequestId: ${requestId} Version: ${version}\n`;
}

export function endLine(requestId: string): string {
  return `END RequestId: ${requestId}\n`;
}

export interface ReportFields {
  requestId: string;
  durationMs: number;
  billedDurationMs: number;
  memorySizeMb: number;
  maxMemoryUsedMb: number;
  initDurationMs?: number;
  /** Set when the invocation failed at platform level (`timeout`, `error`). */
  status?: string;
  errorType?: string;
}

export function reportLine(f: ReportFields): string {
  let line =
    `REPORT RequestId: ${f.requestId}\tDuration: ${f.durationMs.toFixed(2)} ms\tBilled Duration: ${f.billedDurationMs} ms` +
    `\tMemory Size: ${f.memorySizeMb} MB\tMax Memory Used: ${f.maxMemoryUsedMb} MB\t`;
  if (f.initDurationMs !== undefined) line += `Init Duration: ${f.initDurationMs.toFixed(2)} ms\t`;
  if (f.status) line += `Status: ${f.status}\t`;
  if (f.errorType) line += `Error Type: ${f.errorType}\t`;
  return `${line}\n`;
}

/** Lambda bills in 1 ms increments, rounding up. */
export function billedDuration(durationMs: number): number {
  return Math.max(1, Math.ceil(durationMs));
}

/** `LogType: Tail` → base64 of the last 4 KB of the invocation's log. */
export const LOG_TAIL_BYTES = 4096;

export function logTail(logs: string): string {
  const bytes = Buffer.from(logs, 'utf8');
  return bytes.subarray(Math.max(0, bytes.length - LOG_TAIL_BYTES)).toString('base64');
}
