/** The SecretsManagerClient, made once per execution environment (once.ts; see s3.ts for why one module per client). */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { once } from './once.ts';

export const secretsClient = once(() => new SecretsManagerClient({}));
