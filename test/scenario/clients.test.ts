/**
 * The runner's SDK clients (harness/scenario/clients.ts) are made when first
 * used — a run pays only for the services its scenarios touch — each once,
 * each pointed at the backend; destroy() closes the ones made.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ListBucketsCommand } from '@aws-sdk/client-s3';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { startEmbedded, type EmbeddedBackend } from '../../harness/backends/embedded.ts';
import { createClients } from '../../harness/scenario/clients.ts';

let backend: EmbeddedBackend;
beforeAll(async () => {
  backend = await startEmbedded({ log: false });
});
afterAll(() => backend.dispose());

describe('createClients', () => {
  it('makes each client once, on first use, against the backend; destroy() closes those made', async () => {
    const clients = createClients(backend);
    expect(clients.s3).toBe(clients.s3);
    expect(clients.documents).toBe(clients.documents);
    expect(await clients.s3.send(new ListBucketsCommand({}))).toMatchObject({ Buckets: [] });
    // The Document client sends through the DynamoDB client it was made from.
    expect(await clients.documents.send(new ListTablesCommand({}))).toMatchObject({ TableNames: [] });
    expect(String((await clients.dynamodb.config.endpoint!()).port)).toBe(new URL(backend.endpoint).port);
    clients.destroy();
    // A set whose clients were never used has nothing to close.
    expect(() => createClients(backend).destroy()).not.toThrow();
  });
});
