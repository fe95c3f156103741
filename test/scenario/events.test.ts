/**
 * EventBridge in scenarios, on the real embedded endpoint over HTTP: the
 * `putEvents` step (refused entries fail it with EventBridge's ErrorCode),
 * `then.events` (what a bus accepted, what a rule delivered: target, input,
 * attempts, status, counts), `rule:` faults (a failing delivery retried under
 * the target's RetryPolicy or dead-lettered, a delayed one), the control API's
 * `targets` faults, and the loader's errors. Each key is shown failing when
 * its expectation is wrong, not only passing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CreateEventBusCommand, EventBridgeClient, PutRuleCommand, PutTargetsCommand, type Target } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { CreateFunctionCommand } from '@aws-sdk/client-lambda';
import AdmZip from 'adm-zip';
import type { Backend } from '../../harness/backends/backend.ts';
import { createBackend } from '../../harness/backends/index.ts';
import { parseScenario } from '../../harness/scenario/loader.ts';
import { createControlApi } from '../../harness/scenario/control.ts';
import { runScenario } from '../../harness/scenario/runner.ts';
import { clientConfig, dynamoDbClient, lambdaClient, sqsClient } from '../support/clients.ts';

let backend: Backend;
let events: EventBridgeClient;
let sqs: SQSClient;

beforeAll(async () => {
  backend = await createBackend('embedded', { seed: 'events-scenario-test' });
  events = new EventBridgeClient(clientConfig(backend.endpoint));
  sqs = sqsClient(backend.endpoint);
});
afterAll(async () => {
  events?.destroy();
  sqs?.destroy();
  await backend?.dispose();
});

async function queueArn(name: string): Promise<string> {
  const url = (await sqs.send(new CreateQueueCommand({ QueueName: name }))).QueueUrl!;
  return (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn!;
}

/** A custom bus `bus` with rule `rule` (source `shop`, detail-type Order Placed) → queue `<bus>-q`; each test has its own, so counts stay its own. */
async function busWithRule(bus: string, rule: string, target: Partial<Target> = {}): Promise<void> {
  await events.send(new CreateEventBusCommand({ Name: bus }));
  await events.send(new PutRuleCommand({ Name: rule, EventBusName: bus, EventPattern: JSON.stringify({ source: ['shop'], 'detail-type': ['Order Placed'] }) }));
  await events.send(new PutTargetsCommand({ Rule: rule, EventBusName: bus, Targets: [{ Id: 'to-queue', Arn: await queueArn(`${bus}-q`), ...target }] }));
}

async function run(yaml: string, waitTimeoutMs = 20_000) {
  const spec = parseScenario(yaml, '/virtual/events.yaml');
  return runScenario({ file: '/virtual/events.yaml', spec }, { backend, seed: 'events-scenario-test', cwd: '/virtual', waitTimeoutMs });
}

const failures = (r: Awaited<ReturnType<typeof run>>) => Object.fromEntries(r.checks.filter((c) => c.status === 'failed').map((c) => [c.id, c.message]));
const notPassed = (r: Awaited<ReturnType<typeof run>>) => JSON.stringify({ steps: r.steps, checks: r.checks.filter((c) => c.status !== 'passed'), reason: r.reason }, null, 1);

const PUT = (bus: string) => `
when:
  - putEvents:
      - { source: shop, detailType: Order Placed, detail: { orderId: o-1, total: 12.5 }, eventBusName: ${bus} }
      - { source: shop, detailType: Order Cancelled, detail: { orderId: o-0 }, eventBusName: ${bus} }
`;

