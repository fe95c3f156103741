/**
 * AWS SDK v3 clients for a backend — the only way the runner touches AWS
 * (DESIGN.md principle 1), plus the documented control API. Clients resolve
 * `sync-` host prefixes on loopback (StartSyncExecution) via hostPrefixLookup.
 */
import { Agent } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Backend } from '../backends/backend.ts';
import { hostPrefixLookup } from '../protocol/host.ts';

export type ServiceName = 'states' | 's3' | 'lambda' | 'secretsmanager' | 'sns' | 'sqs' | 'dynamodb' | 'events';

export interface AwsClients {
  s3: S3Client;
  sfn: SFNClient;
  lambda: LambdaClient;
  secrets: SecretsManagerClient;
  sns: SNSClient;
  sqs: SQSClient;
  events: EventBridgeClient;
  dynamodb: DynamoDBClient;
  /** The Document client over `dynamodb`: plain JSON items (given.items, then.items). */
  documents: DynamoDBDocumentClient;
  destroy(): void;
}

/** The URL of one service on a backend (Step Functions Local serves only `states` on its own port). */
export function serviceEndpoint(backend: Backend, service: ServiceName): string {
  const extra = (backend as Backend & { serviceEndpoints?: Partial<Record<ServiceName, string>> }).serviceEndpoints;
  return extra?.[service] ?? backend.endpoint;
}

export function createClients(backend: Backend): AwsClients {
  const httpAgent = new Agent({ keepAlive: true, maxSockets: 64, lookup: hostPrefixLookup });
  // The options form of requestHandler: the SDK builds its NodeHttpHandler with our agent.
  const requestHandler = { httpAgent, requestTimeout: 120_000 };
  const base = (service: ServiceName) => ({
    endpoint: serviceEndpoint(backend, service),
    region: backend.region,
    credentials: backend.credentials,
    requestHandler,
    maxAttempts: 1,
  });
  // Each client is made when the run first uses it: a project's scenarios use some services, and each client
  // costs its package's load (5–35 ms; scripts/build.ts requires an SDK package on first use).
  const makers: { [K in Exclude<keyof AwsClients, 'destroy'>]: () => AwsClients[K] } = {
    s3: () => new S3Client({ ...base('s3'), forcePathStyle: true }),
    sfn: () => new SFNClient(base('states')),
    lambda: () => new LambdaClient(base('lambda')),
    secrets: () => new SecretsManagerClient(base('secretsmanager')),
    sns: () => new SNSClient(base('sns')),
    sqs: () => new SQSClient(base('sqs')),
    events: () => new EventBridgeClient(base('events')),
    dynamodb: () => new DynamoDBClient(base('dynamodb')),
    // It sends through the DynamoDB client: destroying that one is enough.
    documents: () => DynamoDBDocumentClient.from(clients.dynamodb, { marshallOptions: { removeUndefinedValues: true } }),
  };
  const made = new Map<string, { destroy(): void }>();
  const clients = {
    destroy() {
      for (const [name, c] of made) if (name !== 'documents') c.destroy();
      httpAgent.destroy();
    },
  } as AwsClients;
  for (const [name, make] of Object.entries(makers)) {
    Object.defineProperty(clients, name, {
      enumerable: true,
      get: () => {
        let c = made.get(name);
        if (!c) made.set(name, (c = make()));
        return c;
      },
    });
  }
  return clients;
}
