/**
 * Secrets Manager operations (API reference, 2017-10-17). Each takes the
 * decoded JSON input and returns the JSON output; errors are AwsServiceErrors
 * from errors.ts. Secret values never go into a message or a log line.
 */
import type { RequestContext } from '../../protocol/service.ts';
import type { ServiceDeps } from '../service-deps.ts';
import {
  InvalidNextTokenException,
  InvalidParameterException,
  InvalidRequestException,
  ResourceExistsException,
  ResourceNotFoundException,
  markedForDeletion,
} from './errors.ts';
import { Input } from './input.ts';
import {
  AWSCURRENT,
  AWSPENDING,
  attachStage,
  detachStage,
  hasValue,
  pruneVersions,
  versionWithStage,
  type RotationRules,
  type Secret,
  type SecretStore,
  type SecretVersion,
  type Tag,
} from './models.ts';
import { randomPassword } from './password.ts';
import type { Rotator } from './rotation.ts';
import { nextRotationAfter, validateRotationRules } from './schedule.ts';

const DAY = 86_400_000;
/** API_CreateSecret: SecretString / SecretBinary are at most 65,536 bytes. */
const MAX_VALUE_BYTES = 65_536;
const NAME_PATTERN = /^[A-Za-z0-9/_+=.@-]+$/;
const SUFFIX_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** ClientRequestToken / VersionId: 32–64 characters. */
const TOKEN_RULE = { min: 32, max: 64 };
const SECRET_ID_RULE = { min: 1, max: 2048 };

/** awsJson timestamps are epoch seconds (fractions allowed). */
const seconds = (ms: number | undefined): number | undefined => (ms === undefined ? undefined : ms / 1000);

/** AWS reports LastAccessedDate rounded down to the day (API_DescribeSecret). */
const dayOf = (ms: number): number => Math.floor(ms / DAY) * DAY;

interface SecretValue {
  secretString?: string;
  secretBinary?: string;
}

