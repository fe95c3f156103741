/**
 * Presigned S3 URLs and POST forms for scenarios — how browsers and apps
 * upload and download — made with the AWS presigners and signed on the
 * scenario's clock (virtual time on the embedded endpoint), so
 * `advanceClock` past `expiresIn` then `fetch` exercises an app's
 * "link expired" path exactly as S3 would answer it.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-presigned-url.html
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-UsingHTTPPOST.html
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { Backend } from '../backends/backend.ts';
import { REAL_CLOCK } from '../core/index.ts';
import { serviceEndpoint } from './clients.ts';
import type { ControlApi } from './control.ts';

export const DEFAULT_EXPIRES_IN = 900;

/** A URL (GET/PUT) or a form (POST with fields) a scenario can send again. */
export interface Link {
  method: 'GET' | 'PUT' | 'POST';
  url: string;
  /** The form's signed fields (POST). */
  fields?: Record<string, string>;
  bucket: string;
  key: string;
  /** What an upload sent with it, sent again by a `fetch` without a body of its own. */
  body?: Buffer;
  contentType?: string;
}

export interface LinkContext {
  backend: Backend;
  control?: ControlApi;
}

/**
 * A client whose clock is the scenario's: the presigners read `systemClockOffset` (the SDK's own clock-skew
 * correction), so the signing date is the endpoint's virtual time, not the machine's.
 */
async function signingClient(ctx: LinkContext): Promise<S3Client> {
  const now = ctx.control && ctx.backend.capabilities.virtualTime ? (await ctx.control.clock()).now : REAL_CLOCK.now();
  return new S3Client({
    endpoint: serviceEndpoint(ctx.backend, 's3'),
    region: ctx.backend.region,
    credentials: ctx.backend.credentials,
    forcePathStyle: true,
    systemClockOffset: now - REAL_CLOCK.now(),
  });
}

export async function presignUrl(ctx: LinkContext, spec: { bucket: string; key: string; method?: 'GET' | 'PUT'; expiresIn?: number; contentType?: string }): Promise<Link> {
  const client = await signingClient(ctx);
  try {
    const method = spec.method ?? 'GET';
    const command =
      method === 'GET' ? new GetObjectCommand({ Bucket: spec.bucket, Key: spec.key }) : new PutObjectCommand({ Bucket: spec.bucket, Key: spec.key, ContentType: spec.contentType });
    // The presigner's signing date is read from the client's corrected clock.
    const url = await getSignedUrl(client, command, { expiresIn: spec.expiresIn ?? DEFAULT_EXPIRES_IN, signingDate: new Date(REAL_CLOCK.now() + client.config.systemClockOffset) });
    return { method, url, bucket: spec.bucket, key: spec.key, ...(spec.contentType ? { contentType: spec.contentType } : {}) };
  } finally {
    client.destroy();
  }
}

/** A POST form for exactly `key`, with its Content-Type and a size range that fits `body`. */
export async function presignForm(ctx: LinkContext, spec: { bucket: string; key: string; expiresIn?: number; contentType: string }): Promise<Link> {
  const client = await signingClient(ctx);
  try {
    const { url, fields } = await createPresignedPost(client, {
      Bucket: spec.bucket,
      Key: spec.key,
      Conditions: [{ 'Content-Type': spec.contentType }],
      Fields: { 'Content-Type': spec.contentType },
      Expires: spec.expiresIn ?? DEFAULT_EXPIRES_IN,
    });
    return { method: 'POST', url, fields, bucket: spec.bucket, key: spec.key, contentType: spec.contentType };
  } finally {
    client.destroy();
  }
}

export interface LinkOutcome {
  status: number;
  /** S3's error code, when the answer is an error document. */
  code?: string;
  message?: string;
}

/** Sends a link the way a browser does (fetch; a form as multipart/form-data with the file last). */
export async function sendLink(link: Link, body?: Buffer, contentType?: string): Promise<LinkOutcome> {
  const data = body ?? link.body ?? Buffer.alloc(0);
  const type = contentType ?? link.contentType;
  let res: Response;
  if (link.method === 'POST') {
    const form = new FormData();
    for (const [k, v] of Object.entries(link.fields ?? {})) form.append(k, v);
    form.append('file', new Blob([data], type ? { type } : {}), link.key.split('/').pop() || 'file');
    res = await fetch(link.url, { method: 'POST', body: form, redirect: 'manual' });
  } else if (link.method === 'PUT') {
    res = await fetch(link.url, { method: 'PUT', body: data, ...(type ? { headers: { 'content-type': type } } : {}) });
  } else res = await fetch(link.url);
  const text = await res.text();
  const tag = (t: string) => new RegExp(`<${t}>([^<]*)</${t}>`).exec(text)?.[1];
  return { status: res.status, ...(res.status >= 400 ? { code: tag('Code'), message: tag('Message') } : {}) };
}
