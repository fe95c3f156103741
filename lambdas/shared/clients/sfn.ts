/** The SFNClient, created once per execution environment and reused by warm invocations (see s3.ts for why one module per client). */
import { SFNClient } from '@aws-sdk/client-sfn';

let client: SFNClient | undefined;

export function sfnClient(): SFNClient {
  client ??= new SFNClient({});
  return client;
}
