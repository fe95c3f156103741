/** The DynamoDBClient, made once per execution environment (once.ts; see s3.ts for why one module per client). */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { once } from './once.ts';

export const dynamoDbClient = once(() => new DynamoDBClient({}));
