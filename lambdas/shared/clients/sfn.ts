/** The SFNClient, made once per execution environment (once.ts; see s3.ts for why one module per client). */
import { SFNClient } from '@aws-sdk/client-sfn';
import { once } from './once.ts';

export const sfnClient = once(() => new SFNClient({}));
