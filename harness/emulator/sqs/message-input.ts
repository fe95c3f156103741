/**
 * What a sender may put in a message, checked the way SQS checks it: the body's
 * characters, message attribute names, types and values, the one system
 * attribute (AWSTraceHeader), and the total size.
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessage.html
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-metadata.html
 */
import { InvalidMessageContents, InvalidParameterValue, MissingParameter } from './errors.ts';
import type { MessageAttributeValue } from './models.ts';

/** "#x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF" (API_SendMessage). */
const FORBIDDEN_CHARACTER = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const ALLOWED_TEXT = '#x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF';
const MAX_ATTRIBUTES = 10;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function checkBody(body: unknown): string {
  if (body === undefined || body === null || body === '') throw MissingParameter('MessageBody');
  if (typeof body !== 'string') throw InvalidParameterValue(`Value ${JSON.stringify(body)} for parameter MessageBody is invalid. Reason: MessageBody must be a string.`);
  const bad = FORBIDDEN_CHARACTER.exec(body);
  if (bad) {
    const code = bad[0].codePointAt(0)!.toString(16).toUpperCase();
    throw InvalidMessageContents(`Invalid binary character '#x${code}' was found in the message body, the set of allowed characters is ${ALLOWED_TEXT}`);
  }
  return body;
}

function checkName(name: string, kind: 'user' | 'system'): void {
  const why =
    name.length === 0 || name.length > 256
      ? 'Names are 1 to 256 characters long.'
      : !/^[A-Za-z0-9_.-]+$/.test(name)
        ? 'Names can contain only alphanumeric characters, hyphens (-), underscores (_) and periods (.).'
        : /^(aws\.|amazon\.)/i.test(name)
          ? 'Names must not start with the reserved prefixes AWS. or Amazon.'
          : name.startsWith('.') || name.endsWith('.') || name.includes('..')
            ? 'Names must not start or end with a period, nor have two periods in a row.'
            : undefined;
  if (why) throw InvalidParameterValue(`Message (${kind}) attribute name '${name}' is invalid. ${why}`);
}

/** Reads `MessageAttributes` (JSON shape: name → {DataType, StringValue | BinaryValue}); binary values stay base64. */
export function readMessageAttributes(raw: unknown, kind: 'user' | 'system'): Record<string, MessageAttributeValue> {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw InvalidParameterValue(`Message${kind === 'system' ? 'System' : ''}Attributes must be a map of attribute name to value.`);
  const entries = Object.entries(raw as Record<string, unknown>);
  if (kind === 'user' && entries.length > MAX_ATTRIBUTES) {
    throw InvalidParameterValue(`Number of message attributes [${entries.length}] exceeds the allowed maximum [${MAX_ATTRIBUTES}].`);
  }
  const out: Record<string, MessageAttributeValue> = {};
  for (const [name, v] of entries) {
    if (kind === 'system') {
      if (name !== 'AWSTraceHeader') throw InvalidParameterValue(`Message system attribute name '${name}' is invalid.`);
    } else checkName(name, kind);
    if (v === null || typeof v !== 'object' || Array.isArray(v)) throw InvalidParameterValue(`The message attribute '${name}' must be a structure with DataType and a value.`);
    const a = v as Record<string, unknown>;
    const type = a.DataType;
    if (typeof type !== 'string' || type === '') throw InvalidParameterValue(`The message attribute '${name}' must contain non-empty message attribute type.`);
    if (type.length > 256 || !/^(String|Number|Binary)(\.[^\s]+)?$/.test(type)) {
      throw InvalidParameterValue(`The type of message (${kind}) attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`);
    }
    if (kind === 'system' && type !== 'String') throw InvalidParameterValue(`The message system attribute '${name}' must be of type String.`);
    const hasList = (Array.isArray(a.StringListValues) && a.StringListValues.length > 0) || (Array.isArray(a.BinaryListValues) && a.BinaryListValues.length > 0);
    if (hasList) throw InvalidParameterValue('Message attribute list values in SendMessage operation are not supported.');
    const empty = () => InvalidParameterValue(`The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${type.split('.')[0]}'.`);
    if (type.startsWith('Binary')) {
      const b = a.BinaryValue;
      if (typeof b !== 'string' || b === '') throw empty();
      if (!BASE64.test(b)) throw InvalidParameterValue(`The message attribute '${name}' has a BinaryValue that is not base64.`);
      out[name] = { DataType: type, BinaryValue: b };
      continue;
    }
    const s = a.StringValue;
    if (typeof s !== 'string' || s === '') throw empty();
    if (type.startsWith('Number') && (s.trim() === '' || !Number.isFinite(Number(s)))) {
      throw InvalidParameterValue(`Can't cast the value of message (${kind}) attribute '${name}' to a number.`);
    }
    if (FORBIDDEN_CHARACTER.test(s)) throw InvalidParameterValue(`Message (${kind}) attribute '${name}' value contains invalid characters; the set of allowed characters is ${ALLOWED_TEXT}.`);
    out[name] = { DataType: type, StringValue: s };
  }
  return out;
}

/** Bytes that count against MaximumMessageSize: the body and every attribute's name, type and value. */
export function messageSize(body: string, attributes: Record<string, MessageAttributeValue>): number {
  let n = Buffer.byteLength(body, 'utf8');
  for (const [name, a] of Object.entries(attributes)) {
    n += Buffer.byteLength(name, 'utf8') + Buffer.byteLength(a.DataType, 'utf8');
    n += a.BinaryValue !== undefined ? Buffer.from(a.BinaryValue, 'base64').length : Buffer.byteLength(a.StringValue ?? '', 'utf8');
  }
  return n;
}

/** MessageDeduplicationId / MessageGroupId: up to 128 alphanumeric or punctuation characters (API_SendMessage). */
export function checkToken(name: string, value: unknown): string {
  if (typeof value !== 'string' || !/^[\x21-\x7e]{1,128}$/.test(value)) {
    throw InvalidParameterValue(`Value ${JSON.stringify(value)} for parameter ${name} is invalid. Reason: ${name} can only include alphanumeric and punctuation characters. 1 to 128 in length.`);
  }
  return value;
}