export class SecretsManagerOperations {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly store: SecretStore,
    private readonly rotator: Rotator,
  ) {}

  private now(): number {
    return this.deps.clock.now();
  }

  /** Housekeeping AWS does in the background: removes secrets whose recovery window has ended, runs due rotations. */
  async beforeEach(): Promise<void> {
    const now = this.now();
    let changed = false;
    for (const s of this.store.all()) {
      if (s.deletionDate !== undefined && s.deletionDate <= now) {
        this.rotator.cancel(s);
        this.store.remove(s);
        changed = true;
      }
    }
    if (changed) this.store.save();
    await this.rotator.runDue();
  }

  // ---- lookups ---------------------------------------------------------------------------

  private secretId(inp: Input): string {
    return inp.string('SecretId', SECRET_ID_RULE);
  }

  private lookup(secretId: string): Secret {
    const secret = this.store.find(secretId);
    if (!secret) throw ResourceNotFoundException();
    return secret;
  }

  /** A secret that is not scheduled for deletion (every read or write of it needs one). */
  private live(secretId: string): Secret {
    const secret = this.lookup(secretId);
    if (secret.deletedDate !== undefined) throw markedForDeletion();
    return secret;
  }

  private readValue(inp: Input): SecretValue | undefined {
    const secretString = inp.optString('SecretString');
    const secretBinary = inp.optString('SecretBinary');
    if (secretString !== undefined && secretBinary !== undefined) {
      throw InvalidParameterException("You can't specify both a binary secret value and a string secret value in the same secret.");
    }
    if (secretString !== undefined && Buffer.byteLength(secretString) > MAX_VALUE_BYTES) {
      throw InvalidParameterException(`SecretString must be at most ${MAX_VALUE_BYTES} bytes.`);
    }
    if (secretBinary !== undefined) {
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(secretBinary)) throw InvalidParameterException('SecretBinary must be base64-encoded.');
      if (Buffer.from(secretBinary, 'base64').length > MAX_VALUE_BYTES) throw InvalidParameterException(`SecretBinary must be at most ${MAX_VALUE_BYTES} bytes.`);
    }
    if (secretString === undefined && secretBinary === undefined) return undefined;
    return { secretString, secretBinary };
  }

  private readTags(inp: Input, member: string): Tag[] | undefined {
    return inp.optList(member)?.map((t) => ({ Key: t.string('Key', { min: 1, max: 128 }), Value: t.optString('Value', { max: 256 }) ?? '' }));
  }

  /**
   * Writes a value as version `token` (or a new version) and attaches `stages`.
   * API_PutSecretValue: a retried request with the same token and the same value is
   * ignored; the same token with a different value is ResourceExistsException.
   */
  private writeVersion(secret: Secret, token: string | undefined, value: SecretValue, stages: string[]): SecretVersion {
    const versionId = token ?? this.deps.ids.uuid();
    let version = secret.versions.find((v) => v.versionId === versionId);
    if (version && hasValue(version)) {
      if (version.secretString === value.secretString && version.secretBinary === value.secretBinary) return version;
      throw ResourceExistsException("You can't modify an existing version, you can only create a new version.");
    }
    if (!version) {
      version = { versionId, stages: [], createdDate: this.now() };
      secret.versions.push(version);
    }
    if (value.secretString !== undefined) version.secretString = value.secretString;
    if (value.secretBinary !== undefined) version.secretBinary = value.secretBinary;
    for (const stage of stages) attachStage(secret, stage, version);
    secret.lastChangedDate = this.now();
    pruneVersions(secret);
    return version;
  }

  private newArn(name: string): string {
    let suffix = '';
    for (let i = 0; i < 6; i++) suffix += SUFFIX_CHARS[Math.floor(this.deps.ids.random() * SUFFIX_CHARS.length)];
    return `arn:aws:secretsmanager:${this.deps.region}:${this.deps.accountId}:secret:${name}-${suffix}`;
  }

  private recordRead(secretId: string, secret: Secret, version: SecretVersion, ctx: RequestContext, operation: 'GetSecretValue' | 'BatchGetSecretValue'): void {
    const now = this.now();
    const day = dayOf(now);
    const changed = secret.lastAccessedDate !== day || version.lastAccessedDate !== day;
    secret.lastAccessedDate = day;
    version.lastAccessedDate = day;
    if (changed) this.store.save();
    this.deps.observations.recordSecretRead({
      secretId,
      arn: secret.arn,
      versionId: version.versionId,
      versionStages: [...version.stages],
      caller: ctx.caller ?? 'client',
      operation,
      time: now,
    });
  }

  private valueOutput(secret: Secret, v: SecretVersion): Record<string, unknown> {
    return {
      ARN: secret.arn,
      Name: secret.name,
      VersionId: v.versionId,
      SecretString: v.secretString,
      SecretBinary: v.secretBinary,
      VersionStages: [...v.stages],
      CreatedDate: seconds(v.createdDate),
    };
  }

  private versionsToStages(secret: Secret): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const v of secret.versions) if (v.stages.length > 0) out[v.versionId] = [...v.stages];
    return out;
  }

  private describe(secret: Secret, versionsKey: 'VersionIdsToStages' | 'SecretVersionsToStages'): Record<string, unknown> {
    return {
      ARN: secret.arn,
      Name: secret.name,
      Description: secret.description,
      KmsKeyId: secret.kmsKeyId,
      RotationEnabled: secret.rotationEnabled,
      RotationLambdaARN: secret.rotationLambdaArn,
      RotationRules: secret.rotationRules,
      LastRotatedDate: seconds(secret.lastRotatedDate),
      LastChangedDate: seconds(secret.lastChangedDate),
      LastAccessedDate: seconds(secret.lastAccessedDate),
      DeletedDate: seconds(secret.deletedDate),
      NextRotationDate: secret.rotationEnabled ? seconds(secret.nextRotationDate) : undefined,
      Tags: secret.tags.length > 0 ? secret.tags.map((t) => ({ ...t })) : undefined,
      [versionsKey]: this.versionsToStages(secret),
      CreatedDate: seconds(secret.createdDate),
      PrimaryRegion: this.deps.region,
    };
  }

  // ---- operations ------------------------------------------------------------------------

  // https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html
  CreateSecret(raw: Record<string, unknown>): unknown {
    const inp = new Input(raw);
    const name = inp.string('Name', { min: 1, max: 512 });
    if (!NAME_PATTERN.test(name)) {
      throw InvalidParameterException('Invalid name. Must be a valid name containing alphanumeric characters, or any of the following: -/_+=.@!');
    }
    const token = inp.optString('ClientRequestToken', TOKEN_RULE);
    const description = inp.optString('Description', { max: 2048 });
    const kmsKeyId = inp.optString('KmsKeyId', { max: 2048 });
    const tags = this.readTags(inp, 'Tags') ?? [];
    const value = this.readValue(inp);
    inp.optBoolean('ForceOverwriteReplicaSecret');

    const existing = this.store.byName(name);
    if (existing) {
      if (existing.deletedDate !== undefined) {
        throw InvalidRequestException("You can't create this secret because a secret with this name is already scheduled for deletion.");
      }
      // A retried CreateSecret (same token, same value) succeeds again, as API_CreateSecret's idempotency promises.
      const same = token !== undefined && value !== undefined && existing.versions.find((v) => v.versionId === token);
      if (same && same.secretString === value.secretString && same.secretBinary === value.secretBinary) {
        return { ARN: existing.arn, Name: existing.name, VersionId: same.versionId };
      }
      throw ResourceExistsException(`The operation failed because the secret ${name} already exists.`);
    }
    const now = this.now();
    const secret: Secret = {
      arn: this.newArn(name),
      name,
      description,
      kmsKeyId,
      tags,
      createdDate: now,
      lastChangedDate: now,
      versions: [],
    };
    const version = value ? this.writeVersion(secret, token, value, [AWSCURRENT]) : undefined;
    this.store.put(secret);
    this.store.save();
    return { ARN: secret.arn, Name: secret.name, VersionId: version?.versionId };
  }

  // https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html
  GetSecretValue(raw: Record<string, unknown>, ctx: RequestContext): unknown {
    const inp = new Input(raw);
    const secretId = this.secretId(inp);
    const versionId = inp.optString('VersionId', TOKEN_RULE);
    const stage = inp.optString('VersionStage', { min: 1, max: 256 });
    const secret = this.live(secretId);
    const version = this.selectVersion(secret, versionId, stage);
    this.recordRead(secretId, secret, version, ctx, 'GetSecretValue');
    return this.valueOutput(secret, version);
  }

  private selectVersion(secret: Secret, versionId: string | undefined, stage: string | undefined): SecretVersion {
    if (versionId !== undefined) {
      const v = secret.versions.find((x) => x.versionId === versionId);
      if (!v || !hasValue(v)) throw ResourceNotFoundException(`Secrets Manager can't find the specified secret value for VersionId: ${versionId}`);
      if (stage !== undefined && !v.stages.includes(stage)) {
        throw InvalidRequestException('You provided a VersionStage that is not associated to the provided VersionId.');
      }
      return v;
    }
    const label = stage ?? AWSCURRENT;
    const v = versionWithStage(secret, label);
    if (!v || !hasValue(v)) throw ResourceNotFoundException(`Secrets Manager can't find the specified secret value for staging label: ${label}`);
    return v;
  }

  // https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_PutSecretValue.html
  PutSecretValue(raw: Record<string, unknown>): unknown {
    const inp = new Input(raw);
    const secretId = this.secretId(inp);
    const token = inp.optString('ClientRequestToken', TOKEN_RULE);
    const value = this.readValue(inp);
    const stages = inp.optStringList('VersionStages');
    if (stages !== undefined && (stages.length < 1 || stages.length > 20)) {
      throw InvalidParameterException('VersionStages must contain between 1 and 20 staging labels.');
    }
    const secret = this.live(secretId);
    if (!value) throw InvalidRequestException('You must provide either SecretString or SecretBinary.');
    // API_PutSecretValue: "If you don't include VersionStages, then Secrets Manager automatically moves the staging label AWSCURRENT to this version."
    const version = this.writeVersion(secret, token, value, stages ?? [AWSCURRENT]);
    this.store.save();
    return { ARN: secret.arn, Name: secret.name, VersionId: version.versionId, VersionStages: [...version.stages] };
  }

  // https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_UpdateSecret.html
  UpdateSecret(raw: Record<string, unknown>): unknown {
    const inp = new Input(raw);
    const secretId = this.secretId(inp);
    const token = inp.optString('ClientRequestToken', TOKEN_RULE);
    const description = inp.optString('Description', { max: 2048 });
    const kmsKeyId = inp.optString('KmsKeyId', { max: 2048 });
    const value = this.readValue(inp);
    const secret = this.live(secretId);
    if (description !== undefined) secret.description = description;
    if (kmsKeyId !== undefined) secret.kmsKeyId = kmsKeyId;
    secret.lastChangedDate = this.now();
    const version = value ? this.writeVersion(secret, token, value, [AWSCURRENT]) : undefined;
    this.store.save();
    return { ARN: secret.arn, Name: secret.name, VersionId: version?.versionId };
  }

  // https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_DescribeSecret.html
  DescribeSecret(raw: Record<string, unknown>): unknown {
    const inp = new Input(raw);
    return this.describe(this.lookup(this.secretId(inp)), 'VersionIdsToStages');
  }

  // https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_ListSecrets.html
  ListSecrets(raw: Record<string, unknown>): unknown {
    const inp = new Input(raw);
    const includeDeleted = inp.optBoolean('IncludePlannedDeletion') ?? false;
    const maxResults = inp.optInteger('MaxResults', { min: 1, max: 100 }) ?? 100;
    const nextToken = inp.optString('NextToken', { min: 1, max: 4096 });
    const filters = readFilters(inp);
    const sortBy = inp.optString('SortBy') ?? 'created-date';
    const sortOrder = inp.optString('SortOrder') ?? 'asc';
    if (!['created-date', 'last-accessed-date', 'last-changed-date', 'name'].includes(sortBy)) {
      throw InvalidParameterException(`Invalid SortBy ${JSON.stringify(sortBy)}: expected created-date, last-accessed-date, last-changed-date or name.`);
    }
    if (sortOrder !== 'asc' && sortOrder !== 'desc') throw InvalidParameterException(`Invalid SortOrder ${JSON.stringify(sortOrder)}: expected asc or desc.`);
    const secrets = this.filtered(filters, includeDeleted);
    sortSecrets(secrets, sortBy, sortOrder);
    const page = paginate(secrets, maxResults, nextToken);
    return { SecretList: page.items.map((s) => this.describe(s, 'SecretVersionsToStages')), NextToken: page.nextToken };
  }

  private filtered(filters: SecretFilter[], includeDeleted: boolean): Secret[] {
    return this.store.all().filter((s) => (includeDeleted || s.deletedDate === undefined) && filters.every((f) => matchesFilter(s, f, this.deps.region)));
  }

  // https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_DeleteSecret.html
  DeleteSecret(raw: Record<string, unknown>): unknown {
    const inp = new Input(raw);
    const secretId = this.secretId(inp);
    const window = inp.optInteger('RecoveryWindowInDays');
    const force = inp.optBoolean('ForceDeleteWithoutRecovery') ?? false;
    if (window !== undefined && force) {
      throw InvalidParameterException("You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.");
    }
    if (window !== undefined && (window < 7 || window > 30)) {
      throw InvalidParameterException('The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).');
    }
    const secret = this.lookup(secretId);
    const now = this.now();
    if (force) {
      this.rotator.cancel(secret);
      this.store.remove(secret);
      this.store.save();
      return { ARN: secret.arn, Name: secret.name, DeletionDate: seconds(now) };
    }
    if (secret.deletedDate !== undefined) {
      throw InvalidRequestException("You can't perform this operation on the secret because it was already scheduled for deletion.");
    }
    secret.deletedDate = now;
    secret.deletionDate = now + (window ?? 30) * DAY;
    this.rotator.cancel(secret);
    this.store.save();
    return { ARN: secret.arn, Name: secret.name, DeletionDate: seconds(secret.deletionDate) };
  }

  // https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_RestoreSecret.html
  RestoreSecret(raw: Record<string, unknown>): unknown {
    const inp = new Input(raw);
    const secret = this.lookup(this.secretId(inp));
    delete secret.deletedDate;
    delete secret.deletionDate;
    this.rotator.schedule(secret);
    this.store.save();
    return { ARN: secret.arn, Name: secret.name };
  }

  // https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_BatchGetSecretValue.html
  BatchGetSecretValue(raw: Record<string, unknown>, ctx: RequestContext): unknown {
    const inp = new Input(raw);
    const ids = inp.optStringList('SecretIdList');
    const hasFilters = inp.has('Filters');
    const filters = readFilters(inp);
    const maxResults = inp.optInteger('MaxResults', { min: 1, max: 20 });
    const nextToken = inp.optString('NextToken', { min: 1, max: 4096 });
    if ((ids === undefined) === !hasFilters) {
      throw InvalidParameterException('Either SecretIdList or Filters must be provided, but not both.');
    }
    if (ids !== undefined) {
      if (ids.length < 1 || ids.length > 20) throw InvalidParameterException('SecretIdList must contain between 1 and 20 secret IDs.');
      if (maxResults !== undefined) throw InvalidParameterException('MaxResults can only be used with Filters.');
      const values: unknown[] = [];
      const errors: unknown[] = [];
      for (const id of ids) {
        try {
          const secret = this.live(id);
          const version = this.selectVersion(secret, undefined, undefined);
          this.recordRead(id, secret, version, ctx, 'BatchGetSecretValue');
          values.push(this.valueOutput(secret, version));
        } catch (e) {
          const err = e as { code?: string; message?: string };
          errors.push({ SecretId: id, ErrorCode: err.code ?? 'InternalServiceError', Message: err.message ?? String(e) });
        }
      }
      return { SecretValues: values, Errors: errors };
    }
    const secrets = this.filtered(filters, false);
    sortSecrets(secrets, 'created-date', 'asc');
    const page = paginate(secrets, maxResults ?? 20, nextToken);
    const values: unknown[] = [];
    const errors: unknown[] = [];
    for (const secret of page.items) {
      const version = versionWithStage(secret, AWSCURRENT);
      if (!version || !hasValue(version)) {
        errors.push({ SecretId: secret.arn, ErrorCode: 'ResourceNotFoundException', Message: "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT" });
        continue;
      }
      this.recordRead(secret.arn, secret, version, ctx, 'BatchGetSecretValue');
      values.push(this.valueOutput(secret, version));
    }
    return { SecretValues: values, Errors: errors, NextToken: page.nextToken };
  }

  // https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_ListSecretVersionIds.html
  ListSecretVersionIds(raw: Record<string, unknown>): unknown {
    const inp = new Input(raw);
    const secretId = this.secretId(inp);
    const maxResults = inp.optInteger('MaxResults', { min: 1, max: 100 }) ?? 100;
    const nextToken = inp.optString('NextToken', { min: 1, max: 4096 });
    const includeDeprecated = inp.optBoolean('IncludeDeprecated') ?? false;
    const secret = this.lookup(secretId);
    const versions = secret.versions.filter((v) => includeDeprecated || v.stages.length > 0);
    const page = paginate(versions, maxResults, nextToken);
    return {
      Versions: page.items.map((v) => ({
        VersionId: v.versionId,
        VersionStages: [...v.stages],
        LastAccessedDate: seconds(v.lastAccessedDate),
        CreatedDate: seconds(v.createdDate),
        KmsKeyIds: [secret.kmsKeyId ?? 'DefaultEncryptionKey'],
      })),
      NextToken: page.nextToken,
      ARN: secret.arn,
      Name: secret.name,
    };
  }

  // https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_UpdateSecretVersionStage.html
  UpdateSecretVersionStage(raw: Record<string, unknown>): unknown {
    const inp = new Input(raw);
    const secretId = this.secretId(inp);
    const stage = inp.string('VersionStage', { min: 1, max: 256 });
    const removeFrom = inp.optString('RemoveFromVersionId', TOKEN_RULE);
    const moveTo = inp.optString('MoveToVersionId', TOKEN_RULE);
    const secret = this.live(secretId);
    const holder = versionWithStage(secret, stage);
    if (removeFrom !== undefined && holder?.versionId !== removeFrom) {
      throw InvalidParameterException(
        `The staging label ${stage} is not attached to version ${removeFrom}${holder ? `; it is attached to version ${holder.versionId}` : ''}.`,
      );
    }
    if (moveTo !== undefined) {
      const target = secret.versions.find((v) => v.versionId === moveTo);
      if (!target) throw ResourceNotFoundException(`Secrets Manager can't find the specified secret version: ${moveTo}`);
      if (holder && holder !== target && removeFrom === undefined) {
        throw InvalidParameterException(
          `The parameter RemoveFromVersionId can't be empty. Staging label ${stage} is currently attached to version ${holder.versionId}, so you must explicitly reference that version in RemoveFromVersionId.`,
        );
      }
      attachStage(secret, stage, target);
    } else if (removeFrom !== undefined) {
      if (stage === AWSCURRENT) {
        throw InvalidParameterException('You can only move staging label AWSCURRENT to a different secret version. It can’t be completely removed.');
      }
      detachStage(holder!, stage);
    } else {
      throw InvalidParameterException('You must specify MoveToVersionId, RemoveFromVersionId or both.');
    }
    secret.lastChangedDate = this.now();
    this.store.save();
    return { ARN: secret.arn, Name: secret.name };
  }

  // https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_TagResource.html
  TagResource(raw: Record<string, unknown>): unknown {
    const inp = new Input(raw);
    const secretId = this.secretId(inp);
    const tags = this.readTags(inp, 'Tags');
    if (tags === undefined) inp.string('Tags');
    const secret = this.live(secretId);
    for (const tag of tags ?? []) {
      const existing = secret.tags.find((t) => t.Key === tag.Key);
      if (existing) existing.Value = tag.Value;
      else secret.tags.push(tag);
    }
    if (secret.tags.length > 50) throw InvalidParameterException('A secret can have at most 50 tags.');
    secret.lastChangedDate = this.now();
    this.store.save();
    return {};
  }

  // https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_UntagResource.html
  UntagResource(raw: Record<string, unknown>): unknown {
    const inp = new Input(raw);
    const secretId = this.secretId(inp);
    const keys = inp.optStringList('TagKeys');
    if (keys === undefined) inp.string('TagKeys');
    const secret = this.live(secretId);
    secret.tags = secret.tags.filter((t) => !keys!.includes(t.Key));
    secret.lastChangedDate = this.now();
    this.store.save();
    return {};
  }

  // https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_RotateSecret.html
  async RotateSecret(raw: Record<string, unknown>): Promise<unknown> {
    const inp = new Input(raw);
    const secretId = this.secretId(inp);
    const token = inp.optString('ClientRequestToken', TOKEN_RULE);
    const lambdaArn = inp.optString('RotationLambdaARN', { max: 2048 });
    const rulesIn = inp.optStruct('RotationRules');
    const rotateImmediately = inp.optBoolean('RotateImmediately') ?? true;
    let rules: RotationRules | undefined;
    if (rulesIn) {
      rules = {};
      const days = rulesIn.optInteger('AutomaticallyAfterDays');
      const duration = rulesIn.optString('Duration', { min: 2, max: 3 });
      const expr = rulesIn.optString('ScheduleExpression', { min: 1, max: 256 });
      if (days !== undefined) rules.AutomaticallyAfterDays = days;
      if (duration !== undefined) rules.Duration = duration;
      if (expr !== undefined) rules.ScheduleExpression = expr;
      validateRotationRules(rules);
    }
    const secret = this.live(secretId);
    if (lambdaArn === undefined && secret.rotationLambdaArn === undefined) {
      throw InvalidRequestException('No Lambda rotation function ARN is associated with this secret.');
    }
    if (this.rotator.isRotating(secret)) {
      throw InvalidRequestException('A previous rotation isn\'t complete. That rotation will be reattempted.');
    }
    const pending = versionWithStage(secret, AWSPENDING);
    const current = versionWithStage(secret, AWSCURRENT);
    // API_RotateSecret: AWSPENDING on a version other than AWSCURRENT means a rotation is still in progress.
    if (pending && pending !== current && token !== undefined && token !== pending.versionId) {
      throw InvalidRequestException('A previous rotation isn\'t complete. That rotation will be reattempted.');
    }
    if (lambdaArn !== undefined) secret.rotationLambdaArn = lambdaArn;
    if (rules !== undefined) secret.rotationRules = rules;
    secret.rotationEnabled = true;
    secret.lastChangedDate = this.now();
    if (!rotateImmediately) {
      // The rotation waits for the next window (we do not run AWS's testSecret dry run; see the README).
      secret.nextRotationDate = nextRotationAfter(secret.rotationRules, secret.lastRotatedDate ?? this.now());
      this.store.save();
      this.rotator.schedule(secret);
      return { ARN: secret.arn, Name: secret.name };
    }
    // AWS runs the steps asynchronously; we answer once they ran, so a client
    // that reads right after RotateSecret sees the result (one that polls works on both).
    const { versionId } = await this.rotator.rotate(secret, token, { throwIfCannotInvoke: true });
    return { ARN: secret.arn, Name: secret.name, VersionId: versionId };
  }

  // https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CancelRotateSecret.html
  CancelRotateSecret(raw: Record<string, unknown>): unknown {
    const inp = new Input(raw);
    const secret = this.live(this.secretId(inp));
    secret.rotationEnabled = false;
    delete secret.nextRotationDate;
    this.rotator.cancel(secret);
    secret.lastChangedDate = this.now();
    this.store.save();
    const pending = versionWithStage(secret, AWSPENDING);
    return { ARN: secret.arn, Name: secret.name, VersionId: pending?.versionId };
  }

  // https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetRandomPassword.html
  GetRandomPassword(raw: Record<string, unknown>): unknown {
    const inp = new Input(raw);
    const password = randomPassword(this.deps.ids, {
      length: inp.optInteger('PasswordLength', { min: 1, max: 4096 }) ?? 32,
      excludeCharacters: inp.optString('ExcludeCharacters', { max: 4096 }) ?? '',
      excludeNumbers: inp.optBoolean('ExcludeNumbers') ?? false,
      excludePunctuation: inp.optBoolean('ExcludePunctuation') ?? false,
      excludeUppercase: inp.optBoolean('ExcludeUppercase') ?? false,
      excludeLowercase: inp.optBoolean('ExcludeLowercase') ?? false,
      includeSpace: inp.optBoolean('IncludeSpace') ?? false,
      requireEachIncludedType: inp.optBoolean('RequireEachIncludedType') ?? true,
    });
    return { RandomPassword: password };
  }
}

