/**
 * The TestState corpus (../shared/conformance/test-state.json, recorded
 * against real AWS; its README gives the schema and the comparison rules).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CORPUS_DIR, type CaseLambda } from './cases.ts';

export interface TestStateCase {
  id: string;
  request: {
    definitionText: string;
    inputText?: string;
    roleArn?: string;
    inspectionLevel?: string;
    stateName?: string;
    revealSecrets?: boolean;
    variables?: string;
    context?: string;
    mock?: Record<string, unknown>;
    stateConfiguration?: Record<string, unknown>;
  };
  lambda: CaseLambda[] | null;
  expected:
    | { kind: 'response'; response: Record<string, unknown>; placeholders: Array<{ path: string; value: unknown }> }
    | { kind: 'error'; error: { code: string; message: string } };
  features: Record<string, unknown>;
}

const here = dirname(fileURLToPath(import.meta.url));
export const TEST_STATE_FILE = resolve(CORPUS_DIR, 'test-state.json');

export function testStateCorpusAvailable(): boolean {
  return existsSync(TEST_STATE_FILE);
}

export function loadTestStateCases(): TestStateCase[] {
  return JSON.parse(readFileSync(TEST_STATE_FILE, 'utf8')) as TestStateCase[];
}

export function loadTestStateKnownFailures(): Record<string, string> {
  return JSON.parse(readFileSync(resolve(here, 'test-state-known-failures.json'), 'utf8')) as Record<string, string>;
}
