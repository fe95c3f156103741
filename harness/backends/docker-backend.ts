/** What the Docker-started backends share: the Backend shape, per-service endpoints, option plumbing. */
import type { Backend, BackendName, Capabilities } from './backend.ts';
import { projectName, type ComposeProfile, type ComposeProject } from './compose.ts';
import { COMPOSE_FILE } from './images.ts';
import type { LaunchOptions } from './launcher.ts';
import type { MockConfigFile } from './mock-config.ts';
import type { ReadinessOptions } from './readiness.ts';

/** Signing names of the services a scenario's SDK clients talk to. */
export type ServiceName = 'states' | 's3' | 'lambda' | 'secretsmanager' | 'sns';

/**
 * A backend whose services do not all share one URL (Step Functions Local
 * serves only `states`). `serviceEndpoints` overrides `endpoint` per service;
 * see the note in /work/TEAM/notes.md proposing it for backend.ts.
 */
export interface DockerBackend extends Backend {
  readonly serviceEndpoints: Partial<Record<ServiceName, string>>;
  /** The compose project holding the containers (`docker compose -p NAME logs`). */
  readonly projectName: string;
}

/** The URL an SDK client for `service` should use on `backend`. */
export function endpointFor(backend: Backend & { serviceEndpoints?: Partial<Record<ServiceName, string>> }, service: ServiceName): string {
  return backend.serviceEndpoints?.[service] ?? backend.endpoint;
}

export interface DockerBackendOptions extends LaunchOptions {
  /** Where LOCALSTACK_AUTH_TOKEN and REHEARSE_* overrides come from (default process.env). */
  env?: Record<string, string | undefined>;
  /** Compose project name (default: unique per process, so parallel runs never share containers). */
  projectName?: string;
  /** Mounted as SFN_MOCK_CONFIG; read once when the container boots. */
  mockConfig?: MockConfigFile;
  region?: string;
  /** Fixed host ports (default 0: Docker picks free ones and we ask `docker compose port`). */
  hostPorts?: Partial<Record<'rehearse' | 'localstack' | 'stepfunctions-local', number>>;
  /** How long to wait for the first real API answer after `up --wait` (tests shorten it). */
  readiness?: ReadinessOptions;
}

export const DEFAULT_REGION = 'us-east-1';
export const DUMMY_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' } as const;

export function composeProject(
  name: Exclude<BackendName, 'embedded' | 'endpoint'>,
  profiles: ComposeProfile[],
  variables: Record<string, string>,
  options: Pick<DockerBackendOptions, 'projectName' | 'env'>,
  pid: number = process.pid,
): ComposeProject {
  // Which engine and how Compose behaves come from the caller's environment (DOCKER_HOST, DOCKER_CONTEXT, COMPOSE_*).
  const passthrough: Record<string, string> = {};
  for (const [k, v] of Object.entries(options.env ?? process.env)) if (v !== undefined && /^(DOCKER_|COMPOSE_)/.test(k)) passthrough[k] = v;
  return { file: COMPOSE_FILE, projectName: options.projectName ?? projectName(name, pid), profiles, env: { ...passthrough, ...variables } };
}

export function makeDockerBackend(fields: {
  name: BackendName;
  endpoint: string;
  serviceEndpoints: Partial<Record<ServiceName, string>>;
  capabilities: Capabilities;
  controlUrl?: string;
  region: string;
  projectName: string;
  dispose: () => Promise<void>;
}): DockerBackend {
  let disposed: Promise<void> | undefined;
  const dispose = () => (disposed ??= fields.dispose());
  return {
    name: fields.name,
    endpoint: fields.endpoint,
    serviceEndpoints: fields.serviceEndpoints,
    region: fields.region,
    credentials: { ...DUMMY_CREDENTIALS },
    capabilities: fields.capabilities,
    ...(fields.controlUrl ? { controlUrl: fields.controlUrl } : {}),
    projectName: fields.projectName,
    dispose,
    [Symbol.asyncDispose]: dispose,
  };
}
