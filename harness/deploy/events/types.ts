/**
 * Event sources: what connects a resource to a function once both exist (an
 * S3 bucket notification, an SNS subscription, …). Each kind is one module
 * (registry.ts) that reads SAM `Events` entries of its types and deploys every
 * wiring of its kind at once (a bucket's notifications are one configuration).
 */
import type { DeployScope, ResourceInput, Wiring } from '../resources/types.ts';
import type { Obj } from '../template.ts';

/** The function a SAM event belongs to. */
export interface EventTarget {
  logicalId: string;
  functionName: string;
  functionArn: string;
  /** The function's Timeout in seconds. */
  timeoutSeconds: number;
}

export interface SamEventInput {
  target: EventTarget;
  eventId: string;
  /** The event's Properties, resolved. */
  properties: Obj;
  /** The event's Properties as written (SAM requires some to be a `!Ref` to a resource of the template). */
  raw: Obj;
  /** `Properties.Events.<id>`, relative to the function. */
  field: string;
  input: ResourceInput;
}

export interface EventSourceModule<W extends Wiring = Wiring> {
  /** The `kind` of the wirings it deploys. */
  readonly kind: string;
  /** SAM `Events` types it reads (`S3`, `SNS`). */
  readonly samTypes: readonly string[];
  fromSamEvent(e: SamEventInput): W[];
  deploy(items: W[], scope: DeployScope): Promise<void>;
  /**
   * Each wiring deploys on its own (a mapping, a subscription, a rule), so
   * deploy() may take them one at a time and a refusal names the one it was.
   * Unset: they go together (S3's notification configuration is one per bucket).
   */
  readonly independent?: boolean;
}

/** `arn:aws:lambda:r:a:function:name[:qualifier]` → name. */
export function functionNameOf(arnOrName: string): string {
  const m = /:function:([^:]+)/.exec(arnOrName);
  return m ? m[1]! : arnOrName;
}
