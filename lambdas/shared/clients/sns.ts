/** The SNSClient, made once per execution environment (once.ts; see s3.ts for why one module per client). */
import { SNSClient } from '@aws-sdk/client-sns';
import { once } from './once.ts';

export const snsClient = once(() => new SNSClient({}));
