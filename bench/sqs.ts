/**
 * `npm run bench -- sqs`: through AWS SDK v3 (default settings, which check
 * the body MD5 of every send and receive), SendMessage + ReceiveMessage +
 * DeleteMessage of a 1 KB message, against (a) our endpoint and (b) a bare
 * in-memory Node HTTP server answering the same bytes our endpoint answered —
 * the ceiling: what the client, its parsing and loopback HTTP cost with no
 * queue at all. Both run in this process with the client, in interleaved
 * rounds so background load hits them alike; the median round counts.
 * Goal: ≥ 80 % of the ceiling. The same run also measures the floor the
 * shared protocol layer sets: three GetQueueUrl calls per cycle (a map
 * lookup, no queue work) against the same ceiling. Then EventBridge fan-out:
 * 1,000 events in PutEvents batches of 10, each matched by 3 rules whose
 * targets are SQS queues, timed until all 3,000 messages are in the queues,
 * against the same PutEvents calls answered by a bare server.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { Agent } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EventBridgeClient, PutEventsCommand, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, DeleteMessageCommand, GetQueueAttributesCommand, GetQueueUrlCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { CEILING_REQUEST_ID, startEmulator } from './_endpoint.ts';

const OPS_PER_ROUND = Number(process.env.BENCH_SQS_OPS ?? 100);
const ROUNDS = Number(process.env.BENCH_SQS_ROUNDS ?? 11);
const WARMUP = 200;
const BODY = JSON.stringify({ key: 'raw/cat.jpg', pad: 'x'.repeat(990) });

type Answers = Map<string, Buffer>;

/** Answers each X-Amz-Target with the bytes recorded from our endpoint. */
function bareServer(answers: Answers): Promise<{ endpoint: string; close(): Promise<void> }> {
  const server: Server = createServer((req: IncomingMessage, res) => {
    req.resume();
    req.on('end', () => {
      const body = answers.get(String(req.headers['x-amz-target']));
      if (!body) {
        res.writeHead(400, { 'content-length': 0 });
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0', 'content-length': body.length, 'x-amzn-requestid': CEILING_REQUEST_ID });
      res.end(body);
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise<void>((r) => server.close(() => r())) }),
    ),
  );
}

function client(endpoint: string): SQSClient {
  return new SQSClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true }) }),
  });
}

/** The floor: as many requests, with no queue work behind them. */
async function trivialCycle(sqs: SQSClient): Promise<void> {
  for (let i = 0; i < 3; i++) await sqs.send(new GetQueueUrlCommand({ QueueName: 'bench' }));
}

async function cycle(sqs: SQSClient, queueUrl: string): Promise<void> {
  await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: BODY }));
  const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }));
  const m = got.Messages?.[0];
  if (m?.Body !== BODY) throw new Error('ReceiveMessage did not return the message');
  await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }));
}

