/**
 * The `services:` line of `npm run conformance`: every services.json case on a
 * real embedded endpoint, the pass rate per service, the stricter full-history
 * check, and (with -v) each failure's reasons.
 */
import { loadServiceCases, loadServiceKnownFailures, SERVICES_FILE, servicesCorpusAvailable } from './services-cases.ts';
import { byService, runServiceCases } from './services-runner.ts';

export async function reportServices(verbose: boolean, full: boolean, filter: string | undefined): Promise<void> {
  if (!servicesCorpusAvailable()) {
    console.log(`services: corpus not found at ${SERVICES_FILE}`);
    return;
  }
  const known = loadServiceKnownFailures();
  const cases = loadServiceCases().filter((c) => filter === undefined || c.id.includes(filter));
  const started = performance.now();
  const results = await runServiceCases(cases);
  console.log('');
  for (const [service, e] of [...byService(results)].sort()) console.log(`services/${service.padEnd(19)} ${String(e.passed).padStart(4)} passed ${String(e.failed).padStart(4)} failed`);
  const failed = results.filter((r) => !r.passed);
  if (verbose) for (const r of failed) console.log(`\nFAIL ${r.id}${known[r.id] ? ' (known)' : ''}\n  ${r.reasons.join('\n  ')}`);
  const withHistory = results.filter((r) => r.fullHistoryDiff !== undefined);
  if (full) for (const r of withHistory) if (r.fullHistoryDiff) console.log(`HISTORY ${r.id}\n  ${r.fullHistoryDiff}`);
  const nowPassing = results.filter((r) => r.passed && known[r.id] !== undefined);
  for (const r of nowPassing) console.log(`now passes, remove from services-known-failures.json: ${r.id}`);
  const unexpected = failed.filter((r) => known[r.id] === undefined).length;
  console.log(`services full history (optional stricter check): ${withHistory.filter((r) => r.fullHistoryDiff === null).length}/${withHistory.length} exact`);
  console.log(`${failed.length - unexpected} known failures, ${unexpected} unexpected; in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  console.log(`services: ${results.length - failed.length} passed, ${failed.length} failed`);
}
