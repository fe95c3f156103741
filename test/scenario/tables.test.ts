/**
 * DynamoDB in scenarios, on the real embedded endpoint: given.items,
 * then.items (found by key, matched partially, null = absent, `$absent`),
 * then.tables.<name>.count, what a missing table (or queue) is told with, faults with a `table:` target retried by the
 * workflow, the table contents a result carries for the HTML report, and the
 * loader's errors for bad DynamoDB keys.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Backend } from '../../harness/backends/backend.ts';
import { createBackend } from '../../harness/backends/index.ts';
import { parseScenario } from '../../harness/scenario/loader.ts';
import { runScenario } from '../../harness/scenario/runner.ts';
import { dynamoDbClient } from '../support/clients.ts';

let backend: Backend;
let ddb: DynamoDBClient;

beforeAll(async () => {
  backend = await createBackend('embedded', { seed: 'tables-test' });
  ddb = dynamoDbClient(backend.endpoint);
  for (const TableName of ['orders', 'audit']) {
    await ddb.send(new CreateTableCommand({ TableName, KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' }));
  }
});
afterAll(async () => {
  ddb?.destroy();
  await backend?.dispose();
});

async function run(yaml: string, options: { tableContents?: boolean } = {}) {
  const spec = parseScenario(yaml, '/virtual/tables.yaml');
  return runScenario({ file: '/virtual/tables.yaml', spec }, { backend, seed: 'tables-test', cwd: '/virtual', waitTimeoutMs: 20_000, ...options });
}

const SHIP = `
definition:
  StartAt: Ship
  States:
    Ship:
      Type: Task
      Resource: arn:aws:states:::dynamodb:updateItem
      Parameters:
        TableName: orders
        Key: { id: { S.$: $.id } }
        UpdateExpression: 'SET #s = :shipped REMOVE note'
        ExpressionAttributeNames: { '#s': status }
        ExpressionAttributeValues: { ':shipped': { S: SHIPPED } }
        ConditionExpression: attribute_exists(id)
      Retry: [{ ErrorEquals: [DynamoDB.ProvisionedThroughputExceededException], IntervalSeconds: 2, BackoffRate: 3, MaxAttempts: 2 }]
      ResultPath: null
      End: true
`;

describe('DynamoDB scenario keys', { timeout: 120_000 }, () => {
  it('given.items, then.items and then.tables pass; a table fault is retried with back-off; the result carries the table contents', async () => {
    const r = await run(`
name: ship an order
${SHIP}
given:
  items:
    orders:
      - { id: o-1, status: NEW, note: fragile, lines: [{ sku: a, qty: 2 }], tags: [x] }
      - { id: o-2, status: NEW, total: 12.5 }
  faults:
    - { table: orders, operation: UpdateItem, invocations: [1], error: { code: ProvisionedThroughputExceededException, message: Throughput exceeded } }
when:
  - start: { input: { id: o-1 } }
  - await: { status: SUCCEEDED }
then:
  execution: { status: SUCCEEDED }
  states: { Ship: { attempts: 2, retryDelaysSeconds: [2], errors: [DynamoDB.ProvisionedThroughputExceededException] } }
  items:
    orders:
      - { id: o-1, status: SHIPPED, note: null, lines: [{ sku: a, qty: { $gte: 1 } }] }
      - { id: o-2, status: NEW, total: 12.5 }
      - { id: o-3, $absent: true }
  tables:
    orders: { count: 2 }
    audit: { count: 0 }
`);
    expect(r.status, JSON.stringify(r.checks.filter((c) => c.status !== 'passed'), null, 1)).toBe('passed');
    expect(r.checks.filter((c) => c.id.startsWith('then.items') || c.id.startsWith('then.tables')).map((c) => c.id)).toEqual([
      'then.items.orders[0]',
      'then.items.orders[1]',
      'then.items.orders[2]',
      'then.tables.orders.count',
      'then.tables.audit.count',
    ]);
    expect(r.tables).toEqual([
      {
        table: 'orders',
        count: 2,
        items: expect.arrayContaining([
          { id: 'o-1', status: 'SHIPPED', lines: [{ sku: 'a', qty: 2 }], tags: ['x'] },
          { id: 'o-2', status: 'NEW', total: 12.5 },
        ]),
      },
    ]);
  });

  it('without tableContents (a run with no HTML report) the checks still read the tables, and the result carries no contents', async () => {
    const r = await run(
      `
name: a note is written
given:
  items:
    audit:
      - { id: a-1, what: created }
when:
  - start: { input: { id: a-1 } }
  - await: { status: SUCCEEDED }
definition:
  StartAt: Done
  States: { Done: { Type: Pass, End: true } }
then:
  items:
    audit:
      - { id: a-1, what: created }
  tables:
    audit: { count: 1 }
`,
      { tableContents: false },
    );
    expect(r.status, JSON.stringify(r.checks.filter((c) => c.status !== 'passed'), null, 1)).toBe('passed');
    expect(r.checks.map((c) => c.id)).toEqual(expect.arrayContaining(['then.items.audit[0]', 'then.tables.audit.count']));
    expect(r.tables).toBeUndefined();
  });

  it('fails each wrong expectation naming the table, the key and what differs', async () => {
    const r = await run(`
name: wrong expectations
${SHIP}
given:
  items:
    audit:
      - { id: a-1, status: NEW, who: robot }
when:
  - start: { input: { id: nobody } }
  - await: { status: FAILED }
then:
  execution: { status: FAILED, error: DynamoDB.ConditionalCheckFailedException }
  items:
    audit:
      - { id: a-1, status: DONE, who: null }
      - { id: a-2, status: NEW }
      - { status: NEW }
      - { id: a-1, $absent: true }
    missing-table:
      - { id: x }
  tables:
    audit: { count: { atLeast: 2 } }
`);
    expect(r.status).toBe('failed');
    const failed = Object.fromEntries(r.checks.filter((c) => c.status === 'failed').map((c) => [c.id, c.message]));
    expect(failed).toEqual({
      'then.items.audit[0]': 'item in audit: $.status: expected "DONE", got "NEW"; $.who: expected one of [null,{"$exists":false}]',
      'then.items.audit[1]': 'expected an item {"id":"a-2","status":"NEW"} in audit, none has that key',
      'then.items.audit[2]': 'the expected item names no id: give the key of table audit (id)',
      'then.items.audit[3]': 'expected no item {"id":"a-1"} in audit, found one',
      'then.items.missing-table[0]': 'table missing-table: ResourceNotFoundException: Requested resource not found: Table: missing-table not found (tables on the endpoint: audit, orders)',
      'then.tables.audit.count': 'expected at least 2 item(s) in audit, got 1',
    });
  });

  it('a table or queue that does not exist is named with the ones that do (a name built from ${AWS::StackName} is easy to get wrong)', async () => {
    const items = await run(`
name: items for a table that is not there
definition: { StartAt: Done, States: { Done: { Type: Succeed } } }
given:
  items:
    sam-app-orders: [{ id: o-1 }]
`);
    expect(items.status).toBe('error');
    expect(items.reason).toBe('given: items.sam-app-orders: no table named sam-app-orders (tables on the endpoint: audit, orders)');
    const send = await run(`
name: a message for a queue that is not there
definition: { StartAt: Done, States: { Done: { Type: Succeed } } }
given:
  queues: [rehearse-ingest]
when:
  - send: { queue: sam-app-ingest, body: hello }
`);
    expect(send.steps.find((c) => c.status === 'failed')?.message).toBe(
      'SendMessage to sam-app-ingest failed: QueueDoesNotExist: The specified queue does not exist. No queue is named sam-app-ingest (queues on the endpoint: rehearse-ingest).',
    );
    // The error is the service's still: a step may expect it.
    const expected = await run(`
name: a refused send, as expected
definition: { StartAt: Done, States: { Done: { Type: Succeed } } }
when:
  - send: { queue: sam-app-ingest, body: hello, expectError: QueueDoesNotExist }
`);
    expect(expected.status).toBe('passed');
  });

  it('rejects a fault naming both a table and a function, and a table fault without error or latency', () => {
    expect(() => parseScenario('name: x\ngiven:\n  faults:\n    - { table: orders, function: f, throw: { errorType: E } }\n', '/virtual/bad.yaml')).toThrow(/a fault names either a function, a service \+ operation, a DynamoDB table, an SQS queue, an EventBridge rule or a Task state/);
    expect(() => parseScenario('name: x\ngiven:\n  faults:\n    - { table: orders, operation: PutItem }\n', '/virtual/bad.yaml')).toThrow(/an operation fault needs error or latencyMs/);
    expect(() => parseScenario('name: x\nthen:\n  tables:\n    orders: { cuont: 1 }\n', '/virtual/bad.yaml')).toThrow(/cuont/);
  });
});
