/**
 * The non-image handlers through the embedded endpoint: configuration from
 * Secrets Manager (cache, rotation, missing/malformed secret), SNS
 * notifications, the review request, the external call and the aggregation.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PutSecretValueCommand, DeleteSecretCommand } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as aggregateResults, summarise } from '../../lambdas/aggregate-results/index.ts';
import { handler as externalCall } from '../../lambdas/external-call/index.ts';
import { handler as notifyError } from '../../lambdas/notify-error/index.ts';
import { handler as notifySuccess } from '../../lambdas/notify-success/index.ts';
import { handler as requestReview } from '../../lambdas/request-review/index.ts';
import { clearConfigCache, getConfig, parseConfig } from '../../lambdas/shared/config.ts';
import { secretsManagerClient } from '../support/clients.ts';
import { SECRET_ID, startHandlerEnv, type HandlerEnv } from './harness-env.ts';

let env: HandlerEnv;

beforeAll(async () => {
  env = await startHandlerEnv(['secretsmanager', 'sns']);
});

afterAll(async () => {
  await env?.dispose();
});

function messagesOn(topicArn: string) {
  return env.em.observations.snapshot().snsMessages.filter((m) => m.topicArn === topicArn);
}

describe('configuration secret', () => {
  it('fails clearly when the secret does not exist', async () => {
    clearConfigCache();
    await expect(getConfig()).rejects.toMatchObject({
      name: 'ConfigurationError',
      message: 'secret image-processor/config does not exist (create it with the processor\'s JSON configuration)',
    });
  });

  it('fails clearly on malformed JSON and on a bad field, naming it', async () => {
    await env.setConfig('{"targetWidth": 800,');
    await expect(getConfig()).rejects.toMatchObject({ name: 'ConfigurationError', message: expect.stringMatching(/^secret image-processor\/config is not valid JSON \(/) });
    await env.setConfig({ targetWidth: -5 });
    await expect(getConfig()).rejects.toThrow('secret image-processor/config: targetWidth must be an integer from 1 to 16384, got -5');
    await env.setConfig({ filters: [{ name: 'sepia' }] });
    await expect(getConfig()).rejects.toThrow('secret image-processor/config: filters[0] has an unknown name (use greyscale, blur, sharpen or tint), got {"name":"sepia"}');
    await env.setConfig([1, 2]);
    await expect(getConfig()).rejects.toThrow('secret image-processor/config must hold a JSON object, got an array');
  });

  it('uses defaults for absent fields', async () => {
    await env.setConfig({ targetWidth: 800, targetHeight: 600 });
    const c = await getConfig();
    expect(c).toMatchObject({ targetWidth: 800, targetHeight: 600, fit: 'cover', outputFormat: 'webp', quality: 80, filters: [{ name: 'greyscale' }] });
    expect(parseConfig('{"filters": ["grayscale", {"name": "blur"}]}', 'x').filters).toEqual([{ name: 'greyscale' }, { name: 'blur', sigma: 2 }]);
  });

  it('caches for the TTL, then picks up a rotated value without redeploying', async () => {
    await env.setConfig({ targetWidth: 100 });
    clearConfigCache();
    let t = 1_000_000;
    const options = { env: { CONFIG_SECRET_ID: SECRET_ID, CONFIG_CACHE_TTL_SECONDS: '60' }, now: () => t };
    const reads = () => env.em.observations.snapshot().secretReads.filter((r) => r.secretId === SECRET_ID || r.arn.includes(SECRET_ID)).length;
    const before = reads();
    expect((await getConfig(options)).targetWidth).toBe(100);
    await Promise.all([getConfig(options), getConfig(options)]);
    expect(reads() - before).toBe(1);
    // Rotation: a new AWSCURRENT version.
    await secretsManagerClient(env.em.endpoint).send(new PutSecretValueCommand({ SecretId: SECRET_ID, SecretString: JSON.stringify({ targetWidth: 200 }) }));
    t += 59_000;
    expect((await getConfig(options)).targetWidth).toBe(100);
    t += 2_000;
    expect((await getConfig(options)).targetWidth).toBe(200);
    expect(reads() - before).toBe(2);
  });

  it('does not cache a failed read', async () => {
    const sm = secretsManagerClient(env.em.endpoint);
    clearConfigCache();
    await sm.send(new DeleteSecretCommand({ SecretId: SECRET_ID, ForceDeleteWithoutRecovery: true }));
    const options = { env: { CONFIG_SECRET_ID: SECRET_ID, CONFIG_CACHE_TTL_SECONDS: '600' } };
    await expect(getConfig(options)).rejects.toMatchObject({ name: 'ConfigurationError' });
    await sm.send(new (await import('@aws-sdk/client-secrets-manager')).CreateSecretCommand({ Name: SECRET_ID, SecretString: '{"quality": 42}' }));
    expect((await getConfig(options)).quality).toBe(42);
  });
});

describe('notify-success / notify-error', () => {
  it('publishes the workflow result as JSON with an event attribute', async () => {
    const topic = await env.topic('image-processed');
    process.env.SUCCESS_TOPIC_ARN = topic;
    const payload = { source: 'image-processor', bucket: 'images', key: 'raw/cat.jpg', optimized: { key: 'optimized/raw/cat.webp', bytesSaved: 1234 } };
    const { messageId } = await notifySuccess(payload);
    const [msg] = messagesOn(topic);
    expect(msg).toMatchObject({ messageId, subject: 'ImageProcessed: raw/cat.jpg' });
    expect(JSON.parse(msg!.message)).toEqual(payload);
    expect(msg!.attributes.event).toEqual({ DataType: 'String', StringValue: 'ImageProcessed' });
  });

  it('unwraps a Lambda error cause and keeps subjects within SNS rules', async () => {
    const topic = await env.topic('image-failed');
    process.env.ERROR_TOPIC_ARN = topic;
    const cause = JSON.stringify({ errorType: 'ImageProcessingError', errorMessage: 'resizing s3://images/raw/x.jpg: bad', trace: [] });
    await notifyError({ source: 'image-processor', executionArn: 'arn:x', bucket: 'images', key: `raw/${'ü'.repeat(150)}.jpg`, error: { Error: 'ImageProcessingError', Cause: cause } });
    const [msg] = messagesOn(topic);
    const body = JSON.parse(msg!.message) as Record<string, unknown>;
    expect(body).toMatchObject({ source: 'image-processor', error: 'ImageProcessingError', cause, errorMessage: 'resizing s3://images/raw/x.jpg: bad' });
    expect(msg!.subject!.length).toBeLessThanOrEqual(100);
    expect(msg!.subject).toMatch(/^ImageProcessingError: raw\/\?+$/);
  });

  it('fails with ConfigurationError when the topic variable is missing', async () => {
    delete process.env.ERROR_TOPIC_ARN;
    await expect(notifyError({ error: { Error: 'X', Cause: 'y' } })).rejects.toMatchObject({ name: 'ConfigurationError', message: 'environment variable ERROR_TOPIC_ARN must hold an SNS topic ARN, got nothing' });
  });
});

describe('request-review', () => {
  it('sends the task token with the exact approve/reject outputs and links', async () => {
    await env.setConfig({ reviewBaseUrl: 'https://review.example.com/decide' });
    const topic = await env.topic('image-review-requests');
    process.env.REVIEW_TOPIC_ARN = topic;
    const token = 'AQCEAAAAKgAAAAMAAAAAAAAAAf+token/with+chars==';
    await requestReview({ taskToken: token, bucket: 'images', key: 'optimized/raw/cat.webp', executionArn: 'arn:aws:states:us-east-1:000000000000:execution:image-review:x' });
    const [msg] = messagesOn(topic);
    const body = JSON.parse(msg!.message) as { taskToken: string; actions: { approve: { output: string }; reject: { output: string } }; links: { approve: string } };
    expect(body.taskToken).toBe(token);
    expect(JSON.parse(body.actions.approve.output)).toEqual({ decision: 'approve' });
    expect(JSON.parse(body.actions.reject.output)).toEqual({ decision: 'reject' });
    expect(new URL(body.links.approve).searchParams.get('taskToken')).toBe(token);
    expect(new URL(body.links.approve).searchParams.get('decision')).toBe('approve');
  });
});

describe('external-call', () => {
  let url = '';
  let status = 200;
  let delayMs = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      setTimeout(() => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ received: JSON.parse(body || 'null') }));
      }, delayMs);
    });
  });
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
  });
  afterAll(() => new Promise<void>((r) => {
    server.closeAllConnections();
    server.close(() => r());
  }));

  it('answers with an echo when no external service is configured', async () => {
    await env.setConfig({});
    expect(await externalCall({ orderId: 7 })).toEqual({ status: 200, body: { echo: { orderId: 7 } }, simulated: true });
  });

  it('POSTs the input and classifies failures the way the workflow retries them', async () => {
    // A generous deadline: this machine may be busy; the slow answer below comes far later.
    await env.setConfig({ externalServiceUrl: url, externalTimeoutMs: 3000 });
    status = 200;
    expect(await externalCall({ orderId: 7 })).toEqual({ status: 200, body: { received: { orderId: 7 } }, simulated: false });
    status = 503;
    await expect(externalCall({})).rejects.toMatchObject({ name: 'ServiceException', message: expect.stringContaining('answered 503') });
    status = 404;
    await expect(externalCall({})).rejects.toMatchObject({ name: 'ClientException', message: expect.stringContaining('rejected the request with 404') });
    status = 200;
    delayMs = 8000;
    await expect(externalCall({})).rejects.toMatchObject({ name: 'ServiceException', message: expect.stringContaining('no response within 3000 ms') });
    delayMs = 0;
  });
});

describe('aggregate-results', () => {
  it('counts succeeded, invalid and failed items and sums bytes saved', async () => {
    const s = await aggregateResults({
      bucket: 'images',
      results: [
        { status: 'SUCCEEDED', key: 'a.jpg', optimizedKey: 'optimized/a.webp', bytesSaved: 100 },
        { status: 'SUCCEEDED', key: 'b.jpg', optimizedKey: 'optimized/b.webp', bytesSaved: 50 },
        { status: 'INVALID', key: 'c.jpg', reason: 'not a readable image' },
        { status: 'FAILED', key: 'd.jpg', error: 'ImageProcessingError', cause: 'boom' },
        { Error: 'InvalidImage', Cause: 'truncated' },
      ],
    });
    expect(s).toMatchObject({ total: 5, succeeded: 2, invalid: 1, failed: 2, bytesSaved: 150, outputs: ['optimized/a.webp', 'optimized/b.webp'] });
    expect(s.failures).toEqual([
      { key: 'c.jpg', status: 'INVALID', reason: 'not a readable image' },
      { key: 'd.jpg', status: 'FAILED', reason: 'boom' },
      { key: null, status: 'FAILED', reason: 'truncated' },
    ]);
    expect(() => summarise({ results: 'x' })).toThrow('event.results must be the Map state\'s result list, got "x"');
  });
});
