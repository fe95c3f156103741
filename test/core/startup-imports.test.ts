/**
 * What `rehearse run` loads before its first scenario is start-up time
 * (issue 16): the static import graph of the run command and the embedded
 * backend must not reach the Docker path's packages, and the packages whose
 * CommonJS build loads several times faster (core/commonjs.ts) are never
 * imported as ES modules. Static imports only: an `import()` is loaded when
 * its branch runs, which is the point.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { build, DIST, isStale } from '../../scripts/build.ts';

const HARNESS = resolve(import.meta.dirname, '../../harness');

/** `import x from 'y'` / `import { a } from 'y'` / `export … from 'y'` (not `import type`), one statement at a time. */
const STATIC_IMPORT = /^(?:import|export)\s+(?!type\s)(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;

function staticImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(STATIC_IMPORT)].map((m) => m[1]!);
}

/** Every package reached from `entries` by static imports, with the chain of files that reaches it. */
function packagesReached(entries: string[]): Map<string, string[]> {
  const seen = new Set<string>();
  const packages = new Map<string, string[]>();
  const walk = (file: string, chain: string[]) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const spec of staticImports(file)) {
      if (spec.startsWith('.')) {
        const target = resolve(dirname(file), spec);
        if (existsSync(target) && statSync(target).isFile() && target.endsWith('.ts')) walk(target, [...chain, target]);
      } else if (!spec.startsWith('node:')) {
        const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
        if (!packages.has(name)) packages.set(name, [...chain].map((f) => f.slice(HARNESS.length + 1)));
      }
    }
  };
  for (const e of entries) walk(join(HARNESS, e), [join(HARNESS, e)]);
  return packages;
}

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? sources(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : []));
}

describe('start-up imports', () => {
  it('the run command and the embedded backend do not load the Docker path (execa, testcontainers) or the zip library', () => {
    // The emulator imports each service folder by an import() of its own: they are entries too.
    const services = readdirSync(join(HARNESS, 'emulator'), { withFileTypes: true }).filter((d) => d.isDirectory() && existsSync(join(HARNESS, 'emulator', d.name, 'index.ts')));
    const reached = packagesReached(['cli/commands/run.ts', 'scenario/suite.ts', 'scenario/runner.ts', 'backends/index.ts', 'emulator/index.ts', 'deploy/index.ts', ...services.map((d) => `emulator/${d.name}/index.ts`)]);
    // The walk is real: it reaches the packages these modules do need.
    expect([...reached.keys()]).toEqual(expect.arrayContaining(['yaml', 'zod', '@aws-sdk/client-s3', '@smithy/signature-v4']));
    for (const docker of ['execa', 'testcontainers']) expect(reached.get(docker), `${docker} reached through ${reached.get(docker)?.join(' → ')}`).toBeUndefined();
    // Zips are read and written only for backends without local code folders (core/commonjs.ts admZip).
    expect(reached.get('adm-zip'), `adm-zip reached through ${reached.get('adm-zip')?.join(' → ')}`).toBeUndefined();
  });

  it('packages with a faster CommonJS build are never imported as ES modules (core/commonjs.ts)', () => {
    const commonJsOnly = ['fast-xml-parser', 'sharp', 'csv-parse', 'smol-toml', 'jsonpath-plus'];
    const offenders = sources(HARNESS).flatMap((file) =>
      staticImports(file)
        .filter((spec) => commonJsOnly.some((p) => spec === p || spec.startsWith(`${p}/`)))
        .map((spec) => `${file.slice(HARNESS.length + 1)} imports ${spec}`),
    );
    expect(offenders).toEqual([]);
  });

  it("the compiled run's modules and the S3, Step Functions and Lambda services load no image, zip, form or SDK client package until a scenario needs one", async () => {
    if (isStale()) build();
    // What `rehearse run` loads before its first scenario, in a process of its own, as the compiled package runs it.
    const script = `for (const m of ['cli/commands/run.js', 'scenario/suite.js', 'scenario/runner.js', 'scenario/template-check.js', 'deploy/index.js', 'backends/index.js', 'emulator/s3/index.js', 'emulator/stepfunctions/index.js', 'emulator/lambda/index.js']) require(${JSON.stringify(DIST)} + '/' + m);
const { createClients } = require(${JSON.stringify(DIST)} + '/scenario/clients.js');
createClients({ endpoint: 'http://127.0.0.1:1', region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }).sfn;
console.log(JSON.stringify(Object.keys(require.cache)));`;
    const loaded = JSON.parse((await execa(process.execPath, ['-e', script])).stdout) as string[];
    const packages = new Set(loaded.map((f) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(f)?.[1]).filter((p): p is string => p !== undefined));
    // The walk is real: what every run needs is there, the client asked for included.
    expect([...packages]).toEqual(expect.arrayContaining(['yaml', 'zod', '@aws-sdk/client-sfn']));
    // busboy reads S3 form uploads (POST object) only; esbuild compiles what the cache folder does not hold yet; jsonata, JSONata expressions;
    // CRC32C, that checksum of S3 requests; csv-parse, a Distributed Map's CSV reader.
    for (const p of ['sharp', 'semver', 'adm-zip', 'busboy', 'esbuild', 'jsonata', '@aws-crypto/crc32c', 'csv-parse', '@aws-sdk/client-s3', '@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb', '@aws-sdk/client-sns', '@aws-sdk/client-sqs', '@aws-sdk/client-eventbridge', '@aws-sdk/client-secrets-manager', '@aws-sdk/client-lambda', '@aws-sdk/client-scheduler']) {
      expect(packages.has(p), `${p} loaded`).toBe(false);
    }
  }, 120_000);
});
