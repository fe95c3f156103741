/**
 * start-processing: the bucket's `s3:ObjectCreated:*` trigger (prefix raw/).
 * Starts one image-processor execution per object version. The execution name
 * comes from the key and ETag, so a duplicate event finds the execution already
 * there: StartExecution then either returns the running execution (same name,
 * same input) or raises ExecutionAlreadyExists (it has finished) — both mean
 * "already started" and are success here.
 * Event shape: https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
 */
import { ExecutionAlreadyExists, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { sfnClient } from '../shared/clients/sfn.ts';
import { ConfigurationError, InvalidInputError } from '../shared/errors.ts';
import { asRecord } from '../shared/input.ts';
import { executionNameFor } from './execution-name.ts';

export interface ProcessingInput {
  bucket: string;
  key: string;
  etag: string;
  size: number;
  versionId?: string;
}

export interface StartResult {
  started: Array<{ key: string; executionArn: string; name: string }>;
  duplicates: Array<{ key: string; name: string }>;
  ignored: Array<{ key: string; eventName: string }>;
}

/** S3 event keys are URL-encoded with `+` for spaces (form encoding). */
export function decodeS3Key(raw: string): string {
  return decodeURIComponent(raw.replace(/\+/g, ' '));
}

export function inputsFromEvent(event: unknown): { inputs: ProcessingInput[]; ignored: StartResult['ignored'] } {
  const e = asRecord(event, 'event');
  if (!Array.isArray(e.Records)) throw new InvalidInputError('event.Records must be a list of S3 event records');
  const inputs: ProcessingInput[] = [];
  const ignored: StartResult['ignored'] = [];
  e.Records.forEach((rec: unknown, i: number) => {
    const r = asRecord(rec, `event.Records[${i}]`);
    const eventName = typeof r.eventName === 'string' ? r.eventName : '';
    const s3 = asRecord(r.s3, `event.Records[${i}].s3`);
    const bucket = asRecord(s3.bucket, `event.Records[${i}].s3.bucket`);
    const object = asRecord(s3.object, `event.Records[${i}].s3.object`);
    if (typeof bucket.name !== 'string' || typeof object.key !== 'string') {
      throw new InvalidInputError(`event.Records[${i}].s3 needs bucket.name and object.key`);
    }
    const key = decodeS3Key(object.key);
    if (!eventName.startsWith('ObjectCreated:')) {
      ignored.push({ key, eventName });
      return;
    }
    const etag = typeof object.eTag === 'string' ? object.eTag : typeof object.etag === 'string' ? object.etag : '';
    if (!etag) throw new InvalidInputError(`event.Records[${i}].s3.object.eTag is missing`);
    const input: ProcessingInput = { bucket: bucket.name, key, etag, size: typeof object.size === 'number' ? object.size : 0 };
    if (typeof object.versionId === 'string' && object.versionId) input.versionId = object.versionId;
    inputs.push(input);
  });
  return { inputs, ignored };
}

export async function handler(event: unknown): Promise<StartResult> {
  const stateMachineArn = process.env.STATE_MACHINE_ARN;
  if (!stateMachineArn) throw new ConfigurationError('environment variable STATE_MACHINE_ARN is not set');
  const { inputs, ignored } = inputsFromEvent(event);
  const result: StartResult = { started: [], duplicates: [], ignored };
  for (const input of inputs) {
    const name = executionNameFor(input.key, input.etag);
    try {
      const out = await sfnClient().send(new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify(input) }));
      result.started.push({ key: input.key, executionArn: out.executionArn ?? '', name });
    } catch (e) {
      if (e instanceof ExecutionAlreadyExists || (e as { name?: string }).name === 'ExecutionAlreadyExists') {
        result.duplicates.push({ key: input.key, name });
        continue;
      }
      throw e;
    }
  }
  console.log(JSON.stringify({ message: 'start-processing', started: result.started.length, duplicates: result.duplicates.length, ignored: ignored.length }));
  return result;
}
