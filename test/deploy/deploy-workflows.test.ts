/**
 * Deploys workflows/template.yaml onto the embedded endpoint through the SDK
 * (harness/deploy) and runs every workflow to its expected end state via the
 * Step Functions API, with the real Lambdas and real images.
 */
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import type { DescribeExecutionCommandOutput, HistoryEvent } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbedded, type EmbeddedBackend } from '../../harness/backends/embedded.ts';
import { VirtualClock } from '../../harness/core/index.ts';
import { deploy, type DeployResult } from '../../harness/deploy/index.ts';
import { inspect, notAnImage, photo, truncatedJpeg } from '../support/images.ts';

const TEMPLATE = new URL('../../workflows/template.yaml', import.meta.url).pathname;
const CONFIG = { targetWidth: 320, targetHeight: 240, outputFormat: 'webp', quality: 70 };

let be: EmbeddedBackend;
let clock: VirtualClock;
let deployed: DeployResult;
let s3: S3Client;
let sfn: SFNClient;
let ddb: DynamoDBClient;

beforeAll(async () => {
  clock = new VirtualClock();
  be = await startEmbedded({ clock, log: { info() {}, warn() {}, error: (m) => console.error(m) } });
  deployed = await deploy(TEMPLATE, be, { secrets: { 'image-processor/config': CONFIG } });
  const cfg = { endpoint: be.endpoint, region: be.region, credentials: be.credentials };
  s3 = new S3Client({ ...cfg, forcePathStyle: true });
  sfn = new SFNClient(cfg);
  ddb = new DynamoDBClient(cfg);
}, 120_000);

afterAll(async () => {
  s3?.destroy();
  sfn?.destroy();
  ddb?.destroy();
  await be?.dispose();
});

async function put(key: string, body: Buffer): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: 'images', Key: key, Body: body }));
}

