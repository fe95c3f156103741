/** The SecretsManagerClient, created once per execution environment and reused by warm invocations (see s3.ts for why one module per client). */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

let client: SecretsManagerClient | undefined;

export function secretsClient(): SecretsManagerClient {
  client ??= new SecretsManagerClient({});
  return client;
}
