/**
 * The conformance corpus (../shared/conformance/cases.json, recorded against
 * real AWS; see its README for the schema and comparison rules).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface LambdaBehaviour {
  kind: 'identity' | 'constant' | 'raise' | 'constant-large-string';
  value?: unknown;
  errorType?: string;
  errorMessage?: string;
  length?: number;
  character?: string;
  delaySeconds?: number;
}

export interface CaseLambda {
  functionName: string;
  functionArn: string;
  integration: string;
  handlerFile: string;
  behaviour: LambdaBehaviour;
}

export interface ConformanceCase {
  id: string;
  category: string;
  stateMachineType: 'STANDARD' | 'EXPRESS';
  definitionText: string;
  inputText: string;
  lambda: CaseLambda[] | null;
  expected: {
    status: string;
    output: unknown;
    error: string | null;
    cause: unknown;
    causeIsParsedJson: boolean;
    historyEventTypes: string[] | null;
    history: Array<Record<string, unknown>> | null;
    placeholders: Array<{ path: string; value: unknown }>;
  };
  features: { concurrentBranches?: boolean } & Record<string, unknown>;
}

const here = dirname(fileURLToPath(import.meta.url));
/** `shared/conformance` beside the checkout; REHEARSE_CONFORMANCE_DIR points elsewhere (a worktree in a sub-folder). */
export const CORPUS_DIR = process.env.REHEARSE_CONFORMANCE_DIR ?? resolve(here, '../../../../shared/conformance');
export const CORPUS_FILE = resolve(CORPUS_DIR, 'cases.json');

export function corpusAvailable(): boolean {
  return existsSync(CORPUS_FILE);
}

export function loadCases(): ConformanceCase[] {
  return JSON.parse(readFileSync(CORPUS_FILE, 'utf8')) as ConformanceCase[];
}

export function loadKnownFailures(): Record<string, string> {
  return JSON.parse(readFileSync(resolve(here, 'known-failures.json'), 'utf8')) as Record<string, string>;
}
