/**
 * The services corpus (../shared/conformance/services.json, recorded against
 * real AWS: executions that call DynamoDB, SQS, SNS, S3 or Secrets Manager,
 * with the setup each needs; its README gives the schema and the comparison
 * rules).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CORPUS_DIR, type ConformanceCase } from './cases.ts';

const here = dirname(fileURLToPath(import.meta.url));

/** One setup step of a services.json case: an API call made before the execution starts. */
export interface SetupStep {
  service: 'dynamodb' | 'sqs' | 'sns' | 's3' | 'secretsmanager';
  op: string;
  params: Record<string, unknown>;
  /** What AWS answered (CreateQueue's QueueUrl…). */
  result?: Record<string, unknown>;
  note?: string;
}

/** A resource value that occurs in the case, and how the recording shows it. */
export interface Binding {
  kind: string;
  value: string;
  /** Index into `setup`. */
  step: number;
  /** JSONPath into `{params, result}` of that step, where the runner's real value is. */
  from: string;
  recordedAs: string;
  inDefinitionOrInput: boolean;
}

/** services.json: a case whose tasks call DynamoDB, SQS, SNS, S3 or Secrets Manager (see the README, "services.json"). */
export interface ServiceCase extends Omit<ConformanceCase, 'lambda'> {
  setup: SetupStep[];
  bindings: Binding[];
  source: { localstackSkipVerifyPaths: Array<{ path: string; conditional: boolean }> } & Record<string, unknown>;
  features: { services: string[]; integrations: string[]; concurrentBranches?: boolean } & Record<string, unknown>;
}

export const SERVICES_FILE = resolve(CORPUS_DIR, 'services.json');

export function servicesCorpusAvailable(): boolean {
  return existsSync(SERVICES_FILE);
}

export function loadServiceCases(): ServiceCase[] {
  return JSON.parse(readFileSync(SERVICES_FILE, 'utf8')) as ServiceCase[];
}

export function loadServiceKnownFailures(): Record<string, string> {
  return JSON.parse(readFileSync(resolve(here, 'services-known-failures.json'), 'utf8')) as Record<string, string>;
}
