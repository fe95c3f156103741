/**
 * The S3 client, made once per execution environment (once.ts). One module
 * per client: a handler's init loads only the SDK packages it uses (each one
 * more is ~10 ms of every cold start).
 *
 * Credentials, region and endpoint come from the SDK's default chains: on AWS
 * the Lambda role and region; under Rehearse or LocalStack the runtime sets
 * AWS_ENDPOINT_URL (the SDK's documented "service-specific endpoints" setting,
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-ss-endpoints.html),
 * so no handler names an endpoint.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { once } from './once.ts';

/**
 * Path-style S3 addressing when a custom endpoint is configured. The SDK
 * defaults to virtual-hosted style (`https://bucket.s3.amazonaws.com/key`); with a
 * custom endpoint like `http://127.0.0.1:4566` that becomes
 * `http://bucket.127.0.0.1:4566`, a host name that does not resolve. Emulators
 * (Rehearse, LocalStack) serve every bucket on one host, so the bucket must go
 * in the path. On AWS (no custom endpoint) we keep the default.
 */
export function usesCustomS3Endpoint(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL);
}

export const s3Client = once(() => new S3Client({ forcePathStyle: usesCustomS3Endpoint() }));