async function get(key: string): Promise<Buffer> {
  const out = await s3.send(new GetObjectCommand({ Bucket: 'images', Key: key }));
  return Buffer.from(await out.Body!.transformToByteArray());
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function finished(executionArn: string): Promise<DescribeExecutionCommandOutput> {
  return until(`${executionArn} to finish`, async () => {
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    return d.status === 'RUNNING' ? undefined : d;
  });
}

async function start(stateMachine: string, input: unknown): Promise<string> {
  const out = await sfn.send(new StartExecutionCommand({ stateMachineArn: deployed.stateMachines[stateMachine], input: JSON.stringify(input) }));
  return out.executionArn!;
}

async function history(executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new GetExecutionHistoryCommand({ executionArn, nextToken, maxResults: 1000 }));
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

function enteredStates(events: HistoryEvent[]): string[] {
  return events.filter((e) => e.stateEnteredEventDetails).map((e) => e.stateEnteredEventDetails!.name!);
}

function snsMessages(topicSuffix: string) {
  return be.emulator.observations.snapshot().snsMessages.filter((m) => m.topicArn.endsWith(`:${topicSuffix}`));
}

describe('deploy', () => {
  it('created every resource of the template, and a redeploy changes nothing', async () => {
    const created = deployed.changes.filter((c) => c.action === 'created').map((c) => c.logicalId);
    expect(created).toEqual(expect.arrayContaining(['SharpLayer', 'ImagesBucket', 'ConfigSecret', 'ValidateImageFunction', 'StartProcessingFunction', 'ImageProcessorStateMachine', 'ImageBatchDistributedStateMachine', 'ReviewRequestsQueue', 'ReviewRequestsDlq', 'ReviewConsumerFunctionReviewRequests', 'GalleryBucket', 'GalleryEventBus', 'GalleryReadyRule', 'GalleryFailedExecutionRule', 'ImageGalleryStateMachine', 'GalleryUpdaterFunctionGalleryUpdates']));
    expect(Object.keys(deployed.functions)).toHaveLength(13);
    const again = await deploy(TEMPLATE, be, { secrets: { 'image-processor/config': CONFIG } });
    expect(again.changes.filter((c) => c.action !== 'unchanged' && c.action !== 'skipped')).toEqual([]);
    // Named, never silently dropped: what the endpoint does not deploy yet.
    expect(again.changes.filter((c) => c.action === 'skipped').map((c) => `${c.logicalId}: ${c.detail}`)).toEqual([
      'GalleryAlertsTopicPolicy: no local effect (the endpoint grants every permission and keeps no log configuration)',
    ]);
    expect(again.stateMachines).toEqual(deployed.stateMachines);
  });

  it('updates only what changed: a new secret value and a function environment', async () => {
    const out = await deploy(TEMPLATE, be, { secrets: { 'image-processor/config': { ...CONFIG, quality: 71 } }, environment: { EXTRA: '1' } });
    const changed = out.changes.filter((c) => c.action !== 'unchanged' && c.action !== 'skipped');
    expect(changed.map((c) => `${c.logicalId}:${c.action}`).sort()).toEqual(
      ['ConfigSecret:updated', ...Object.keys(deployed.functions).map((id) => `${id}:updated`)].sort(),
    );
    expect(changed.find((c) => c.logicalId === 'ValidateImageFunction')?.detail).toBe('Environment');
    await deploy(TEMPLATE, be, { secrets: { 'image-processor/config': CONFIG } });
  });
});

describe('image-processor (started by the S3 upload trigger)', () => {
  it('validates, resizes and filters in parallel, optimises and notifies', { timeout: 180_000 }, async () => {
    await put('raw/cat.jpg', await photo('jpeg', { width: 1200, height: 900 }));
    const list = await until('the trigger to start an execution', async () => {
      const l = await sfn.send(new ListExecutionsCommand({ stateMachineArn: deployed.stateMachines['image-processor'] }));
      return l.executions?.length ? l.executions : undefined;
    });
    const d = await finished(list[0]!.executionArn!);
    expect(d.status).toBe('SUCCEEDED');
    const output = JSON.parse(d.output!) as { optimized: { key: string; bytesSaved: number } };
    expect(output.optimized.key).toBe('optimized/raw/cat.webp');
    expect(await inspect(await get('resized/raw/cat.jpg'))).toMatchObject({ format: 'jpeg', width: 320, height: 240 });
    expect(await inspect(await get('filtered/raw/cat.jpg'))).toMatchObject({ format: 'jpeg', width: 1200, height: 900 });
    expect(await inspect(await get('optimized/raw/cat.webp'))).toMatchObject({ format: 'webp', width: 320, height: 240 });
    expect(enteredStates(await history(d.executionArn!))).toEqual(['RecordUpload', 'ValidateImage', 'IsImageValid', 'RecordValidation', 'ProcessImage', 'ResizeImage', 'ApplyFilters', 'OptimizeImage', 'RecordResult', 'NotifySuccess']);
    // The notebook, written by the workflow itself through the optimised DynamoDB integration.
    const notebook = await ddb.send(new GetItemCommand({ TableName: 'image-processor-notebook', Key: { uploadKey: { S: 'raw/cat.jpg' } } }));
    expect(notebook.Item).toMatchObject({ status: { S: 'DONE' }, format: { S: 'jpeg' }, width: { N: '1200' }, optimizedKey: { S: 'optimized/raw/cat.webp' }, executionArn: { S: d.executionArn } });
    expect(snsMessages('image-processed').some((m) => JSON.parse(m.message).key === 'raw/cat.jpg')).toBe(true);
  });

  it('routes a truncated JPEG to NotifyError and fails with InvalidImage', async () => {
    // Outside raw/, so the trigger does not start a second execution.
    await put('manual/broken.jpg', await truncatedJpeg(0.4));
    const arn = await start('image-processor', { bucket: 'images', key: 'manual/broken.jpg', etag: 'e0', size: 10 });
    const d = await finished(arn);
    expect(d.status).toBe('FAILED');
    expect(d.error).toBe('InvalidImage');
    expect(enteredStates(await history(arn))).toEqual(['RecordUpload', 'ValidateImage', 'IsImageValid', 'RejectInvalidImage', 'RecordFailure', 'NotifyError', 'ProcessingFailed']);
    const notice = snsMessages('image-failed').map((m) => JSON.parse(m.message) as { key: string; error: string; cause: string }).find((m) => m.key === 'manual/broken.jpg');
    expect(notice).toMatchObject({ error: 'InvalidImage', cause: expect.stringMatching(/^image data is corrupt or truncated: .*premature end of JPEG/) });
  });
});

describe('image-processor-jsonata', () => {
  it('produces the same images and output shape as the JSONPath version', async () => {
    await put('uploads/dog.png', await photo('png', { width: 640, height: 480, seed: 5 }));
    const d = await finished(await start('image-processor-jsonata', { bucket: 'images', key: 'uploads/dog.png' }));
    expect(d.status).toBe('SUCCEEDED');
    const output = JSON.parse(d.output!) as { processed: { resized: { key: string } }; optimized: { key: string }; notification: { messageId: string } };
    expect(output.processed.resized.key).toBe('resized/uploads/dog.png');
    expect(output.optimized.key).toBe('optimized/uploads/dog.webp');
    expect(output.notification.messageId).toBeTruthy();
    expect(await inspect(await get('optimized/uploads/dog.webp'))).toMatchObject({ format: 'webp', width: 320, height: 240 });
  });

  it('sends a non-image to NotifyError and fails with its reason', async () => {
    await put('uploads/notes.png', notAnImage());
    const d = await finished(await start('image-processor-jsonata', { bucket: 'images', key: 'uploads/notes.png' }));
    expect(d).toMatchObject({ status: 'FAILED', error: 'InvalidImage' });
    expect(d.cause).toMatch(/^not a readable image/);
  });
});

describe('image-review (wait for callback)', () => {
  /**
   * The reviewer's token, from the SNS review request. We also wait for TaskSubmitted: the engine
   * registers the token when the Lambda invoke returns (AWS accepts it as soon as the task starts —
   * reported to engine-core), and the heartbeat clock starts there.
   */
  async function tokenFor(key: string, arn: string): Promise<string> {
    const token = await until(`a review request for ${key}`, async () => {
      const m = snsMessages('image-review-requests').map((x) => JSON.parse(x.message) as { key: string; taskToken: string }).find((x) => x.key === key);
      return m?.taskToken;
    });
    await until('TaskSubmitted', async () => ((await history(arn)).some((e) => e.type === 'TaskSubmitted') ? true : undefined));
    return token;
  }

  it('publishes an approved image', async () => {
    await put('optimized/review/a.webp', await photo('webp'));
    const arn = await start('image-review', { bucket: 'images', key: 'optimized/review/a.webp' });
    const token = await tokenFor('optimized/review/a.webp', arn);
    await sfn.send(new SendTaskHeartbeatCommand({ taskToken: token }));
    await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify({ decision: 'approve', reviewer: 'ana' }) }));
    const d = await finished(arn);
    expect(d.status).toBe('SUCCEEDED');
    expect(enteredStates(await history(arn))).toEqual(['RequestReview', 'ReviewDecision', 'PublishImage', 'NotifyPublished', 'Published']);
    expect(await inspect(await get('published/optimized/review/a.webp'))).toMatchObject({ format: 'webp' });
  });

  it('archives a rejected image', async () => {
    await put('optimized/review/b.webp', await photo('webp', { seed: 9 }));
    const arn = await start('image-review', { bucket: 'images', key: 'optimized/review/b.webp' });
    const token = await tokenFor('optimized/review/b.webp', arn);
    await sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify({ decision: 'reject' }) }));
    const d = await finished(arn);
    expect(d.status).toBe('SUCCEEDED');
    expect(enteredStates(await history(arn))).toEqual(['RequestReview', 'ReviewDecision', 'ArchiveImage', 'Archived']);
    expect((await get('archived/optimized/review/b.webp')).length).toBeGreaterThan(0);
  });

  it('escalates when no heartbeat arrives within HeartbeatSeconds', async () => {
    await put('optimized/review/c.webp', await photo('webp', { seed: 3 }));
    const arn = await start('image-review', { bucket: 'images', key: 'optimized/review/c.webp' });
    await tokenFor('optimized/review/c.webp', arn);
    // A pending callback holds virtual time; move it past the 3600 s heartbeat window.
    await clock.advance(3_601_000);
    const d = await finished(arn);
    expect(d).toMatchObject({ status: 'FAILED', error: 'ReviewTimedOut' });
    const states = enteredStates(await history(arn));
    expect(states).toEqual(['RequestReview', 'Escalate', 'ReviewTimedOut']);
    // The optimized sns:publish integration serialises a JSON Message to text, as AWS does.
    const escalations = snsMessages('image-review-escalations').map((m) => m.message);
    expect(escalations.some((m) => m.startsWith('{') && (JSON.parse(m) as { key?: string }).key === 'optimized/review/c.webp'), escalations.join('\n')).toBe(true);
  });
});

