/**
 * `--backend stepfunctions-local`: AWS Step Functions Local runs the state
 * machines; the rehearse container (docker/rehearse) serves S3, Secrets
 * Manager, SNS, DynamoDB and Lambda — Step Functions Local's LAMBDA_ENDPOINT,
 * SNS_ENDPOINT and DYNAMODB_ENDPOINT point at it — so our Lambda runtime, fault injection and
 * observations work through its control API. No auth token needed.
 */
import { BACKEND_CAPABILITIES } from './capabilities.ts';
import { composeProject, DEFAULT_REGION, makeDockerBackend, type DockerBackend, type DockerBackendOptions } from './docker-backend.ts';
import { DEFAULT_MOCK_CONFIG } from './images.ts';
import { launchServing, writeMockConfig, type Launched } from './launcher.ts';
import { awsJsonProbe, waitUntilServing } from './readiness.ts';

export function stepFunctionsLocalVariables(mockConfigPath: string, ports: DockerBackendOptions['hostPorts'] = {}): Record<string, string> {
  return {
    REHEARSE_PORT: String(ports.rehearse ?? 0),
    REHEARSE_SFN_PORT: String(ports['stepfunctions-local'] ?? 0),
    REHEARSE_SFN_MOCK_CONFIG: mockConfigPath,
    // Step Functions Local's timers are real, so the rehearse container's must be too.
    REHEARSE_CLOCK: 'real',
  };
}

export async function startStepFunctionsLocal(options: DockerBackendOptions = {}): Promise<DockerBackend> {
  const mocks = options.mockConfig ? writeMockConfig(options.mockConfig) : undefined;
  const project = composeProject(
    'stepfunctions-local',
    ['stepfunctions-local'],
    stepFunctionsLocalVariables(mocks?.path ?? DEFAULT_MOCK_CONFIG, options.hostPorts),
    options,
  );
  const launched = await launchServing(
    'stepfunctions-local',
    project,
    [
      { service: 'rehearse', port: 4566 },
      { service: 'stepfunctions-local', port: 8083 },
    ],
    options,
    mocks,
    (l) =>
      waitUntilServing('Step Functions Local', statesUrl(l), awsJsonProbe('AWSStepFunctions.ListStateMachines'), (status, body) => status === 200 && body.includes('stateMachines'), options.readiness),
  );
  const rehearse = `http://127.0.0.1:${launched.ports['rehearse:4566']}`;
  const states = statesUrl(launched);
  return makeDockerBackend({
    name: 'stepfunctions-local',
    endpoint: rehearse,
    serviceEndpoints: { states },
    capabilities: { ...BACKEND_CAPABILITIES['stepfunctions-local'] },
    controlUrl: `${rehearse}/_rehearse`,
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

const statesUrl = (l: Launched) => `http://127.0.0.1:${l.ports['stepfunctions-local:8083']}`;
