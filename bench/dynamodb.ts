/**
 * `npm run bench -- dynamodb`: through AWS SDK v3 (default settings), a
 * PutItem + GetItem of a 1 KB item, and a Query answering 100 items, against
 * (a) our endpoint, (b) dynalite's own HTTP server (what we mount in-process,
 * run standalone), (c) a bare in-memory Node HTTP server answering the same
 * bytes our endpoint answered (body and x-amz-crc32) — the ceiling: what the
 * client, its parsing and loopback HTTP cost with no DynamoDB work at all.
 * All run in this process with the client, in interleaved rounds so
 * background load hits them alike; the median round counts. Goal: ≥ 80 % of
 * the ceiling. The same run measures the floor the shared protocol layer
 * sets: two DescribeLimits per pair (a constant answer, no DynamoDB work).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { Agent } from 'node:http';
import { CreateTableCommand, DescribeLimitsCommand, DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand, BatchWriteItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { CEILING_REQUEST_ID, startEmulator } from './_endpoint.ts';
import { awsJsonRequest, rawClient } from './_raw-client.ts';

const OPS_PER_ROUND = Number(process.env.BENCH_DDB_OPS ?? 60);
const ROUNDS = Number(process.env.BENCH_DDB_ROUNDS ?? 11);
const WARMUP = 200;
const TABLE = 'bench';

type Answers = Map<string, { body: Buffer; crc32: string }>;

/** Answers each X-Amz-Target with the bytes recorded from our endpoint. */
function bareServer(answers: Answers): Promise<{ endpoint: string; close(): Promise<void> }> {
  const server: Server = createServer((req: IncomingMessage, res) => {
    req.resume();
    req.on('end', () => {
      const a = answers.get(String(req.headers['x-amz-target']));
      if (!a) {
        res.writeHead(400, { 'content-length': 0 });
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0', 'content-length': a.body.length, 'x-amz-crc32': a.crc32, 'x-amzn-requestid': CEILING_REQUEST_ID });
      res.end(a.body);
    });
  });
  return listen(server);
}

function listen(server: Server): Promise<{ endpoint: string; close(): Promise<void> }> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => new Promise<void>((r) => server.close(() => r())) }),
    ),
  );
}

function client(endpoint: string): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    requestHandler: new NodeHttpHandler({ httpAgent: new Agent({ keepAlive: true }) }),
  });
}

const ITEM: Record<string, AttributeValue> = {
  pk: { S: 'user#1' },
  sk: { N: '0' },
  name: { S: 'x'.repeat(700) },
  tags: { SS: ['a', 'b', 'c'] },
  count: { N: '42' },
  nested: { M: { flag: { BOOL: true }, list: { L: [{ S: 'one' }, { N: '2' }] } } },
};
const KEY = { pk: ITEM.pk!, sk: ITEM.sk! };

async function putGet(ddb: DynamoDBClient): Promise<void> {
  await ddb.send(new PutItemCommand({ TableName: TABLE, Item: ITEM }));
  const got = await ddb.send(new GetItemCommand({ TableName: TABLE, Key: KEY }));
  if (got.Item?.name?.S?.length !== 700) throw new Error('GetItem did not return the item');
}

/** The floor: as many requests as a PutItem + GetItem, with no DynamoDB work behind them. */
async function trivialPair(ddb: DynamoDBClient): Promise<void> {
  await ddb.send(new DescribeLimitsCommand({}));
  await ddb.send(new DescribeLimitsCommand({}));
}

