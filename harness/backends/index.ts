/**
 * `createBackend(spec, options)`: how an endpoint comes to exist for a run
 * (DESIGN.md "Backend = an endpoint URL + what it can do"). Every failure is a
 * RehearseError saying what is missing and how to fix it: no Docker engine →
 * ERR_BACKEND_UNAVAILABLE (exit 3) pointing at `--backend embedded`; no
 * LocalStack token, a missing image, a taken port → which one, and the fix.
 */
import { closest } from 'fastest-levenshtein';
import { RehearseError } from '../core/index.ts';
import type { Backend, BackendName } from './backend.ts';
import type { DockerBackendOptions } from './docker-backend.ts';
import { startEmbedded, type EmbeddedOptions } from './embedded.ts';
import { connectEndpoint, parseEndpointUrl, type EndpointOptions } from './endpoint.ts';

export type BackendSpec = 'embedded' | 'localstack' | 'stepfunctions-local' | `endpoint=${string}`;

export type CreateBackendOptions = DockerBackendOptions & EndpointOptions & EmbeddedOptions;

const KINDS = ['embedded', 'localstack', 'stepfunctions-local', 'endpoint=URL'] as const;

/** Parses `--backend` values; unknown names get a did-you-mean. */
export function parseBackendSpec(spec: string): { kind: BackendName; url?: string } {
  const s = spec.trim();
  if (s === 'embedded' || s === 'localstack' || s === 'stepfunctions-local') return { kind: s };
  if (s.startsWith('endpoint=')) return { kind: 'endpoint', url: parseEndpointUrl(s.slice('endpoint='.length)) };
  if (s === 'endpoint') throw new RehearseError('ERR_BAD_INPUT', '--backend endpoint needs a URL: --backend endpoint=http://127.0.0.1:4566');
  if (/^https?:\/\//.test(s)) throw new RehearseError('ERR_BAD_INPUT', `--backend ${s}: write --backend endpoint=${s}`);
  const guess = closest(s, [...KINDS]);
  throw new RehearseError('ERR_BAD_INPUT', `unknown backend ${JSON.stringify(spec)} (expected one of: ${KINDS.join(', ')})${guess ? `; did you mean ${guess}?` : ''}`);
}

export async function createBackend(spec: BackendSpec | string, options: CreateBackendOptions = {}): Promise<Backend> {
  const parsed = parseBackendSpec(spec);
  switch (parsed.kind) {
    case 'embedded':
      return startEmbedded(options);
    // The Docker backends (compose, execa) load only when asked for.
    case 'localstack':
      return (await import('./localstack.ts')).startLocalStack(options);
    case 'stepfunctions-local':
      return (await import('./stepfunctions-local.ts')).startStepFunctionsLocal(options);
    case 'endpoint':
      return connectEndpoint(parsed.url!, options);
  }
}

export type { Backend, BackendName, Capabilities } from './backend.ts';
export { BACKEND_CAPABILITIES, skipReason, unsupported, unsupportedReason, capabilityTable, NEEDS, type Need } from './capabilities.ts';
export { buildMockConfig, mockTestCaseName, mockedExecutionTarget, validateMockConfig, type MockConfigFile, type MockTestCase, type MockConfigBuild } from './mock-config.ts';
export { endpointFor, type DockerBackend, type ServiceName } from './docker-backend.ts';
export { detectEngine, requireEngine } from './docker-engine.ts';
