/**
 * Queue attributes: which a caller may set, their ranges and defaults, and how
 * GetQueueAttributes reports them.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_GetQueueAttributes.html
 */
import { InvalidAttributeName, InvalidAttributeValue, invalidParameter } from './errors.ts';

/** Integer attributes: [min, max, default]. MaximumMessageSize went to 1 MiB in 2025 (API_CreateQueue). */
export const INTEGER_ATTRIBUTES: Record<string, readonly [number, number, number]> = {
  DelaySeconds: [0, 900, 0],
  MaximumMessageSize: [1024, 1_048_576, 1_048_576],
  MessageRetentionPeriod: [60, 1_209_600, 345_600],
  ReceiveMessageWaitTimeSeconds: [0, 20, 0],
  VisibilityTimeout: [0, 43_200, 30],
  KmsDataKeyReusePeriodSeconds: [60, 86_400, 300],
};

const BOOLEAN_ATTRIBUTES = ['SqsManagedSseEnabled', 'FifoQueue', 'ContentBasedDeduplication'];
const ENUM_ATTRIBUTES: Record<string, readonly string[]> = {
  DeduplicationScope: ['messageGroup', 'queue'],
  FifoThroughputLimit: ['perQueue', 'perMessageGroupId'],
};
const JSON_ATTRIBUTES = ['Policy', 'RedrivePolicy', 'RedriveAllowPolicy'];
const TEXT_ATTRIBUTES = ['KmsMasterKeyId'];
/** Only FIFO queues have these. */
export const FIFO_ATTRIBUTES = ['FifoQueue', 'ContentBasedDeduplication', 'DeduplicationScope', 'FifoThroughputLimit'];

/** Every attribute GetQueueAttributes knows, in the order AWS lists them for `All`. */
export const READABLE_ATTRIBUTES = [
  'QueueArn',
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
  'VisibilityTimeout',
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'DelaySeconds',
  'ReceiveMessageWaitTimeSeconds',
  'Policy',
  'RedrivePolicy',
  'RedriveAllowPolicy',
  'KmsMasterKeyId',
  'KmsDataKeyReusePeriodSeconds',
  'SqsManagedSseEnabled',
  'FifoQueue',
  'ContentBasedDeduplication',
  'DeduplicationScope',
  'FifoThroughputLimit',
] as const;

export interface RedrivePolicy {
  deadLetterTargetArn: string;
  maxReceiveCount: number;
}

function settable(name: string): boolean {
  return name in INTEGER_ATTRIBUTES || BOOLEAN_ATTRIBUTES.includes(name) || name in ENUM_ATTRIBUTES || JSON_ATTRIBUTES.includes(name) || TEXT_ATTRIBUTES.includes(name);
}

/**
 * Checks attributes a caller sends and returns them normalised (booleans in
 * lower case). `creating` allows FifoQueue. The redrive policy's target is
 * checked by the caller, which knows the other queues.
 */