async function query(ddb: DynamoDBClient): Promise<void> {
  const out = await ddb.send(new QueryCommand({ TableName: TABLE, KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': { S: 'user#2' } } }));
  if (out.Count !== 100) throw new Error(`Query answered ${out.Count} items, expected 100`);
}

async function setup(ddb: DynamoDBClient): Promise<void> {
  await ddb.send(
    new CreateTableCommand({
      TableName: TABLE,
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'N' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  for (let i = 0; i < 100; i += 25) {
    const batch = Array.from({ length: 25 }, (_, j) => ({ PutRequest: { Item: { ...ITEM, pk: { S: 'user#2' }, sk: { N: String(i + j) }, name: { S: 'y'.repeat(100) } } } }));
    await ddb.send(new BatchWriteItemCommand({ RequestItems: { [TABLE]: batch } }));
  }
}

/** The answers our endpoint gives to the three requests, recorded over raw HTTP (the ceiling replays them). */
async function record(endpoint: string): Promise<Answers> {
  const answers: Answers = new Map();
  const ddb = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
  ddb.middlewareStack.add(
    (next, context) => async (args) => {
      const out = await next(args);
      const response = out.response as { headers: Record<string, string> };
      const body = (context as { rehearseBody?: Buffer }).rehearseBody;
      if (body) answers.set(`DynamoDB_20120810.${context.commandName!.replace(/Command$/, '')}`, { body, crc32: response.headers['x-amz-crc32'] ?? '' });
      return out;
    },
    { step: 'deserialize', name: 'benchRecordAnswer', priority: 'high' },
  );
  ddb.middlewareStack.add(
    (next, context) => async (args) => {
      const out = await next(args);
      const response = out.response as { body: AsyncIterable<Uint8Array> };
      const chunks: Buffer[] = [];
      for await (const c of response.body) chunks.push(Buffer.from(c));
      const body = Buffer.concat(chunks);
      (context as { rehearseBody?: Buffer }).rehearseBody = body;
      const { Readable } = await import('node:stream');
      (out.response as { body: unknown }).body = Readable.from([body]);
      return out;
    },
    { step: 'deserialize', name: 'benchReadBody', priority: 'low' },
  );
  await putGet(ddb);
  await query(ddb);
  await trivialPair(ddb);
  ddb.destroy();
  return answers;
}

/** Operations per second (wall clock) and CPU ms per operation (client and server: they share this process). */
async function timeRound(ddb: DynamoDBClient, op: (d: DynamoDBClient) => Promise<void>, n: number): Promise<{ rate: number; cpuMs: number }> {
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  for (let i = 0; i < n; i++) await op(ddb);
  const cpu = process.cpuUsage(c0);
  return { rate: (n * 1e9) / Number(process.hrtime.bigint() - t0), cpuMs: (cpu.user + cpu.system) / 1000 / n };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** dynalite's standalone HTTP server (what we mount in-process), for comparison. */
function dynaliteServer(): Promise<{ endpoint: string; close(): Promise<void> }> {
  const require = createRequire(import.meta.url);
  const dynalite = require('dynalite') as (options: Record<string, unknown>) => Server;
  return listen(dynalite({ createTableMs: 0 }));
}

/**
 * What each server costs per request with the client's work out of the way:
 * the same requests from a raw keep-alive socket (bench/_raw-client.ts), ours
 * and the ceiling in interleaved rounds. Inside the SDK loops above the same
 * server work costs 3–4 times as much wall time (both share one thread, its
 * caches and its garbage collector), so this is where a change to the
 * endpoint shows most plainly.
 */
async function serverCost(oursEndpoint: string, bareEndpoint: string): Promise<void> {
  const put = awsJsonRequest('DynamoDB_20120810.PutItem', JSON.stringify({ TableName: TABLE, Item: ITEM }));
  const get = awsJsonRequest('DynamoDB_20120810.GetItem', JSON.stringify({ TableName: TABLE, Key: KEY }));
  const limits = awsJsonRequest('DynamoDB_20120810.DescribeLimits', '{}');
  const clients = [await rawClient(oursEndpoint), await rawClient(bareEndpoint)];
  const n = OPS_PER_ROUND * 10;
  try {
    console.log(`server cost per request, raw HTTP client (no SDK), ${ROUNDS} rounds × ${n} (median round):`);
    for (const [label, requests] of [
      ['PutItem + GetItem, per pair', [put, get]],
      ['DescribeLimits (the protocol layer)', [limits]],
    ] as const) {
      const micros = clients.map(() => [] as number[]);
      const op = async (c: (typeof clients)[number]) => {
        for (const r of requests) await c.send(r);
      };
      for (const c of clients) for (let i = 0; i < WARMUP * 5; i++) await op(c);
      for (let r = 0; r < ROUNDS; r++) {
        for (let k = 0; k < clients.length; k++) {
          const i = (r + k) % clients.length;
          const t0 = process.hrtime.bigint();
          for (let j = 0; j < n; j++) await op(clients[i]!);
          micros[i]!.push(Number(process.hrtime.bigint() - t0) / 1000 / n);
        }
      }
      const [mine, ceiling] = micros.map(median) as [number, number];
      console.log(`  ${label.padEnd(36)} rehearse ${mine.toFixed(1).padStart(6)} µs   bare ${ceiling.toFixed(1).padStart(6)} µs   rehearse adds ${(mine - ceiling).toFixed(1)} µs`);
    }
  } finally {
    for (const c of clients) c.close();
  }
}

export async function run(): Promise<void> {
  const ours = await startEmulator({ services: ['dynamodb'], log: false });
  const setupClient = client(ours.endpoint);
  await setup(setupClient);
  setupClient.destroy();
  // After our endpoint's first request: it loads dynalite then, and its in-memory store must be the first to
  // take memory-level's class (dynalite.ts), which dynalite's own server, loaded in this process too, would otherwise be.
  const standalone = await dynaliteServer();
  const answers = await record(ours.endpoint);
  const bare = await bareServer(answers);
  const targets = [
    { name: 'rehearse', ddb: client(ours.endpoint) },
    { name: 'dynalite server', ddb: client(standalone.endpoint) },
    { name: 'bare node http (ceiling)', ddb: client(bare.endpoint) },
  ];
  try {
    await setup(targets[1]!.ddb);
    // dynalite keeps a table CREATING until a timer fires, however short: wait until it answers.
    for (let i = 0; i < 100; i++) {
      try {
        await putGet(targets[1]!.ddb);
        break;
      } catch {
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    for (const [label, op] of [
      ['PutItem + GetItem of a 1 KB item', putGet],
      ['Query answering 100 items (~25 KB)', query],
      ['floor: 2 × DescribeLimits (the protocol layer, no DynamoDB work)', trivialPair],
    ] as const) {
      const floor = op === trivialPair;
      // dynalite's server has no DescribeLimits: the floor compares us with the ceiling only.
      const measured = floor ? [targets[0]!, targets[2]!] : targets;
      const rates = measured.map(() => [] as number[]);
      const cpu = measured.map(() => [] as number[]);
      for (const t of measured) for (let i = 0; i < WARMUP; i++) await op(t.ddb);
      for (let r = 0; r < ROUNDS; r++) {
        for (let k = 0; k < measured.length; k++) {
          const i = (r + k) % measured.length;
          const round = await timeRound(measured[i]!.ddb, op, OPS_PER_ROUND);
          rates[i]!.push(round.rate);
          cpu[i]!.push(round.cpuMs);
        }
      }
      const last = measured.length - 1;
      const ceiling = median(rates[last]!);
      console.log(`${label} via SDK v3, ${ROUNDS} rounds × ${OPS_PER_ROUND} (median round):`);
      measured.forEach((t, i) =>
        console.log(
          `  ${t.name.padEnd(26)} ${median(rates[i]!).toFixed(0).padStart(6)} ops/s  ${((median(rates[i]!) / ceiling) * 100).toFixed(1).padStart(6)} % of ceiling   cpu ${median(cpu[i]!).toFixed(3)} ms/op`,
        ),
      );
      const paired = median(rates[0]!.map((x, i) => x / rates[last]![i]!));
      if (floor) console.log(`  protocol-layer floor, paired per round: ${(paired * 100).toFixed(1)} % of the ceiling`);
      else {
        console.log(
          `  rehearse / ceiling, paired per round: ${(paired * 100).toFixed(1)} % (goal ≥ 80 %) ${paired >= 0.8 ? 'OK' : 'BELOW GOAL'}; rehearse / dynalite server = ${(median(rates[0]!) / median(rates[1]!)).toFixed(2)}×`,
        );
      }
    }
    await serverCost(ours.endpoint, bare.endpoint);
  } finally {
    for (const t of targets) t.ddb.destroy();
    await ours.dispose();
    await standalone.close();
    await bare.close();
  }
}
