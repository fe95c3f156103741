/**
 * Access to ../shared/conformance/cases.json (executions recorded against
 * real AWS) for the expression-layer tests. Tests skip when it is absent.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface CorpusCase {
  id: string;
  category: string;
  definition: { StartAt: string; States: Record<string, Record<string, unknown>>; QueryLanguage?: string };
  input: unknown;
  expected: {
    status: string;
    output: unknown;
    error: string | null;
    cause: unknown;
    placeholders?: Array<{ path: string; value: string }>;
  };
}

const here = dirname(fileURLToPath(import.meta.url));
export const CORPUS_PATH = resolve(here, '../../../../shared/conformance/cases.json');
export const CORPUS_PRESENT = existsSync(CORPUS_PATH);

let cached: CorpusCase[] | undefined;
export function corpus(): CorpusCase[] {
  if (!CORPUS_PRESENT) return [];
  cached ??= JSON.parse(readFileSync(CORPUS_PATH, 'utf8')) as CorpusCase[];
  return cached;
}

/** The context object as the recordings show it (placeholders in place of volatile values). */
export function contextFor(input: unknown, stateName: string): Record<string, unknown> {
  return {
    Execution: {
      Id: 'arn:<partition>:states:<region>:111111111111:execution:<ArnPart_0idx>:<ExecArnPart_0idx>',
      Input: input,
      Name: '<ExecArnPart_0idx>',
      RoleArn: 'snf_role_arn',
      StartTime: 'date',
      RedriveCount: 0,
    },
    StateMachine: { Id: 'arn:<partition>:states:<region>:111111111111:stateMachine:<ArnPart_0idx>', Name: '<ArnPart_0idx>' },
    State: { Name: stateName, EnteredTime: 'date', RetryCount: 0 },
  };
}

export const WHERE = { stateName: 'State_0', enteredEventId: 2 };