export function checkAttributes(attributes: Record<string, string>, options: { fifo: boolean; creating: boolean }): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(attributes)) {
    const value = String(raw);
    if (!settable(name) || (name === 'FifoQueue' && !options.creating) || (FIFO_ATTRIBUTES.includes(name) && !options.fifo && !(name === 'FifoQueue' && value.toLowerCase() === 'false'))) {
      throw InvalidAttributeName(`Unknown Attribute ${name}.`);
    }
    const range = INTEGER_ATTRIBUTES[name];
    if (range) {
      const n = Number(value);
      if (!/^-?\d+$/.test(value.trim()) || n < range[0] || n > range[1]) throw InvalidAttributeValue(`Invalid value for the parameter ${name}.`);
      out[name] = String(n);
      continue;
    }
    if (BOOLEAN_ATTRIBUTES.includes(name)) {
      const b = value.toLowerCase();
      if (b !== 'true' && b !== 'false') throw InvalidAttributeValue(`Invalid value for the parameter ${name}.`);
      out[name] = b;
      continue;
    }
    const allowed = ENUM_ATTRIBUTES[name];
    if (allowed) {
      if (!allowed.includes(value)) throw InvalidAttributeValue(`Invalid value for the parameter ${name}.`);
      out[name] = value;
      continue;
    }
    if (JSON_ATTRIBUTES.includes(name) && value !== '') {
      try {
        JSON.parse(value);
      } catch {
        throw name === 'Policy' ? InvalidAttributeValue(`Invalid value for the parameter ${name}.`) : invalidParameter(name, value, 'Invalid JSON.');
      }
    }
    out[name] = value;
  }
  if (out.KmsMasterKeyId && out.SqsManagedSseEnabled === 'true') {
    throw InvalidAttributeName('You can use one type of server-side encryption (SSE) at one time. You can either enable KMS SSE or SQS SSE.');
  }
  if (out.RedriveAllowPolicy) parseRedriveAllowPolicy(out.RedriveAllowPolicy);
  return out;
}

/** Parses a RedrivePolicy (maxReceiveCount may be a number or a numeric string, as CloudFormation sends it). */
export function parseRedrivePolicy(text: string): RedrivePolicy {
  const bad = (reason: string) => invalidParameter('RedrivePolicy', text, reason);
  const p = JSON.parse(text) as unknown;
  if (p === null || typeof p !== 'object' || Array.isArray(p)) throw bad('Invalid value for deadLetterTargetArn.');
  const o = p as Record<string, unknown>;
  for (const k of Object.keys(o)) if (k !== 'deadLetterTargetArn' && k !== 'maxReceiveCount') throw bad(`Unknown attribute ${k} in redrive policy.`);
  if (o.deadLetterTargetArn === undefined) throw bad('Redrive policy does not contain mandatory attribute: deadLetterTargetArn.');
  if (o.maxReceiveCount === undefined) throw bad('Redrive policy does not contain mandatory attribute: maxReceiveCount.');
  if (typeof o.deadLetterTargetArn !== 'string' || !/^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,80}(\.fifo)?$/.test(o.deadLetterTargetArn)) {
    throw bad('Invalid value for deadLetterTargetArn.');
  }
  const n = Number(o.maxReceiveCount);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw bad(`Invalid value for maxReceiveCount: ${String(o.maxReceiveCount)}, valid values are from 1 to 1000 both inclusive.`);
  return { deadLetterTargetArn: o.deadLetterTargetArn, maxReceiveCount: n };
}

export interface RedriveAllowPolicy {
  redrivePermission: 'allowAll' | 'denyAll' | 'byQueue';
  sourceQueueArns?: string[];
}

export function parseRedriveAllowPolicy(text: string): RedriveAllowPolicy {
  const bad = (reason: string) => invalidParameter('RedriveAllowPolicy', text, reason);
  const p = JSON.parse(text) as Record<string, unknown>;
  if (p === null || typeof p !== 'object' || Array.isArray(p)) throw bad('Invalid JSON.');
  const perm = p.redrivePermission;
  if (perm !== 'allowAll' && perm !== 'denyAll' && perm !== 'byQueue') throw bad('Invalid value for redrivePermission: must be one of allowAll, denyAll, byQueue.');
  const arns = p.sourceQueueArns;
  if (perm === 'byQueue') {
    if (!Array.isArray(arns) || arns.length === 0) throw bad('sourceQueueArns is required when redrivePermission is byQueue.');
    if (arns.length > 10) throw bad('sourceQueueArns can hold at most 10 queue ARNs.');
    if (arns.some((a) => typeof a !== 'string')) throw bad('sourceQueueArns must be a list of queue ARNs.');
    return { redrivePermission: perm, sourceQueueArns: arns as string[] };
  }
  if (arns !== undefined) throw bad('sourceQueueArns is only allowed when redrivePermission is byQueue.');
  return { redrivePermission: perm };
}
