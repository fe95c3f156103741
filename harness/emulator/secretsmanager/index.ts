/**
 * Secrets Manager on the embedded endpoint: awsJson 1.1, `X-Amz-Target:
 * secretsmanager.<Operation>`. Wiring only; see operations.ts, models.ts,
 * rotation.ts.
 */
import type { JsonOperation, JsonProtocolService } from '../../protocol/service.ts';
import { ownSnapshot, type EmulatedService, type ServiceDeps, type ServiceSnapshot } from '../service-deps.ts';
import { SecretStore, type Secret } from './models.ts';
import { SecretsManagerOperations } from './operations.ts';
import { Rotator } from './rotation.ts';

export const SECRETS_MANAGER_OPERATIONS = [
  'CreateSecret',
  'GetSecretValue',
  'PutSecretValue',
  'UpdateSecret',
  'DescribeSecret',
  'ListSecrets',
  'DeleteSecret',
  'RestoreSecret',
  'BatchGetSecretValue',
  'ListSecretVersionIds',
  'UpdateSecretVersionStage',
  'TagResource',
  'UntagResource',
  'RotateSecret',
  'CancelRotateSecret',
  'GetRandomPassword',
] as const;

interface SecretsSnapshot extends ServiceSnapshot {
  secrets: Secret[];
}

export function createSecretsManagerService(deps: ServiceDeps): EmulatedService {
  const store = new SecretStore(deps.dataDir);
  const rotator = new Rotator(deps, store);
  const ops = new SecretsManagerOperations(deps, store, rotator);
  for (const secret of store.all()) rotator.schedule(secret);

  const operations: Record<string, JsonOperation> = {};
  for (const name of SECRETS_MANAGER_OPERATIONS) {
    operations[name] = async (input, ctx) => {
      await ops.beforeEach();
      return ops[name](input, ctx);
    };
  }

  const protocol: JsonProtocolService = {
    kind: 'json',
    signingName: 'secretsmanager',
    targetPrefix: 'secretsmanager',
    jsonVersion: '1.1',
    operations,
  };

  return {
    name: 'secretsmanager',
    protocols: [protocol],
    reset() {
      rotator.cancelAll();
      store.clear();
      store.save();
    },
    snapshot: (): SecretsSnapshot => ({ service: 'secretsmanager', secrets: store.copy() }),
    restore(snapshot) {
      rotator.forgetAll();
      store.replaceAll(ownSnapshot<SecretsSnapshot>('secretsmanager', snapshot).secrets);
      for (const secret of store.all()) rotator.schedule(secret);
    },
    dispose() {
      rotator.cancelAll();
    },
  };
}
