/**
 * Every services.json case (executions recorded against real AWS that call
 * DynamoDB, SQS, SNS, S3 or Secrets Manager) on a real embedded endpoint.
 * Fails when a case that conformance/services-known-failures.json does not
 * list (each with its reason) fails.
 */
import { describe, expect, it } from 'vitest';
import { loadServiceCases, loadServiceKnownFailures, servicesCorpusAvailable, SERVICES_FILE, type ServiceCase } from './conformance/services-cases.ts';
import { runServiceCases } from './conformance/services-runner.ts';

const available = servicesCorpusAvailable();
const cases: ServiceCase[] = available ? loadServiceCases() : [];
const known = available ? loadServiceKnownFailures() : {};

describe.skipIf(!available)(available ? 'services conformance corpus' : `services conformance corpus (skipped: ${SERVICES_FILE} is absent)`, () => {
  it('lists every known failure with a reason, for a case that exists', () => {
    const ids = new Set(cases.map((c) => c.id));
    for (const [id, reason] of Object.entries(known)) {
      expect(ids.has(id), id).toBe(true);
      expect(reason.length, `reason for ${id}`).toBeGreaterThan(20);
    }
  });

  it('no unexpected failures', async () => {
    const results = await runServiceCases(cases);
    const unexpected = results.filter((r) => !r.passed && known[r.id] === undefined).map((r) => `${r.id}\n    ${r.reasons.join('\n    ')}`);
    expect(unexpected, unexpected.join('\n')).toEqual([]);
  }, 120_000);
});