// ---- ListSecrets filters and paging (API_Filter) -----------------------------------------

interface SecretFilter {
  key: string;
  values: string[];
}

const FILTER_KEYS = ['description', 'name', 'tag-key', 'tag-value', 'primary-region', 'owning-service', 'all'];

function readFilters(inp: Input): SecretFilter[] {
  return (inp.optList('Filters') ?? []).map((f) => {
    const key = f.string('Key');
    if (!FILTER_KEYS.includes(key)) throw InvalidParameterException(`Invalid filter key ${JSON.stringify(key)}: expected one of ${FILTER_KEYS.join(', ')}.`);
    const values = f.optStringList('Values') ?? [];
    if (values.length < 1 || values.length > 10) throw InvalidParameterException(`Filter ${key} needs between 1 and 10 values.`);
    return { key, values };
  });
}

/** "all": words split on case changes, letter/digit changes and punctuation (Find secrets in Secrets Manager). */
function words(text: string): string[] {
  return text
    .split(/[^A-Za-z0-9]+|(?<=[a-z])(?=[A-Z])|(?<=[A-Za-z])(?=[0-9])|(?<=[0-9])(?=[A-Za-z])/)
    .filter((w) => w.length > 0)
    .map((w) => w.toLowerCase());
}

/**
 * API_Filter: description is a case-insensitive prefix match, name/tag-key/tag-value/
 * primary-region/owning-service are case-sensitive prefix matches, `all` matches
 * words anywhere; a value starting with `!` negates. Values in one filter are ORed,
 * filters are ANDed.
 */
