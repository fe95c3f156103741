/** The DynamoDBClient, created once per execution environment and reused by warm invocations (see s3.ts for why one module per client). */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

let client: DynamoDBClient | undefined;

export function dynamoDbClient(): DynamoDBClient {
  client ??= new DynamoDBClient({});
  return client;
}
