/**
 * Lambda layers from the template (test/deploy/fixtures/layers): both layer
 * types deployed through PublishLayerVersion, a function's Layers (Globals
 * first) honoured at run time as Lambda lays layers into /opt — python/ and
 * python/lib/python3.x/site-packages on the module path, nodejs/node_modules
 * and nodejs/node20/node_modules for require() and import — with later layers
 * winning, and a layer ARN the template does not define named once while the
 * function still deploys. Real HTTP to the embedded endpoint, real SDK clients.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CreateFunctionCommand,
  DeleteLayerVersionCommand,
  GetFunctionConfigurationCommand,
  GetLayerVersionByArnCommand,
  GetLayerVersionCommand,
  InvokeCommand,
  LambdaClient,
  ListLayersCommand,
  ListLayerVersionsCommand,
  PublishLayerVersionCommand,
} from '@aws-sdk/client-lambda';
import AdmZip from 'adm-zip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbedded, type EmbeddedBackend } from '../../harness/backends/embedded.ts';
import { VirtualClock } from '../../harness/core/index.ts';
import { deploy, validateTemplate, type DeployResult } from '../../harness/deploy/index.ts';
import { clientConfig } from '../support/clients.ts';

const FIXTURE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'layers');
const TEMPLATE = path.join(FIXTURE, 'template.yaml');
const INSIGHTS = 'arn:aws:lambda:us-east-1:580247275435:layer:LambdaInsightsExtension:38';

let be: EmbeddedBackend;
let deployed: DeployResult;
let lambda: LambdaClient;

beforeAll(async () => {
  be = await startEmbedded({ clock: new VirtualClock(), region: 'us-east-1', log: { info() {}, warn() {}, error: (m) => console.error(m) } });
  deployed = await deploy(TEMPLATE, be);
  lambda = new LambdaClient(clientConfig(be.endpoint));
}, 60_000);

afterAll(async () => {
  lambda?.destroy();
  await be?.dispose();
});

async function invoke(name: string, event: unknown = {}): Promise<Record<string, unknown>> {
  const out = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: JSON.stringify(event) }));
  const body = JSON.parse(Buffer.from(out.Payload!).toString()) as Record<string, unknown>;
  if (out.FunctionError) throw new Error(`${name} failed: ${JSON.stringify(body)}`);
  return body;
}

describe('layers deployed from the template', () => {
  it('publishes both layer types, before the functions that name them', () => {
    const created = deployed.changes.filter((c) => c.action === 'created').map((c) => c.logicalId);
    expect(created.slice(0, 2).sort()).toEqual(['CommonLayer', 'OverrideLayer']);
    expect(created).toHaveLength(7);
    const common = deployed.changes.find((c) => c.logicalId === 'CommonLayer')!;
    expect(common.physicalId).toBe(`arn:aws:lambda:us-east-1:${deployed.accountId}:layer:common:1`);
    expect(common.detail).toBe('version 1 from ContentUri "layers/common/"');
  });

  it('GetLayerVersion reports the layer as published, and the function its Layers in order (Globals first)', async () => {
    const v = await lambda.send(new GetLayerVersionCommand({ LayerName: 'common', VersionNumber: 1 }));
    expect(v).toMatchObject({ Version: 1, Description: 'greeting, shared_name, greet, winner', CompatibleRuntimes: ['python3.11', 'nodejs20.x'] });
    const cfg = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'layers-python' }));
    expect(cfg.Layers?.map((l) => l.Arn)).toEqual([`arn:aws:lambda:us-east-1:${deployed.accountId}:layer:common:1`, `arn:aws:lambda:us-east-1:${deployed.accountId}:layer:override:1`]);
  });

  it('a Python function imports from python/ and python/lib/python3.11/site-packages (a site directory: .pth files count); the later layer wins', async () => {
    const out = await invoke('layers-python');
    expect(out).toMatchObject({ greeting: 'hello from the common layer', who: 'override', sitepkg: 'python/lib/python3.11/site-packages', pth: 'a folder a .pth file names' });
    expect(out.file).toBe(path.join(FIXTURE, 'layers', 'override', 'python', 'shared_name.py'));
    // Same code, layers the other way round: now the common layer is later and wins.
    expect(await invoke('layers-python-override-first')).toMatchObject({ who: 'common', sitepkg: 'python/lib/python3.11/site-packages' });
  });

  it('a CommonJS function requires from nodejs/node_modules and nodejs/node20/node_modules (NODE_PATH)', async () => {
    const out = await invoke('layers-node', { who: 'cjs' });
    expect(out).toMatchObject({ greeting: 'hello cjs from the common layer', winner: 'override', versioned: 'nodejs/node20/node_modules' });
    // As Lambda sets NODE_PATH: /opt/nodejs/node20/node_modules first, then /opt/nodejs/node_modules (later layers first).
    expect(String(out.nodePath).split(':')).toEqual([
      path.join(FIXTURE, 'layers', 'override', 'nodejs', 'node20', 'node_modules'),
      path.join(FIXTURE, 'layers', 'override', 'nodejs', 'node_modules'),
      path.join(FIXTURE, 'layers', 'common', 'nodejs', 'node_modules'),
    ]);
  });

  it('an ES module function imports packages from its layers', async () => {
    expect(await invoke('layers-node-esm', { who: 'esm' })).toEqual({ greeting: 'hello esm from the common layer', winner: 'override' });
  });

  it('a TypeScript function (compiled ahead) imports a package found only in a layer', async () => {
    expect(await invoke('layers-node-ts', { who: 'ts' })).toEqual({ greeting: 'hello ts from the common layer' });
  });

  it('a layer ARN the template does not define is one warning naming it, and the function still deploys without it', async () => {
    const named = deployed.warnings.filter((w) => w.message.includes(INSIGHTS));
    expect(named).toHaveLength(1);
    expect(named[0]).toMatchObject({ severity: 'WARNING', field: 'Resources.NodeEsmFunction.Properties.Layers' });
    expect(named[0]!.message).toBe(`layer ${INSIGHTS} is not deployed: it is not defined in this template (a layer published by AWS or another account); the function runs without it`);
    const cfg = await lambda.send(new GetFunctionConfigurationCommand({ FunctionName: 'layers-node-esm' }));
    expect(cfg.Layers?.map((l) => l.Arn?.split(':layer:')[1])).toEqual(['common:1', 'override:1']);
  });

  it('a redeploy publishes no new version and changes no function', async () => {
    const again = await deploy(TEMPLATE, be);
    expect(again.changes.filter((c) => c.action !== 'unchanged' && c.action !== 'skipped')).toEqual([]);
    const versions = await lambda.send(new ListLayerVersionsCommand({ LayerName: 'override' }));
    expect(versions.LayerVersions?.map((v) => v.Version)).toEqual([1]);
  });

  it('validate reports no layer as not deployed', async () => {
    const r = await validateTemplate(TEMPLATE, { region: 'us-east-1', accountId: deployed.accountId });
    expect(r.problems.filter((p) => p.severity === 'ERROR')).toEqual([]);
    expect(r.problems.map((p) => p.message).filter((m) => /LayerVersion|layer/.test(m))).toEqual([expect.stringContaining(INSIGHTS)]);
  });
});

describe('PublishLayerVersion and Layers on the API', () => {
  it('a zip published with PublishLayerVersion is found by ARN, listed, and used by a function even after its deletion', async () => {
    const zip = new AdmZip();
    zip.addFile('python/zipped.py', Buffer.from('SOURCE = "zip layer"\n'));
    const published = await lambda.send(new PublishLayerVersionCommand({ LayerName: 'zipped', Content: { ZipFile: zip.toBuffer() }, CompatibleRuntimes: ['python3.11'] }));
    expect(published).toMatchObject({ Version: 1, LayerVersionArn: `arn:aws:lambda:us-east-1:${deployed.accountId}:layer:zipped:1`, Content: { CodeSize: zip.toBuffer().length } });
    expect((await lambda.send(new GetLayerVersionByArnCommand({ Arn: published.LayerVersionArn! }))).Content?.CodeSha256).toBe(published.Content?.CodeSha256);
    const layers = await lambda.send(new ListLayersCommand({}));
    expect(layers.Layers?.map((l) => `${l.LayerName}:${l.LatestMatchingVersion?.Version}`)).toEqual(['common:1', 'override:1', 'zipped:1']);
    const code = new AdmZip();
    code.addFile('app.py', Buffer.from('import zipped\n\ndef handler(event, context):\n    return zipped.SOURCE\n'));
    await lambda.send(new CreateFunctionCommand({ FunctionName: 'zip-layer-user', Runtime: 'python3.11', Handler: 'app.handler', Role: 'arn:aws:iam::000000000000:role/r', Code: { ZipFile: code.toBuffer() }, Layers: [published.LayerVersionArn!] }));
    await lambda.send(new DeleteLayerVersionCommand({ LayerName: 'zipped', VersionNumber: 1 }));
    expect((await lambda.send(new ListLayerVersionsCommand({ LayerName: 'zipped' }))).LayerVersions).toEqual([]);
    expect(await invoke('zip-layer-user')).toBe('zip layer');
  });

  it('CreateFunction refuses a layer version that was never published, naming it', async () => {
    const arn = `arn:aws:lambda:us-east-1:${deployed.accountId}:layer:common:9`;
    const err = await lambda
      .send(new CreateFunctionCommand({ FunctionName: 'no-such-layer', Runtime: 'python3.11', Handler: 'app.handler', Role: 'arn:aws:iam::000000000000:role/r', Code: { S3Bucket: 'hot-reload', S3Key: path.join(FIXTURE, 'functions', 'py') }, Layers: [arn] }))
      .catch((e: unknown) => e as { name: string; message: string });
    expect(err).toMatchObject({ name: 'InvalidParameterValueException', message: `Layer version ${arn} does not exist.` });
  });
});
