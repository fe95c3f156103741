/**
 * The zip deploy builds for backends that cannot run a local directory:
 * an esbuild bundle index.mjs plus sharp's linux-x64 build, runnable as is.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import AdmZip from 'adm-zip';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { buildFunctionZip, loadTemplate } from '../../harness/deploy/index.ts';

const REPO = path.resolve(new URL('../..', import.meta.url).pathname);
const { model } = loadTemplate(path.join(REPO, 'workflows/template.yaml'));
const fn = (id: string) => model!.functions.find((f) => f.logicalId === id)!;
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

function extract(zip: Buffer): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'rehearse-zip-'));
  dirs.push(dir);
  new AdmZip(zip).extractAllTo(dir, true);
  return dir;
}

describe('function zips', () => {
  it('bundles a handler without sharp into a single index.mjs that runs on its own', async () => {
    const z = await buildFunctionZip(fn('AggregateResultsFunction'), REPO);
    expect(z.handler).toBe('index.handler');
    expect(z.files).toEqual(['index.mjs']);
    const dir = extract(z.zip);
    const script = "const m = await import('./index.mjs'); const s = await m.handler({ results: [{ status: 'SUCCEEDED', bytesSaved: 5 }] }); console.log(JSON.stringify(s));";
    const out = await execa(process.execPath, ['--input-type=module', '-e', script], { cwd: dir });
    expect(JSON.parse(out.stdout)).toMatchObject({ total: 1, succeeded: 1, bytesSaved: 5 });
  });

  it('ships sharp with its linux-x64 build next to the bundle, and the AWS SDK stays external', async () => {
    const z = await buildFunctionZip(fn('ResizeImageFunction'), REPO);
    expect(z.files).toContain('index.mjs');
    expect(z.files).toContain('node_modules/sharp/package.json');
    expect(z.files.some((f) => f.startsWith('node_modules/@img/sharp-linux-x64/') && f.endsWith('.node'))).toBe(true);
    expect(z.files.some((f) => f.startsWith('node_modules/@img/sharp-libvips-linux-x64/lib/libvips'))).toBe(true);
    expect(z.files.some((f) => f.startsWith('node_modules/@aws-sdk/'))).toBe(false);
    const dir = extract(z.zip);
    const bundle = new AdmZip(z.zip).readAsText('index.mjs');
    expect(bundle).toMatch(/from ["']sharp["']/);
    expect(bundle).toMatch(/from ["']@aws-sdk\/client-s3["']/);
    // sharp loads from the zip's own node_modules.
    const probe = "const s = (await import('sharp')).default; const b = await s({ create: { width: 4, height: 3, channels: 3, background: '#f00' } }).png().toBuffer(); console.log((await s(b).metadata()).width);";
    const out = await execa(process.execPath, ['--input-type=module', '-e', probe], { cwd: dir, env: { NODE_PATH: '' } });
    expect(out.stdout.trim()).toBe('4');
  });

  it('is byte-for-byte reproducible (stable CodeSha256, so redeploys see no change)', async () => {
    const a = await buildFunctionZip(fn('NotifySuccessFunction'), REPO);
    const b = await buildFunctionZip(fn('NotifySuccessFunction'), REPO);
    expect(a.sha256).toBe(b.sha256);
  });
});
