/** The SNSClient, created once per execution environment and reused by warm invocations (see s3.ts for why one module per client). */
import { SNSClient } from '@aws-sdk/client-sns';

let client: SNSClient | undefined;

export function snsClient(): SNSClient {
  client ??= new SNSClient({});
  return client;
}
