/** Shared pieces of the Lambda API tests: an emulator, SDK clients, zips of the runtime fixtures. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import AdmZip from 'adm-zip';
import { LambdaClient } from '@aws-sdk/client-lambda';

export const RUNTIME_FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'runtime', 'fixtures');
export const ROLE = 'arn:aws:iam::000000000000:role/lambda-role';
export const CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };

/** A zip holding the named files of fixtures/<dir>, optionally renamed (`index.mjs=warm.mjs`). */
export function fixtureZip(dir: 'node' | 'python', files: string[]): Buffer {
  const zip = new AdmZip();
  for (const f of files) {
    const [as, from] = f.includes('=') ? (f.split('=') as [string, string]) : [f, f];
    zip.addFile(as, readFileSync(join(RUNTIME_FIXTURES, dir, from)));
  }
  return zip.toBuffer();
}

export function lambdaClient(endpoint: string, options: { maxAttempts?: number } = {}): LambdaClient {
  return new LambdaClient({ endpoint, region: 'us-east-1', credentials: CREDENTIALS, maxAttempts: options.maxAttempts ?? 1 });
}

export function text(payload: Uint8Array | undefined): string {
  return Buffer.from(payload ?? []).toString('utf8');
}

export async function waitFor<T>(probe: () => T | undefined, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
