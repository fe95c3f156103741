/**
 * Rotation: drives a rotation Lambda through createSecret → setSecret →
 * testSecret → finishSecret ("How rotation works", Secrets Manager user guide),
 * sending the event AWS sends: `{ "Step", "SecretId", "ClientRequestToken" }`.
 *
 * Before the first step Secrets Manager creates an empty version labelled
 * AWSPENDING (API_RotateSecret: "When rotation is unsuccessful, the AWSPENDING
 * staging label might be attached to an empty secret version"), which is what
 * the AWS rotation templates check for.
 *
 * Scheduled rotations read the Clock. On a system clock (and a virtual clock
 * whose auto-advance is off) a timer fires them; on an auto-advancing virtual
 * clock a timer would make idle time race from rotation to rotation, so due
 * rotations run instead when the next Secrets Manager request arrives — a
 * client cannot tell the difference, as it only sees the secret at that point.
 */
import { isAwsServiceError, type Timer } from '../../core/index.ts';
import type { ServiceDeps } from '../service-deps.ts';
import { AccessDeniedException } from './errors.ts';
import { AWSCURRENT, AWSPENDING, attachStage, versionWithStage, type Secret, type SecretStore, type SecretVersion } from './models.ts';
import { nextRotationAfter } from './schedule.ts';

export const ROTATION_STEPS = ['createSecret', 'setSecret', 'testSecret', 'finishSecret'] as const;
export type RotationStep = (typeof ROTATION_STEPS)[number];

/** Node timers overflow above 2^31-1 ms (~24.8 days); longer waits re-arm. */
const MAX_TIMER_MS = 2 ** 31 - 1;

const CANNOT_INVOKE =
  'Secrets Manager cannot invoke the specified Lambda function. Ensure that the function policy grants access to the principal secretsmanager.amazonaws.com.';

export interface RotationOutcome {
  completed: boolean;
  failedStep?: RotationStep;
}

export class Rotator {
  private readonly rotating = new Set<string>();
  private readonly timers = new Map<string, Timer>();

  constructor(
    private readonly deps: ServiceDeps,
    private readonly store: SecretStore,
  ) {}

  isRotating(secret: Secret): boolean {
    return this.rotating.has(secret.arn);
  }

  /**
   * Creates (or reuses, for a retried rotation) the AWSPENDING version and runs
   * the four steps. A service error on the first invocation (no such function)
   * is AccessDeniedException, as AWS answers RotateSecret then; a failing step
   * stops the rotation and leaves AWSPENDING where it is, as in AWS.
   */
  async rotate(secret: Secret, token: string | undefined, options: { throwIfCannotInvoke: boolean }): Promise<{ versionId: string; outcome: RotationOutcome }> {
    const pending = this.pendingVersion(secret, token);
    this.store.save();
    // No clock hold here: the Lambda service holds 'work' while a handler runs, and a
    // hold across the invocations would deadlock a virtual clock on a latency fault.
    this.rotating.add(secret.arn);
    try {
      for (const step of ROTATION_STEPS) {
        const ok = await this.invokeStep(secret, pending.versionId, step, options.throwIfCannotInvoke && step === 'createSecret', pending);
        if (!ok) {
          this.store.save();
          return { versionId: pending.versionId, outcome: { completed: false, failedStep: step } };
        }
      }
      const now = this.deps.clock.now();
      secret.lastRotatedDate = now;
      secret.nextRotationDate = nextRotationAfter(secret.rotationRules, now);
      if (!versionWithStage(secret, AWSCURRENT) || versionWithStage(secret, AWSCURRENT)!.versionId !== pending.versionId) {
        this.deps.log.warn(`secretsmanager: rotation of ${secret.name} finished but AWSCURRENT is not on version ${pending.versionId}`);
      }
      this.store.save();
      this.schedule(secret);
      return { versionId: pending.versionId, outcome: { completed: true } };
    } finally {
      this.rotating.delete(secret.arn);
    }
  }

  /** The version this rotation fills: the unfinished AWSPENDING one, the one named by the token, or a new empty one. */
  private pendingVersion(secret: Secret, token: string | undefined): SecretVersion {
    const current = versionWithStage(secret, AWSCURRENT);
    const pending = versionWithStage(secret, AWSPENDING);
    if (pending && pending !== current && (token === undefined || token === pending.versionId)) return pending;
    const versionId = token ?? this.deps.ids.uuid();
    let version = secret.versions.find((v) => v.versionId === versionId);
    if (!version) {
      version = { versionId, stages: [], createdDate: this.deps.clock.now() };
      secret.versions.push(version);
    }
    attachStage(secret, AWSPENDING, version);
    return version;
  }

