/**
 * AWS::SecretsManager::Secret. Its value comes from the scenario
 * (`given.secrets`) or a fixtures file first, else from the template's
 * SecretString; a secret with neither (GenerateSecretString, or no value, as
 * the reference workload's) is created only once a value is given.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-secretsmanager-secret.html
 */
import { CreateSecretCommand, DescribeSecretCommand, GetSecretValueCommand, ListSecretsCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { ResourceModule } from './types.ts';
import { everyName } from './listing.ts';

export interface SecretSpec {
  logicalId: string;
  name: string;
  description?: string;
  secretString?: string;
  generated: boolean;
}

export const secretsManagerSecret: ResourceModule<SecretSpec> = {
  types: ['AWS::SecretsManager::Secret'],
  properties: ['Name', 'Description', 'SecretString', 'GenerateSecretString'],
  read(input) {
    const p = input.properties;
    const spec: SecretSpec = { logicalId: input.logicalId, name: typeof p.Name === 'string' ? p.Name : input.logicalId, generated: p.GenerateSecretString !== undefined };
    if (typeof p.Description === 'string') spec.description = p.Description;
    if (typeof p.SecretString === 'string') spec.secretString = p.SecretString;
    return spec;
  },
  // A real ARN ends in a random 6-character suffix; the partial ARN (no suffix) is accepted wherever a SecretId is.
  physical: (spec, c) => {
    const arn = `arn:${c.partition}:secretsmanager:${c.region}:${c.accountId}:secret:${spec.name}`;
    return { ref: arn, attributes: { Id: arn } };
  },
  async deploy(spec, scope) {
    const client = scope.client('secretsmanager', (config) => new SecretsManagerClient(config));
    const type = 'AWS::SecretsManager::Secret';
    const given = scope.options.secrets?.[spec.name];
    const value = given === undefined ? spec.secretString : typeof given === 'string' ? given : JSON.stringify(given);
    const predicted = secretsManagerSecret.physical(spec, scope.ctx);
    if (value === undefined) {
      const why = spec.generated ? 'GenerateSecretString is not run locally: give the value in the scenario (given.secrets) or a fixtures file' : 'no value given (scenario given.secrets or a fixtures file) and the template holds none';
      scope.change({ type, logicalId: spec.logicalId, physicalId: spec.name, action: 'skipped', detail: why });
      return predicted;
    }
    const existed = (await scope.before('secretsmanager:secrets', () => secretNames(client))).has(spec.name);
    const existing = !existed
      ? undefined
      : await client.send(new DescribeSecretCommand({ SecretId: spec.name })).catch((e: unknown) => {
          if ((e as { name?: string }).name === 'ResourceNotFoundException') return undefined;
          throw e;
        });
    if (!existing) {
      const out = await client.send(new CreateSecretCommand({ Name: spec.name, SecretString: value, ...(spec.description ? { Description: spec.description } : {}) }));
      scope.change({ type, logicalId: spec.logicalId, physicalId: spec.name, action: 'created' });
      return { ref: out.ARN ?? predicted.ref, attributes: { Id: out.ARN ?? predicted.ref } };
    }
    const arn = existing.ARN ?? predicted.ref;
    const current = await client.send(new GetSecretValueCommand({ SecretId: spec.name })).then(
      (o) => o.SecretString,
      () => undefined,
    );
    if (current === value) {
      scope.change({ type, logicalId: spec.logicalId, physicalId: spec.name, action: 'unchanged' });
    } else {
      await client.send(new PutSecretValueCommand({ SecretId: spec.name, SecretString: value }));
      scope.change({ type, logicalId: spec.logicalId, physicalId: spec.name, action: 'updated', detail: 'new secret version' });
    }
    return { ref: arn, attributes: { Id: arn } };
  },
};

/** Every secret's name (ListSecrets, all pages). */
function secretNames(client: SecretsManagerClient): Promise<Set<string>> {
  return everyName((NextToken) => client.send(new ListSecretsCommand({ NextToken })), (p) => p.NextToken, (p) => p.SecretList?.map((s) => s.Name));
}