describe('image-batch (inline Map, MaxConcurrency 5)', () => {
  it('processes every key with at most 5 at a time and aggregates the results', { timeout: 180_000 }, async () => {
    const keys: string[] = [];
    for (let i = 0; i < 7; i++) {
      const key = `batch-inline/img-${i}.jpg`;
      keys.push(key);
      await put(key, await photo('jpeg', { width: 400, height: 300, seed: 20 + i }));
    }
    keys.push('batch-inline/bad.jpg');
    await put('batch-inline/bad.jpg', notAnImage());
    const arn = await start('image-batch', { bucket: 'images', keys });
    const d = await finished(arn);
    expect(d.status).toBe('SUCCEEDED');
    const summary = JSON.parse(d.output!) as { total: number; succeeded: number; invalid: number; failed: number; outputs: string[] };
    expect(summary).toMatchObject({ total: 8, succeeded: 7, invalid: 1, failed: 0 });
    expect(summary.outputs).toContain('optimized/batch-inline/img-6.webp');
    const peak = be.emulator.observations.snapshot().mapConcurrency[`${arn}#ProcessImages`];
    expect(peak).toBeGreaterThan(1);
    expect(peak).toBeLessThanOrEqual(5);
  });
});

describe('image-batch-distributed (ItemReader over a prefix, ToleratedFailurePercentage 20)', () => {
  // Five items run as child executions at once: 15 cold Lambda environments (each with its own init timeout).
  it('processes every object under the prefix and tolerates one bad image in five', { timeout: 300_000 }, async () => {
    for (let i = 0; i < 4; i++) await put(`batch-dist/img-${i}.png`, await photo('png', { width: 200, height: 150, seed: 40 + i }));
    await put('batch-dist/truncated.jpg', await truncatedJpeg(0.3, { width: 200, height: 150 }));
    const arn = await start('image-batch-distributed', { bucket: 'images', prefix: 'batch-dist/' });
    const d = await until(`${arn} to finish`, async () => {
      const x = await sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
      return x.status === 'RUNNING' ? undefined : x;
    }, 280_000);
    expect(d.status, `${d.error}: ${d.cause}`).toBe('SUCCEEDED');
    const summary = JSON.parse(d.output!) as { total: number; succeeded: number; failed: number; prefix: string };
    expect(summary).toMatchObject({ prefix: 'batch-dist/', total: 5, succeeded: 4, failed: 1 });
    expect(await inspect(await get('optimized/batch-dist/img-3.webp'))).toMatchObject({ format: 'webp', width: 320, height: 240 });
  });
});