function matchesFilter(secret: Secret, filter: SecretFilter, region: string): boolean {
  const attribute = (key: string): string[] => {
    switch (key) {
      case 'description':
        return secret.description === undefined ? [] : [secret.description];
      case 'name':
        return [secret.name];
      case 'tag-key':
        return secret.tags.map((t) => t.Key);
      case 'tag-value':
        return secret.tags.map((t) => t.Value);
      case 'primary-region':
        return [region];
      default:
        return [];
    }
  };
  const positive = filter.values.filter((v) => !v.startsWith('!'));
  const negative = filter.values.filter((v) => v.startsWith('!')).map((v) => v.slice(1));
  const test = (value: string): boolean => {
    if (filter.key === 'all') {
      const haystack = [secret.name, secret.description ?? '', ...secret.tags.flatMap((t) => [t.Key, t.Value])].flatMap(words);
      return words(value).some((w) => haystack.some((h) => h.startsWith(w)));
    }
    if (filter.key === 'description') return attribute('description').some((a) => a.toLowerCase().startsWith(value.toLowerCase()));
    return attribute(filter.key).some((a) => a.startsWith(value));
  };
  if (negative.some(test)) return false;
  return positive.length === 0 || positive.some(test);
}

function sortSecrets(secrets: Secret[], sortBy: string, order: string): void {
  const key = (s: Secret): number | string =>
    sortBy === 'name' ? s.name : sortBy === 'last-accessed-date' ? (s.lastAccessedDate ?? 0) : sortBy === 'last-changed-date' ? s.lastChangedDate : s.createdDate;
  secrets.sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    const c = ka < kb ? -1 : ka > kb ? 1 : 0;
    return order === 'desc' ? -c : c;
  });
}

/** NextToken is an opaque base64 offset; a token that does not decode is InvalidNextTokenException. */
function paginate<T>(items: T[], maxResults: number, nextToken: string | undefined): { items: T[]; nextToken?: string } {
  let start = 0;
  if (nextToken !== undefined) {
    const m = /^offset:(\d+)$/.exec(Buffer.from(nextToken, 'base64').toString('utf8'));
    if (!m) throw InvalidNextTokenException();
    start = Number(m[1]);
  }
  const page = items.slice(start, start + maxResults);
  const end = start + page.length;
  return { items: page, nextToken: end < items.length ? Buffer.from(`offset:${end}`).toString('base64') : undefined };
}
