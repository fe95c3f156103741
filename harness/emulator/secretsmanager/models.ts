/**
 * The Secrets Manager store: secrets, their versions and staging labels, and
 * optional persistence to `<dataDir>/secretsmanager.json` (written to a temp
 * file and renamed, so a crash never leaves half a file).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

export const AWSCURRENT = 'AWSCURRENT';
export const AWSPREVIOUS = 'AWSPREVIOUS';
export const AWSPENDING = 'AWSPENDING';

/** AWS keeps about 100 versions; beyond that it removes deprecated (unlabelled) ones. */
export const MAX_VERSIONS = 100;

export interface SecretVersion {
  versionId: string;
  secretString?: string;
  /** Base64, as it travels in awsJson. */
  secretBinary?: string;
  stages: string[];
  createdDate: number;
  lastAccessedDate?: number;
}

export interface RotationRules {
  AutomaticallyAfterDays?: number;
  Duration?: string;
  ScheduleExpression?: string;
}

export interface Tag {
  Key: string;
  Value: string;
}

export interface Secret {
  arn: string;
  name: string;
  description?: string;
  kmsKeyId?: string;
  tags: Tag[];
  createdDate: number;
  lastChangedDate: number;
  lastAccessedDate?: number;
  /** When DeleteSecret was called (DescribeSecret `DeletedDate`). */
  deletedDate?: number;
  /** When the secret will be gone for good (DeleteSecret `DeletionDate`). */
  deletionDate?: number;
  rotationEnabled?: boolean;
  rotationLambdaArn?: string;
  rotationRules?: RotationRules;
  lastRotatedDate?: number;
  nextRotationDate?: number;
  /** In creation order. */
  versions: SecretVersion[];
}

export function hasValue(v: SecretVersion): boolean {
  return v.secretString !== undefined || v.secretBinary !== undefined;
}

export function versionWithStage(secret: Secret, stage: string): SecretVersion | undefined {
  return secret.versions.find((v) => v.stages.includes(stage));
}

/**
 * Attaches `stage` to `target`, removing it from whichever version had it. Moving
 * AWSCURRENT also moves AWSPREVIOUS to the version AWSCURRENT left
 * (API_UpdateSecretVersionStage: "Whenever you move AWSCURRENT, Secrets Manager
 * automatically moves the label AWSPREVIOUS to the version that AWSCURRENT was removed from").
 */
export function attachStage(secret: Secret, stage: string, target: SecretVersion): void {
  const holder = versionWithStage(secret, stage);
  if (holder === target) return;
  if (holder) holder.stages = holder.stages.filter((s) => s !== stage);
  target.stages.push(stage);
  if (stage === AWSCURRENT && holder) attachStage(secret, AWSPREVIOUS, holder);
}

export function detachStage(version: SecretVersion, stage: string): void {
  version.stages = version.stages.filter((s) => s !== stage);
}

/** Drops the oldest deprecated (unlabelled) versions beyond MAX_VERSIONS, as AWS does. */
export function pruneVersions(secret: Secret): void {
  while (secret.versions.length > MAX_VERSIONS) {
    const i = secret.versions.findIndex((v) => v.stages.length === 0);
    if (i < 0) return;
    secret.versions.splice(i, 1);
  }
}

export class SecretStore {
  private secrets = new Map<string, Secret>();
  private readonly file: string | undefined;

  constructor(dataDir?: string) {
    this.file = dataDir ? join(dataDir, 'secretsmanager.json') : undefined;
    if (this.file && existsSync(this.file)) {
      const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as { secrets?: Secret[] };
      for (const s of parsed.secrets ?? []) this.secrets.set(s.arn, s);
    }
  }

  all(): Secret[] {
    return [...this.secrets.values()];
  }

  byName(name: string): Secret | undefined {
    return this.all().find((s) => s.name === name);
  }

  /**
   * A SecretId is a name, a full ARN, or a partial ARN (the ARN without the
   * `-XXXXXX` suffix) — see "Finding a secret from a partial ARN" in the
   * Secrets Manager user guide.
   */
  find(secretId: string): Secret | undefined {
    if (secretId.startsWith('arn:')) {
      const exact = this.secrets.get(secretId);
      if (exact) return exact;
      return this.all().find((s) => s.arn.length === secretId.length + 7 && s.arn.startsWith(`${secretId}-`));
    }
    return this.byName(secretId);
  }

  put(secret: Secret): void {
    this.secrets.set(secret.arn, secret);
  }

  remove(secret: Secret): void {
    this.secrets.delete(secret.arn);
  }

  clear(): void {
    this.secrets = new Map();
  }

  /** A deep copy of every secret (snapshots). */
  copy(): Secret[] {
    return structuredClone(this.all());
  }

  /** Replaces every secret with a deep copy of `secrets`, and saves. */
  replaceAll(secrets: readonly Secret[]): void {
    this.secrets = new Map(structuredClone(secrets).map((s) => [s.arn, s]));
    this.save();
  }

  /** Writes the whole store atomically (tmp file + rename). */
  save(): void {
    if (!this.file) return;
    mkdirSync(join(this.file, '..'), { recursive: true });
    const tmp = `${this.file}.tmp`;
    writeFileSync(tmp, JSON.stringify({ version: 1, secrets: this.all() }), { mode: 0o600 });
    renameSync(tmp, this.file);
  }
}