describe('EventBridge scenario keys', { timeout: 120_000 }, () => {
  it('putEvents sends over the API; then.events checks what the bus accepted and what the rule delivered, with its input', async () => {
    await busWithRule('shop', 'order-placed', { InputPath: '$.detail' });
    const r = await run(`
name: order placed reaches the queue
${PUT('shop')}
then:
  events:
    shop:
      - { event: { source: shop, detail-type: Order Placed, detail: { orderId: o-1 } }, count: 1 }
      - { event: { source: shop }, count: 2 }
      - { rule: order-placed, target: to-queue, input: { orderId: o-1, total: { $gte: 10 } }, attempts: 1, count: 1 }
      - { rule: order-placed, event: { detail-type: Order Cancelled }, count: 0 }
  messages:
    shop-q: { count: 1, bodies: [{ orderId: o-1 }] }
`);
    expect(r.status, notPassed(r)).toBe('passed');
    expect(r.steps[0]).toMatchObject({ action: 'putEvents', status: 'passed', message: expect.stringMatching(/^put 2 event\(s\) on shop: [0-9a-f-]{36}, [0-9a-f-]{36}$/) });
    expect(r.checks.filter((c) => c.id.startsWith('then.events')).map((c) => [c.id, c.message])).toEqual([
      ['then.events.shop[0]', '1 event(s) on shop matching {"source":"shop","detail-type":"Order Placed","detail":{"orderId":"o-1"}}'],
      ['then.events.shop[1]', '2 event(s) on shop matching {"source":"shop"}'],
      ['then.events.shop[2]', '1 event(s) delivered by rule order-placed to target to-queue (input {"orderId":"o-1","total":{"$gte":10}}, attempts 1)'],
      ['then.events.shop[3]', '0 event(s) matching {"detail-type":"Order Cancelled"} delivered by rule order-placed'],
    ]);
  });

  it('fails each wrong then.events expectation, saying what there was instead', async () => {
    await busWithRule('shop-wrong', 'order-placed-wrong', { InputPath: '$.detail' });
    const r = await run(
      `
name: wrong event expectations
${PUT('shop-wrong')}
then:
  events:
    shop-wrong:
      - { event: { detail: { orderId: o-2 } } }
      - { event: { source: shop }, count: 3 }
      - { rule: order-placed-wrong, input: { total: 99 } }
      - { rule: no-such-rule }
      - { rule: order-placed-wrong, status: failed }
    other-bus:
      - { event: { source: shop } }
`,
      1500,
    );
    expect(r.status).toBe('failed');
    expect(failures(r)).toEqual({
      'then.events.shop-wrong[0]': 'expected at least 1 event(s) on shop-wrong matching {"detail":{"orderId":"o-2"}}, got 0 (of 2 on shop-wrong)',
      'then.events.shop-wrong[1]': 'expected exactly 3 event(s) on shop-wrong matching {"source":"shop"}, got 2 (of 2 on shop-wrong)',
      'then.events.shop-wrong[2]': 'expected at least 1 event(s) delivered by rule order-placed-wrong (input {"total":99}), got 0 (of 1 outcome(s) of rule order-placed-wrong on shop-wrong)',
      'then.events.shop-wrong[3]': 'expected at least 1 event(s) delivered by rule no-such-rule, got 0 (of 0 outcome(s) of rule no-such-rule on shop-wrong)',
      'then.events.shop-wrong[4]': 'expected at least 1 event(s) failed by rule order-placed-wrong, got 0 (of 1 outcome(s) of rule order-placed-wrong on shop-wrong)',
      'then.events.other-bus[0]': 'expected at least 1 event(s) on other-bus matching {"source":"shop"}, got 0 (of 0 on other-bus)',
    });
    const wrongStatus = r.checks.find((c) => c.id === 'then.events.shop-wrong[4]')!;
    expect(wrongStatus.actual).toEqual([{ target: 'to-queue', status: 'delivered', attempts: 1, event: { source: 'shop', 'detail-type': 'Order Placed', detail: { orderId: 'o-1', total: 12.5 } } }]);
  });

  it('a putEvents entry EventBridge refuses fails the step with its ErrorCode', async () => {
    const r = await run(`
name: refused entries
when:
  - putEvents:
      - { source: shop, detailType: Fine, detail: {} }
      - { source: aws.s3, detailType: Object Created, detail: { bucket: { name: b } } }
      - { source: shop, detailType: Lost, eventBusName: no-such-bus }
then:
  events:
    default: [{ event: { detail-type: Fine } }]
`);
    expect(r.status).toBe('failed');
    expect(r.steps).toEqual([
      expect.objectContaining({
        action: 'putEvents',
        status: 'failed',
        message:
          'PutEvents refused 2 of 3 entries: entries[1] (aws.s3 / Object Created): NotAuthorizedForSourceException: Not authorized for the source.; entries[2] (shop / Lost): ResourceNotFoundException: Event bus no-such-bus does not exist.',
      }),
    ]);
    // A failed step stops the scenario before its checks.
    expect(r.checks).toEqual([]);
  });

  it('a rule: fault fails deliveries, which the target RetryPolicy retries; then.events counts the attempts', async () => {
    await busWithRule('shop-flaky', 'flaky', { RetryPolicy: { MaximumRetryAttempts: 5 } });
    const scenario = (attempts: number) => `
name: flaky target
given:
  faults:
    - { rule: flaky, target: to-queue, invocations: [1, 2], error: { code: ThrottlingException, message: slow down, statusCode: 429 } }
when:
  - putEvents: [{ source: shop, detailType: Order Placed, detail: { orderId: o-${attempts} }, eventBusName: shop-flaky }]
then:
  events:
    shop-flaky:
      - { rule: flaky, event: { detail: { orderId: o-${attempts} } }, attempts: ${attempts}, count: 1 }
`;
    const ok = await run(scenario(3));
    expect(ok.status, notPassed(ok)).toBe('passed');
    // The fault counters start again with each scenario's plan: this run's delivery took 3 attempts too, not 1.
    const wrong = await run(scenario(1), 1500);
    expect(failures(wrong)).toEqual({
      'then.events.shop-flaky[0]': 'expected exactly 1 event(s) matching {"detail":{"orderId":"o-1"}} delivered by rule flaky (attempts 1), got 0 (of 2 outcome(s) of rule flaky on shop-flaky)',
    });
    expect((wrong.checks.find((c) => c.id === 'then.events.shop-flaky[0]')!.actual as Array<{ attempts: number }>).map((a) => a.attempts)).toEqual([3, 3]);
  });

  it('a rule: fault beyond the retry budget: the delivery fails and the event goes to the dead-letter queue', async () => {
    const dlq = await queueArn('shop-doomed-dlq');
    await busWithRule('shop-doomed', 'doomed', { RetryPolicy: { MaximumRetryAttempts: 0 }, DeadLetterConfig: { Arn: dlq } });
    const scenario = (status: string) => `
name: doomed target
given:
  faults:
    - { rule: doomed, error: { code: Boom, message: target down } }
when:
  - putEvents: [{ source: shop, detailType: Order Placed, detail: { orderId: o-9 }, eventBusName: shop-doomed }]
then:
  events:
    shop-doomed:
      - { rule: doomed, status: ${status}, count: 1 }
  messages:
    shop-doomed-dlq: { attributes: { ERROR_CODE: Boom, RULE_ARN: { $matches: ":rule/shop-doomed/doomed$" } }, bodies: [{ detail: { orderId: o-9 } }] }
    shop-doomed-q: { count: 0 }
`;
    const ok = await run(scenario('failed'));
    expect(ok.status, notPassed(ok)).toBe('passed');
    const wrong = await run(scenario('delivered'), 1500);
    expect(failures(wrong)).toEqual({
      'then.events.shop-doomed[0]': 'expected exactly 1 event(s) delivered by rule doomed, got 0 (of 2 outcome(s) of rule doomed on shop-doomed)',
    });
    expect(wrong.checks.find((c) => c.id === 'then.events.shop-doomed[0]')!.actual).toContainEqual(expect.objectContaining({ status: 'failed', attempts: 1, error: 'Boom: target down' }));
  });

  it('a rule: fault with latencyMs delays the delivery on virtual time, and does not fail it', async () => {
    await busWithRule('shop-slow', 'slow');
    const r = await run(`
name: slow target
given:
  faults:
    - { rule: slow, latencyMs: 120000 }
when:
  - putEvents: [{ source: shop, detailType: Order Placed, detail: { orderId: o-5 }, eventBusName: shop-slow }]
then:
  events:
    shop-slow: [{ rule: slow, attempts: 1, count: 1 }]
  messages:
    shop-slow-q: { count: 1 }
`);
    expect(r.status, notPassed(r)).toBe('passed');
    const obs = await createControlApi(backend.controlUrl!).observations();
    const accepted = obs.events.find((e) => e.eventBusName === 'shop-slow')!;
    const delivered = obs.eventDeliveries.find((d) => d.ruleName === 'slow')!;
    expect(delivered.time - accepted.time).toBeGreaterThanOrEqual(120_000);
    expect(delivered.time - accepted.time).toBeLessThan(121_000);
    // Without the fault the same delivery is immediate: the delay is the fault's.
    const plain = obs.eventDeliveries.find((d) => d.ruleName === 'order-placed')!;
    expect(plain.time - obs.events.find((e) => e.eventBusName === 'shop')!.time).toBeLessThan(1000);
  });

  it('the control API accepts targets faults and names the bad field of a wrong one', async () => {
    const put = (plan: unknown) => fetch(`${backend.controlUrl}/faults`, { method: 'PUT', body: JSON.stringify(plan), headers: { 'content-type': 'application/json' } });
    const ok = await put({ targets: [{ rule: 'r', target: 't', invocations: [1], error: { code: 'ThrottlingException' }, latencyMs: 10 }] });
    expect(ok.status).toBe(204);
    const cases: Array<[unknown, string]> = [
      [{ targets: [{ target: 't' }] }, 'fault plan: `targets[0].rule` must be a non-empty string'],
      [{ targets: [{ rule: 'r', error: { code: 3 } }] }, 'fault plan: `targets[0].error.code` must be a non-empty string'],
      [{ targets: [{ rule: 'r', throw: { errorType: 'E' } }] }, 'fault plan: `targets[0].throw` is not supported: a target fault has error and/or latencyMs'],
      [{ targets: [{ rule: 'r', target: '' }] }, 'fault plan: `targets[0].target` must be a non-empty string (a target Id)'],
      [{ rules: [] }, 'fault plan: unknown field `rules` (expected functions, operations, targets, states)'],
    ];
    for (const [plan, message] of cases) {
      const res = await put(plan);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { code: string; message: string } }).error).toEqual({ code: 'InvalidFaultPlan', message });
    }
    await fetch(`${backend.controlUrl}/faults`, { method: 'DELETE' });
  });

  it('the loader refuses misplaced rule-fault and then.events keys, naming them', () => {
    const bad = (yaml: string) => () => parseScenario(`name: x\n${yaml}`, '/virtual/bad.yaml');
    expect(bad('given:\n  faults:\n    - { function: f, target: t, throw: { errorType: E } }\n')).toThrow(/target belongs to rule faults/);
    expect(bad('given:\n  faults:\n    - { rule: r, throw: { errorType: E } }\n')).toThrow(/rule fault on r: throw does not apply/);
    expect(bad('given:\n  faults:\n    - { rule: r }\n')).toThrow(/rule fault on r: give error \(the delivery fails\) and\/or latencyMs/);
    expect(bad('given:\n  faults:\n    - { rule: r, queue: q, error: { code: E } }\n')).toThrow(/an EventBridge rule/);
    expect(bad('then:\n  events:\n    default: [{ status: failed }]\n')).toThrow(/status needs rule/);
    expect(bad('when:\n  - putEvents: []\n')).toThrow(/putEvents/);
    expect(bad('when:\n  - putEvents: [{ source: s, detailType: d, detial: {} }]\n')).toThrow(/detial/);
  });

  it("then.tables waits for what a rule's Lambda target writes: the target is invoked asynchronously, after the delivery", async () => {
    const ddb = dynamoDbClient(backend.endpoint);
    const lambda = lambdaClient(backend.endpoint);
    try {
      await ddb.send(new CreateTableCommand({ TableName: 'recorded', BillingMode: 'PAY_PER_REQUEST', AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }] }));
      const zip = new AdmZip();
      // The write comes well after the delivery was accepted (202).
      zip.addFile('index.mjs', Buffer.from("import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';\nconst ddb = new DynamoDBClient({});\nexport const handler = async (e) => { await new Promise((r) => setTimeout(r, 400)); await ddb.send(new PutItemCommand({ TableName: 'recorded', Item: { pk: { S: e.detail.orderId } } })); };\n"));
      const fn = await lambda.send(new CreateFunctionCommand({ FunctionName: 'recorder', Runtime: 'nodejs20.x', Handler: 'index.handler', Role: 'arn:aws:iam::000000000000:role/r', Code: { ZipFile: zip.toBuffer() } }));
      await events.send(new CreateEventBusCommand({ Name: 'recording' }));
      await events.send(new PutRuleCommand({ Name: 'record', EventBusName: 'recording', EventPattern: JSON.stringify({ source: ['shop'] }) }));
      await events.send(new PutTargetsCommand({ Rule: 'record', EventBusName: 'recording', Targets: [{ Id: 'recorder', Arn: fn.FunctionArn! }] }));
      const r = await run(`name: recorded by the target
when:
  - putEvents: [{ source: shop, detailType: Order Placed, detail: { orderId: o-9 }, eventBusName: recording }]
then:
  events:
    recording: [{ rule: record, target: recorder, count: 1 }]
  tables:
    recorded: { count: 1 }
`);
      expect(r.status, notPassed(r)).toBe('passed');
    } finally {
      ddb.destroy();
      lambda.destroy();
    }
  });
});
