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
  const made: Array<{ destroy(): void }> = [];
  const lazy = <T extends { destroy(): void }>(make: () => T, owned = true): (() => T) => {
    let client: T | undefined;
    return () => {
      if (!client) {
        client = make();
        if (owned) made.push(client);
      }
      return client;
    };
  };
  const s3 = lazy(() => new S3Client({ ...base('s3'), forcePathStyle: true }));
  const sfn = lazy(() => new SFNClient(base('states')));
  const lambda = lazy(() => new LambdaClient(base('lambda')));
  const secrets = lazy(() => new SecretsManagerClient(base('secretsmanager')));
  const sns = lazy(() => new SNSClient(base('sns')));
  const sqs = lazy(() => new SQSClient(base('sqs')));
  const events = lazy(() => new EventBridgeClient(base('events')));
  const dynamodb = lazy(() => new DynamoDBClient(base('dynamodb')));
  // The Document client sends through the DynamoDB client: destroying that one is enough.
  const documents = lazy(() => DynamoDBDocumentClient.from(dynamodb(), { marshallOptions: { removeUndefinedValues: true } }), false);
  return {
    get s3() {
      return s3();
    },
    get sfn() {
      return sfn();
    },
    get lambda() {
      return lambda();
    },
    get secrets() {
      return secrets();
    },
    get sns() {
      return sns();
    },
    get sqs() {
      return sqs();
    },
    get events() {
      return events();
    },
    get dynamodb() {
      return dynamodb();
    },
    get documents() {
      return documents();
    },
    destroy() {
      for (const c of made) c.destroy();
      httpAgent.destroy();
    },
  };
}
