/**
 * Browser uploads in headless Chromium against the embedded endpoint with the
 * image processor deployed from workflows/template.yaml: an HTML form (POST
 * object with a policy from @aws-sdk/s3-presigned-post) uploads a photo that
 * starts the workflow, and a page on another origin uploads with a presigned
 * PUT — allowed by the bucket's CORS rules (preflight and all), and refused
 * by the browser for an origin the rules do not name.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetObjectCommand, PutBucketCorsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { startEmbedded, type EmbeddedBackend } from '../../../harness/backends/embedded.ts';
import { REAL_CLOCK, VirtualClock } from '../../../harness/core/index.ts';
import { deploy, type DeployResult } from '../../../harness/deploy/index.ts';
import { photo } from '../../support/images.ts';

const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const TEMPLATE = new URL('../../../workflows/template.yaml', import.meta.url).pathname;

describe.skipIf(!existsSync(CHROMIUM))('browser uploads in headless Chromium (skipped: /usr/bin/chromium not installed)', () => {
  let be: EmbeddedBackend;
  let deployed: DeployResult;
  let s3: S3Client;
  let sfn: SFNClient;
  let browser: Browser;
  let site: Server;
  let origin: string;
  /** Pages the site serves, by path. */
  const pages = new Map<string, string>();

  beforeAll(async () => {
    be = await startEmbedded({ clock: new VirtualClock(), log: { info() {}, warn() {}, error: (m) => console.error(m) } });
    deployed = await deploy(TEMPLATE, be, { secrets: { 'image-processor/config': { targetWidth: 320, targetHeight: 240, outputFormat: 'webp', quality: 70 } } });
    const cfg = { endpoint: be.endpoint, region: be.region, credentials: be.credentials };
    s3 = new S3Client({ ...cfg, forcePathStyle: true });
    sfn = new SFNClient(cfg);
    // The app's own origin: another port than the endpoint, so every request to S3 is cross-origin.
    site = createServer((req, res) => {
      const page = pages.get((req.url ?? '/').split('?')[0]!);
      res.writeHead(page ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
      res.end(page ?? 'not found');
    });
    await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
    origin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => site?.close(r));
    s3?.destroy();
    sfn?.destroy();
    await be?.dispose();
  });

  async function executionFor(key: string): Promise<string> {
    const arn = Object.values(deployed.stateMachines).find((a) => a.endsWith(':image-processor')) ?? Object.values(deployed.stateMachines)[0]!;
    const deadline = REAL_CLOCK.now() + 60_000;
    for (;;) {
      for (const e of (await sfn.send(new ListExecutionsCommand({ stateMachineArn: arn }))).executions ?? []) {
        const d = await sfn.send(new DescribeExecutionCommand({ executionArn: e.executionArn }));
        if (d.input?.includes(key) && d.status !== 'RUNNING') return d.status!;
      }
      if (REAL_CLOCK.now() > deadline) throw new Error(`no finished execution for ${key}`);
      await REAL_CLOCK.sleep(100);
    }
  }

  it('an HTML form with a signed policy uploads the chosen file, redirects back, and the upload runs the image workflow', async () => {
    const { url, fields } = await createPresignedPost(s3, {
      Bucket: 'images',
      Key: 'raw/${filename}',
      Conditions: [['starts-with', '$key', 'raw/'], ['starts-with', '$Content-Type', 'image/'], ['content-length-range', 1, 10 * 1024 * 1024], { success_action_redirect: `${origin}/done` }],
      Fields: { success_action_redirect: `${origin}/done` },
      Expires: 300,
    });
    const hidden = Object.entries({ ...fields, 'Content-Type': 'image/jpeg' })
      .map(([k, v]) => `<input type="hidden" name="${k}" value="${v.replace(/"/g, '&quot;')}">`)
      .join('\n');
    pages.set('/form', `<!doctype html><form action="${url}" method="post" enctype="multipart/form-data">${hidden}<input type="file" name="file"><button>Upload</button></form>`);
    pages.set('/done', '<!doctype html><p id="done">uploaded</p>');
    const page = await browser.newPage();
    await page.goto(`${origin}/form`);
    await page.setInputFiles('input[type=file]', { name: 'holiday.jpg', mimeType: 'image/jpeg', buffer: await photo('jpeg', { width: 640, height: 480 }) });
    await Promise.all([page.waitForURL(`${origin}/done?**`), page.click('button')]);
    const back = new URL(page.url());
    expect(back.searchParams.get('bucket')).toBe('images');
    expect(back.searchParams.get('key')).toBe('raw/holiday.jpg');
    expect(back.searchParams.get('etag')).toMatch(/^"[0-9a-f]{32}"$/);
    await page.close();
    expect(await executionFor('raw/holiday.jpg')).toBe('SUCCEEDED');
    const resized = await s3.send(new GetObjectCommand({ Bucket: 'images', Key: 'resized/raw/holiday.jpg' }));
    expect(resized.ContentLength).toBeGreaterThan(0);
  }, 120_000);

  it('a page on another origin uploads with a presigned PUT when CORS allows it, and the browser blocks an origin it does not', async () => {
    await s3.send(
      new PutBucketCorsCommand({
        Bucket: 'images',
        CORSConfiguration: { CORSRules: [{ AllowedOrigins: [origin], AllowedMethods: ['PUT'], AllowedHeaders: ['content-type'], ExposeHeaders: ['ETag'], MaxAgeSeconds: 60 }] },
      }),
    );
    // WHEN_REQUIRED: no checksum query parameter of an empty body in the URL (the SDK's documented advice for presigned PUTs).
    const signer = new S3Client({ endpoint: be.endpoint, region: be.region, credentials: be.credentials, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED' });
    const put = await getSignedUrl(signer, new PutObjectCommand({ Bucket: 'images', Key: 'uploads/from-page.txt', ContentType: 'text/plain' }), { expiresIn: 300 });
    signer.destroy();
    const script = (target: string) => `<!doctype html><script>
      fetch(${JSON.stringify(target)}, { method: 'PUT', body: 'sent by the page', headers: { 'content-type': 'text/plain' } })
        .then((r) => { document.title = 'status ' + r.status + ' etag ' + r.headers.get('etag'); })
        .catch((e) => { document.title = 'blocked ' + e.name; });
    </script>`;
    pages.set('/put', script(put));
    const page = await browser.newPage();
    await page.goto(`${origin}/put`);
    await page.waitForFunction("document.title !== ''");
    expect(await page.title()).toMatch(/^status 200 etag "[0-9a-f]{32}"$/);
    const stored = await s3.send(new GetObjectCommand({ Bucket: 'images', Key: 'uploads/from-page.txt' }));
    expect(await stored.Body!.transformToString()).toBe('sent by the page');

    // The same page served from an origin the rules do not name (localhost, not 127.0.0.1): the preflight is refused.
    const other = await browser.newPage();
    await other.goto(`${origin.replace('127.0.0.1', 'localhost')}/put`);
    await other.waitForFunction("document.title !== ''");
    expect(await other.title()).toBe('blocked TypeError');
    await page.close();
    await other.close();
  }, 120_000);
});
