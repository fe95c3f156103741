/**
 * `--backend localstack`: LocalStack (S3, Secrets Manager, Step Functions,
 * Lambda, SNS) from docker-compose.yml's `localstack` profile. Current images
 * refuse to start without LOCALSTACK_AUTH_TOKEN, so we check it before pulling
 * anything. Function faults become a MockConfigFile (SFN_MOCK_CONFIG,
 * LocalStack ≥ 4.4); there is no virtual time, operation-fault or observation API.
 */
import { RehearseError } from '../core/index.ts';
import { BACKEND_CAPABILITIES } from './capabilities.ts';
import { composeProject, DEFAULT_REGION, makeDockerBackend, type DockerBackend, type DockerBackendOptions } from './docker-backend.ts';
import { requireEngine } from './docker-engine.ts';
import { DEFAULT_MOCK_CONFIG } from './images.ts';
import { launchServing, writeMockConfig, type Launched } from './launcher.ts';
import { waitUntilServing } from './readiness.ts';

export const LOCALSTACK_TOKEN_HINT =
  'Sign up free at https://app.localstack.cloud, copy the token from Workspace → Auth Token, then `export LOCALSTACK_AUTH_TOKEN=ls-…` (in CI: a secret). ' +
  'Or use `--backend stepfunctions-local` or `--backend embedded`, which need no token.';

/** The token, or a clear error saying it is missing and where to get one. */
export function requireAuthToken(env: Record<string, string | undefined>): string {
  const token = env.LOCALSTACK_AUTH_TOKEN?.trim();
  if (!token) {
    throw new RehearseError('ERR_BACKEND_UNAVAILABLE', 'LOCALSTACK_AUTH_TOKEN is not set: LocalStack images since 2026.03 do not start without an auth token', {
      hint: LOCALSTACK_TOKEN_HINT,
    });
  }
  return token;
}

/** The variables docker-compose.yml interpolates for the localstack profile. */
export function localStackVariables(token: string, mockConfigPath: string, hostPort = 0): Record<string, string> {
  return { LOCALSTACK_AUTH_TOKEN: token, REHEARSE_LOCALSTACK_PORT: String(hostPort), REHEARSE_SFN_MOCK_CONFIG: mockConfigPath };
}

const NEEDED = ['s3', 'secretsmanager', 'stepfunctions', 'lambda', 'sns'];

/** `/_localstack/health` → `{ services: { s3: "running" | "available" | "disabled" | … } }`. */
export function localStackServicesReady(body: string): boolean {
  try {
    const services = (JSON.parse(body) as { services?: Record<string, string> }).services ?? {};
    return NEEDED.every((s) => services[s] === 'running' || services[s] === 'available');
  } catch {
    return false;
  }
}

export async function startLocalStack(options: DockerBackendOptions = {}): Promise<DockerBackend> {
  const env = options.env ?? process.env;
  // Engine first: without Docker the token question does not arise.
  await requireEngine('the localstack backend', { run: options.run, env });
  const token = requireAuthToken(env);
  const mocks = options.mockConfig ? writeMockConfig(options.mockConfig) : undefined;
  const project = composeProject('localstack', ['localstack'], localStackVariables(token, mocks?.path ?? DEFAULT_MOCK_CONFIG, options.hostPorts?.localstack), options);
  const launched = await launchServing('localstack', project, [{ service: 'localstack', port: 4566 }], options, mocks, (l) =>
    // Healthy early; wait until every service we use reports available/running.
    waitUntilServing('LocalStack', `${localStackUrl(l)}/_localstack/health`, { method: 'GET' }, (status, body) => status === 200 && localStackServicesReady(body), options.readiness),
  );
  const url = localStackUrl(launched);
  return makeDockerBackend({
    name: 'localstack',
    endpoint: url,
    serviceEndpoints: {},
    capabilities: { ...BACKEND_CAPABILITIES.localstack },
    region: options.region ?? DEFAULT_REGION,
    projectName: project.projectName,
    dispose: async () => {
      try {
        await launched.down();
      } finally {
        mocks?.remove();
      }
    },
  });
}

const localStackUrl = (l: Launched) => `http://127.0.0.1:${l.ports['localstack:4566']}`;