describe('external-call (Retry)', () => {
  it('recovers from two ServiceExceptions with 2 s then 4 s back-off', async () => {
    be.emulator.faults.install({ functions: [{ function: 'external-call', invocations: [1, 2], throw: { errorType: 'ServiceException', message: 'upstream 503' } }] });
    try {
      const arn = await start('external-call', { orderId: 42 });
      const d = await finished(arn);
      expect(d.status).toBe('SUCCEEDED');
      expect(JSON.parse(d.output!)).toMatchObject({ orderId: 42, external: { response: { status: 200, simulated: true } } });
      const events = await history(arn);
      const scheduled = events.filter((e) => e.type === 'TaskScheduled').map((e) => e.timestamp!.getTime());
      expect(scheduled).toHaveLength(3);
      expect([(scheduled[1]! - scheduled[0]!) / 1000, (scheduled[2]! - scheduled[1]!) / 1000].map(Math.round)).toEqual([2, 4]);
    } finally {
      be.emulator.faults.clear();
    }
  });

  it('recovers from a task timeout (States.Timeout) retried after 1 s', async () => {
    be.emulator.faults.install({ functions: [{ function: 'external-call', invocations: [1], latencyMs: 20_000 }] });
    try {
      const arn = await start('external-call', { orderId: 43 });
      const d = await finished(arn);
      expect(d.status).toBe('SUCCEEDED');
      const types = (await history(arn)).map((e) => e.type);
      expect(types.filter((t) => t === 'TaskTimedOut')).toHaveLength(1);
      expect(types.filter((t) => t === 'TaskSucceeded')).toHaveLength(1);
    } finally {
      be.emulator.faults.clear();
    }
  });
});
