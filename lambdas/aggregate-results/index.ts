/**
 * aggregate-results: summarises a batch. Accepts the Map state's result array:
 * per-image objects `{status: SUCCEEDED|INVALID|FAILED, key, …}` from the
 * inline batch, and whatever a distributed Map returns for its child
 * executions (their outputs, or `{Error, Cause}` records for failed ones).
 */
import { InvalidInputError } from '../shared/errors.ts';
import { asRecord } from '../shared/input.ts';

export interface BatchSummary {
  bucket: string | null;
  prefix: string | null;
  total: number;
  succeeded: number;
  invalid: number;
  failed: number;
  bytesSaved: number;
  failures: Array<{ key: string | null; status: 'INVALID' | 'FAILED'; reason: string }>;
  outputs: string[];
}

export function summarise(event: unknown): BatchSummary {
  const e = asRecord(event, 'event');
  if (!Array.isArray(e.results)) throw new InvalidInputError(`event.results must be the Map state's result list, got ${JSON.stringify(e.results)}`);
  const summary: BatchSummary = {
    bucket: typeof e.bucket === 'string' ? e.bucket : null,
    prefix: typeof e.prefix === 'string' ? e.prefix : null,
    total: e.results.length,
    succeeded: 0,
    invalid: 0,
    failed: 0,
    bytesSaved: 0,
    failures: [],
    outputs: [],
  };
  for (const item of e.results as unknown[]) {
    const r = item !== null && typeof item === 'object' ? (item as Record<string, unknown>) : {};
    const key = typeof r.key === 'string' ? r.key : null;
    if (r.status === 'SUCCEEDED') {
      summary.succeeded++;
      if (typeof r.bytesSaved === 'number') summary.bytesSaved += r.bytesSaved;
      if (typeof r.optimizedKey === 'string') summary.outputs.push(r.optimizedKey);
    } else if (r.status === 'INVALID') {
      summary.invalid++;
      summary.failures.push({ key, status: 'INVALID', reason: String(r.reason ?? 'invalid image') });
    } else {
      summary.failed++;
      const reason = typeof r.cause === 'string' ? r.cause : typeof r.Cause === 'string' ? r.Cause : typeof r.error === 'string' ? r.error : typeof r.Error === 'string' ? r.Error : JSON.stringify(item);
      summary.failures.push({ key, status: 'FAILED', reason });
    }
  }
  return summary;
}

export async function handler(event: unknown): Promise<BatchSummary> {
  return summarise(event);
}
