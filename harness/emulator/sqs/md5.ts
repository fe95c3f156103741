/**
 * The digests SQS returns with every message and that SDKs check against what
 * they sent (SDK v3 verifies MD5OfMessageBody on send and receive).
 * MD5OfMessageAttributes / MD5OfMessageSystemAttributes follow "Calculating the
 * MD5 message digest for message attributes" (SQS developer guide): attributes
 * sorted by name; for each, the name, the data type and the value, each as a
 * 4-byte big-endian length then its bytes, with one transport byte between type
 * and value (1 = String/Number, 2 = Binary).
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-message-metadata.html#sqs-attributes-md5-message-digest-calculation
 */
import { createHash } from 'node:crypto';
import type { MessageAttributeValue } from './models.ts';

export function md5Hex(text: string): string {
  return createHash('md5').update(text, 'utf8').digest('hex');
}

function lengthPrefixed(bytes: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(bytes.length, 0);
  return Buffer.concat([len, bytes]);
}

/** Undefined when there are no attributes: SQS then leaves the MD5 out. */
export function md5OfAttributes(attributes: Record<string, MessageAttributeValue>): string | undefined {
  const names = Object.keys(attributes).sort();
  if (names.length === 0) return undefined;
  const hash = createHash('md5');
  for (const name of names) {
    const a = attributes[name]!;
    hash.update(lengthPrefixed(Buffer.from(name, 'utf8')));
    hash.update(lengthPrefixed(Buffer.from(a.DataType, 'utf8')));
    if (a.BinaryValue !== undefined) {
      hash.update(Buffer.of(2));
      hash.update(lengthPrefixed(Buffer.from(a.BinaryValue, 'base64')));
    } else {
      hash.update(Buffer.of(1));
      hash.update(lengthPrefixed(Buffer.from(a.StringValue ?? '', 'utf8')));
    }
  }
  return hash.digest('hex');
}