  private async invokeStep(secret: Secret, token: string, step: RotationStep, throwIfCannotInvoke: boolean, pending: SecretVersion): Promise<boolean> {
    const functionName = secret.rotationLambdaArn!;
    try {
      const outcome = await this.deps.lambda().invoke({
        functionName,
        payload: JSON.stringify({ Step: step, SecretId: secret.arn, ClientRequestToken: token }),
        invocationType: 'RequestResponse',
        caller: 'secretsmanager',
      });
      if (outcome.functionError) {
        this.deps.log.warn(`secretsmanager: rotation of ${secret.name} stopped: ${step} failed in ${functionName} (${errorTypeOf(outcome.payload)})`);
        return false;
      }
      return true;
    } catch (e) {
      if (throwIfCannotInvoke && isAwsServiceError(e)) {
        // Nothing ran: undo the empty pending version so the secret is as before.
        if (pending.secretString === undefined && pending.secretBinary === undefined) {
          secret.versions = secret.versions.filter((v) => v !== pending);
        }
        throw AccessDeniedException(CANNOT_INVOKE);
      }
      this.deps.log.warn(`secretsmanager: rotation of ${secret.name} stopped: cannot invoke ${functionName} for ${step} (${e instanceof Error ? e.name : 'error'})`);
      return false;
    }
  }

  /** Runs every scheduled rotation that is due (the lazy path for auto-advancing virtual clocks). */
  async runDue(): Promise<void> {
    const now = this.deps.clock.now();
    const due = this.store
      .all()
      .filter((s) => s.rotationEnabled && s.deletedDate === undefined && s.nextRotationDate !== undefined && s.nextRotationDate <= now && !this.rotating.has(s.arn));
    for (const secret of due) await this.rotateScheduled(secret);
  }

  private async rotateScheduled(secret: Secret): Promise<void> {
    if (this.rotating.has(secret.arn) || !secret.rotationEnabled || secret.deletedDate !== undefined) return;
    const result = await this.rotate(secret, undefined, { throwIfCannotInvoke: false });
    if (!result.outcome.completed) {
      // AWS retries a failed scheduled rotation in the next window; so do we.
      secret.nextRotationDate = nextRotationAfter(secret.rotationRules, this.deps.clock.now());
      this.store.save();
      this.schedule(secret);
    }
  }

  private timersAllowed(): boolean {
    const clock = this.deps.clock as { kind: string; autoAdvance?: string };
    return clock.kind === 'system' || clock.autoAdvance === 'off';
  }

  /** (Re)arms the timer for the secret's next rotation when the clock allows timers. */
  schedule(secret: Secret): void {
    this.cancel(secret);
    if (!secret.rotationEnabled || secret.nextRotationDate === undefined || secret.deletedDate !== undefined || !this.timersAllowed()) return;
    const delay = Math.min(Math.max(0, secret.nextRotationDate - this.deps.clock.now()), MAX_TIMER_MS);
    const timer = this.deps.clock.setTimer(delay, () => {
      this.timers.delete(secret.arn);
      if (this.store.find(secret.arn) !== secret) return;
      if (secret.nextRotationDate !== undefined && secret.nextRotationDate <= this.deps.clock.now()) {
        void this.rotateScheduled(secret).catch((e: unknown) => this.deps.log.error(`secretsmanager: scheduled rotation of ${secret.name} failed: ${String(e)}`));
      } else this.schedule(secret);
    });
    this.timers.set(secret.arn, timer);
  }

  cancel(secret: Secret): void {
    this.timers.get(secret.arn)?.cancel();
    this.timers.delete(secret.arn);
  }

  cancelAll(): void {
    for (const t of this.timers.values()) t.cancel();
    this.timers.clear();
  }

  /**
   * Forgets every timer and running rotation (a restore). A rotation still
   * awaiting its Lambda works on secret objects the store no longer holds, so
   * what it writes reaches no one, and its timers find their secret gone.
   */
  forgetAll(): void {
    this.cancelAll();
    this.rotating.clear();
  }
}

function errorTypeOf(payload: string): string {
  try {
    const parsed = JSON.parse(payload) as { errorType?: unknown };
    return typeof parsed.errorType === 'string' ? parsed.errorType : 'Unhandled';
  } catch {
    return 'Unhandled';
  }
}
