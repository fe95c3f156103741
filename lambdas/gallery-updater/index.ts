/**
 * gallery-updater: reads the gallery-updates queue (SQS event source mapping),
 * where the image-gallery workflow's `Gallery Image Ready` events arrive
 * through an EventBridge rule, and records each image in the gallery table
 * (GALLERY_TABLE): one item per upload key with the resized copy's key, size
 * and dimensions and the event that announced it.
 *
 * A record it cannot read or write fails the whole batch (no partial batch
 * response): the messages return to the queue after its visibility timeout,
 * and after maxReceiveCount receives SQS moves them to gallery-updates-dlq.
 * https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html
 */
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { dynamoDbClient } from '../shared/clients/dynamodb.ts';
import { InvalidInputError } from '../shared/errors.ts';
import { asRecord, requireString } from '../shared/input.ts';

export interface SqsRecord {
  messageId: string;
  body: string;
}

export interface GalleryImage {
  imageKey: string;
  bucket: string;
  resizedKey: string;
  width: number;
  height: number;
  size: number;
  eventId: string;
  /** The event's time (ISO 8601), when the workflow announced the image. */
  readyAt: string;
}

function requireNumber(obj: Record<string, unknown>, field: string, what: string): number {
  const v = obj[field];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new InvalidInputError(`${what}.${field} must be a number, got ${v === undefined ? 'nothing' : JSON.stringify(v)}`);
  return v;
}

/** The gallery entry an SQS record carries: an EventBridge event whose detail describes the resized image. */
export function readGalleryEvent(record: SqsRecord): GalleryImage {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    throw new InvalidInputError(`message ${record.messageId} is not JSON`);
  }
  const event = asRecord(body, `message ${record.messageId}`);
  const detail = asRecord(event.detail, `message ${record.messageId} detail`);
  const what = `message ${record.messageId} detail`;
  return {
    imageKey: requireString(detail, 'key', what),
    bucket: requireString(detail, 'bucket', what),
    resizedKey: requireString(detail, 'resizedKey', what),
    width: requireNumber(detail, 'width', what),
    height: requireNumber(detail, 'height', what),
    size: requireNumber(detail, 'size', what),
    eventId: requireString(event, 'id', `message ${record.messageId}`),
    readyAt: requireString(event, 'time', `message ${record.messageId}`),
  };
}

function tableName(): string {
  const name = process.env.GALLERY_TABLE;
  if (!name) throw new InvalidInputError('GALLERY_TABLE is not set');
  return name;
}

export async function handler(event: { Records: SqsRecord[] }): Promise<{ recorded: string[] }> {
  const recorded: string[] = [];
  for (const record of event.Records) {
    const image = readGalleryEvent(record);
    await dynamoDbClient().send(
      new PutItemCommand({
        TableName: tableName(),
        Item: {
          imageKey: { S: image.imageKey },
          bucket: { S: image.bucket },
          resizedKey: { S: image.resizedKey },
          width: { N: String(image.width) },
          height: { N: String(image.height) },
          size: { N: String(image.size) },
          eventId: { S: image.eventId },
          readyAt: { S: image.readyAt },
        },
      }),
    );
    recorded.push(image.imageKey);
  }
  return { recorded };
}