/** Our endpoint's answers to the three requests, over raw HTTP (the ceiling replays them). */
async function record(endpoint: string, queueUrl: string): Promise<Answers> {
  const answers: Answers = new Map();
  const call = async (op: string, input: Record<string, unknown>) => {
    const res = await fetch(endpoint, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AmazonSQS.${op}` }, body: JSON.stringify(input) });
    const body = Buffer.from(await res.arrayBuffer());
    if (res.status !== 200) throw new Error(`${op}: ${res.status} ${body.toString()}`);
    answers.set(`AmazonSQS.${op}`, body);
    return JSON.parse(body.toString()) as Record<string, unknown>;
  };
  await call('SendMessage', { QueueUrl: queueUrl, MessageBody: BODY });
  const got = (await call('ReceiveMessage', { QueueUrl: queueUrl })) as { Messages: Array<{ ReceiptHandle: string }> };
  await call('DeleteMessage', { QueueUrl: queueUrl, ReceiptHandle: got.Messages[0]!.ReceiptHandle });
  await call('GetQueueUrl', { QueueName: 'bench' });
  return answers;
}

async function timeRound(op: () => Promise<void>, n: number): Promise<{ rate: number; cpuMs: number }> {
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) await op();
  const cpu = process.cpuUsage(c0);
  return { rate: (n * 1e9) / Number(process.hrtime.bigint() - t0), cpuMs: (cpu.user + cpu.system) / 1000 / n };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const FANOUT_EVENTS = 1000;

/** 1,000 events to 3 rule targets: events/s until every queue holds them all, and the bare-server ceiling for the same calls. */
async function fanOut(): Promise<void> {
  const emu = await startEmulator({ services: ['sqs', 'events'], log: false });
  const opts = { region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' }, requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true }) }) };
  const eb = new EventBridgeClient({ endpoint: emu.endpoint, ...opts });
  const sqs = client(emu.endpoint);
  const urls: string[] = [];
  for (let i = 0; i < 3; i++) {
    urls.push((await sqs.send(new CreateQueueCommand({ QueueName: `fan-${i}` }))).QueueUrl!);
    await eb.send(new PutRuleCommand({ Name: `rule-${i}`, EventPattern: JSON.stringify({ source: ['bench'], detail: { n: [{ numeric: ['>=', 0] }] } }) }));
    await eb.send(new PutTargetsCommand({ Rule: `rule-${i}`, Targets: [{ Id: 'q', Arn: `arn:aws:sqs:us-east-1:000000000000:fan-${i}` }] }));
  }
  const batch = (b: number) => Array.from({ length: 10 }, (_, j) => ({ Source: 'bench', DetailType: 'Fan', Detail: JSON.stringify({ n: b * 10 + j, key: 'raw/cat.jpg' }) }));
  const res = await fetch(emu.endpoint, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSEvents.PutEvents' }, body: JSON.stringify({ Entries: batch(0) }) });
  const bare = await bareServer(new Map([['AWSEvents.PutEvents', Buffer.from(await res.arrayBuffer())]]));
  const ceilingClient = new EventBridgeClient({ endpoint: bare.endpoint, ...opts });
  const count = async () => {
    let n = 0;
    for (const url of urls) n += Number((await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages'] }))).Attributes!.ApproximateNumberOfMessages);
    return n;
  };
  try {
    const before = await count();
    const t0 = process.hrtime.bigint();
    for (let b = 0; b < FANOUT_EVENTS / 10; b++) {
      const out = await eb.send(new PutEventsCommand({ Entries: batch(b) }));
      if (out.FailedEntryCount) throw new Error('PutEvents refused an entry');
    }
    const want = before + 3 * FANOUT_EVENTS;
    while ((await count()) < want) await new Promise((r) => setTimeout(r, 1));
    const ours = (FANOUT_EVENTS * 1e9) / Number(process.hrtime.bigint() - t0);
    const t1 = process.hrtime.bigint();
    for (let b = 0; b < FANOUT_EVENTS / 10; b++) await ceilingClient.send(new PutEventsCommand({ Entries: batch(b) }));
    const ceiling = (FANOUT_EVENTS * 1e9) / Number(process.hrtime.bigint() - t1);
    console.log(`PutEvents fan-out: ${FANOUT_EVENTS} events (batches of 10) to 3 rule targets (SQS queues), until all ${3 * FANOUT_EVENTS} messages are queued:`);
    console.log(`  rehearse                   ${ours.toFixed(0).padStart(6)} events/s  (${(ours * 3).toFixed(0)} deliveries/s)  ${((ours / ceiling) * 100).toFixed(1)} % of ceiling`);
    console.log(`  bare node http (ceiling)   ${ceiling.toFixed(0).padStart(6)} events/s  (the same PutEvents calls, no routing)`);
  } finally {
    eb.destroy();
    ceilingClient.destroy();
    sqs.destroy();
    await bare.close();
    await emu.dispose();
  }
}

export async function run(): Promise<void> {
  await fanOut();
  const ours = await startEmulator({ services: ['sqs'], log: false });
  const setup = client(ours.endpoint);
  const queueUrl = (await setup.send(new CreateQueueCommand({ QueueName: 'bench' }))).QueueUrl!;
  setup.destroy();
  const answers = await record(ours.endpoint, queueUrl);
  const bare = await bareServer(answers);
  const targets = [
    { name: 'rehearse', sqs: client(ours.endpoint) },
    { name: 'bare node http (ceiling)', sqs: client(bare.endpoint) },
  ];
  try {
    const measure = (label: string, op: (sqs: SQSClient) => Promise<void>) => async () => {
      const rates = targets.map(() => [] as number[]);
      const cpu = targets.map(() => [] as number[]);
      for (const t of targets) for (let i = 0; i < WARMUP; i++) await op(t.sqs);
      for (let r = 0; r < ROUNDS; r++) {
        for (let k = 0; k < targets.length; k++) {
          const i = (r + k) % targets.length;
          const round = await timeRound(() => op(targets[i]!.sqs), OPS_PER_ROUND);
          rates[i]!.push(round.rate);
          cpu[i]!.push(round.cpuMs);
        }
      }
      const ceiling = median(rates[1]!);
      console.log(`${label} via SDK v3, ${ROUNDS} rounds × ${OPS_PER_ROUND} (median round):`);
      targets.forEach((t, i) =>
        console.log(
          `  ${t.name.padEnd(26)} ${median(rates[i]!).toFixed(0).padStart(6)} cycles/s  ${((median(rates[i]!) / ceiling) * 100).toFixed(1).padStart(6)} % of ceiling   cpu ${median(cpu[i]!).toFixed(3)} ms/cycle`,
        ),
      );
      return median(rates[0]!.map((x, i) => x / rates[1]![i]!));
    };
    const paired = await measure('SendMessage + ReceiveMessage + DeleteMessage of a 1 KB message', (sqs) => cycle(sqs, queueUrl))();
    console.log(`  rehearse / ceiling, paired per round: ${(paired * 100).toFixed(1)} % (goal ≥ 80 %) ${paired >= 0.8 ? 'OK' : 'BELOW GOAL'}`);
    const floor = await measure('floor: 3 × GetQueueUrl (the protocol layer, no queue work)', trivialCycle)();
    console.log(`  protocol-layer floor, paired per round: ${(floor * 100).toFixed(1)} % of the ceiling`);
  } finally {
    for (const t of targets) t.sqs.destroy();
    await bare.close();
    await ours.dispose();
  }
}
