/**
 * A Python function's requirements.txt (test/deploy/fixtures/requirements):
 * installed by deploy with `python3 -m pip install -r requirements.txt
 * --target …` into a content-hashed cache folder, once — a second deploy
 * reuses the folder without running pip —, the package importable by the
 * handler through Invoke; a failing install is a deploy error naming the
 * function, the file and pip's last lines; without pip, the import error names
 * the module, the function, the importing file and requirements.txt. A layer
 * with SAM's BuildMethod python3.x / nodejs20.x is laid out as `sam build` would.
 * No network: the requirement is a local wheel the test builds.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GetFunctionCommand, InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import AdmZip from 'adm-zip';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEmbedded, type EmbeddedBackend } from '../../harness/backends/embedded.ts';
import { VirtualClock } from '../../harness/core/index.ts';
import { deploy, validateTemplate } from '../../harness/deploy/index.ts';
import { clientConfig } from '../support/clients.ts';

const FIXTURE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'requirements');
const dirs: string[] = [];
let cache: string;
let savedCache: string | undefined;
let be: EmbeddedBackend;
let lambda: LambdaClient;

/** The fixture in a fresh folder, with the wheel requirements.txt names built from tinypkg-wheel/. */
function project(requirements?: string): { dir: string; template: string; code: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'rehearse-requirements-'));
  dirs.push(dir);
  cpSync(FIXTURE, dir, { recursive: true });
  const wheel = new AdmZip();
  wheel.addLocalFolder(path.join(FIXTURE, 'tinypkg-wheel'));
  wheel.writeZip(path.join(dir, 'deps', 'vendor', 'tinypkg-1.0-py3-none-any.whl'));
  wheel.writeZip(path.join(dir, 'layer', 'vendor', 'tinypkg-1.0-py3-none-any.whl'));
  if (requirements !== undefined) writeFileSync(path.join(dir, 'deps', 'requirements.txt'), requirements);
  return { dir, template: path.join(dir, 'template.yaml'), code: path.join(dir, 'deps') };
}

async function deployLogged(template: string): Promise<string[]> {
  const lines: string[] = [];
  const out = await deploy(template, be, { log: (l) => lines.push(l) });
  lines.push(...out.changes.map((c) => `change ${c.logicalId} ${c.action}`));
  return lines;
}

async function invoke(name: string): Promise<{ error?: string; body: Record<string, unknown> }> {
  const out = await lambda.send(new InvokeCommand({ FunctionName: name, Payload: '{}' }));
  const body = JSON.parse(Buffer.from(out.Payload!).toString()) as Record<string, unknown>;
  return { ...(out.FunctionError ? { error: out.FunctionError } : {}), body };
}

beforeAll(async () => {
  savedCache = process.env.REHEARSE_CACHE_DIR;
  cache = mkdtempSync(path.join(tmpdir(), 'rehearse-pip-cache-'));
  process.env.REHEARSE_CACHE_DIR = cache;
  be = await startEmbedded({ clock: new VirtualClock(), log: { info() {}, warn() {}, error: (m) => console.error(m) } });
  lambda = new LambdaClient(clientConfig(be.endpoint));
}, 60_000);

afterEach(() => {
  delete process.env.REHEARSE_NO_PIP;
});

afterAll(async () => {
  lambda?.destroy();
  await be?.dispose();
  if (savedCache === undefined) delete process.env.REHEARSE_CACHE_DIR;
  else process.env.REHEARSE_CACHE_DIR = savedCache;
  for (const d of [...dirs, cache]) rmSync(d, { recursive: true, force: true });
});

describe('requirements.txt', () => {
  it('is installed once into the cache: the handler imports the package, a second deploy does not run pip', { timeout: 120_000 }, async () => {
    const { template, code } = project();
    const first = await deployLogged(template);
    const installed = first.find((l) => l.startsWith('installed DepsFunction'));
    expect(installed).toBe(`installed DepsFunction ${path.join(code, 'requirements.txt')} → ${installed!.split(' → ')[1]}`);
    const folder = installed!.split(' → ')[1]!;
    expect(path.dirname(folder)).toBe(path.join(cache, 'pip'));
    const site = path.join(folder, 'python', 'lib', 'python3.11', 'site-packages');
    expect(readdirSync(site).sort()).toEqual(['tinypkg', 'tinypkg-1.0.dist-info']);
    const out = await invoke('requirements-deps');
    expect(out).toEqual({ body: { value: 'tinypkg 1.0, installed from requirements.txt', file: path.join(site, 'tinypkg', '__init__.py') } });

    // pip writes into the folder it installs to; a reused folder keeps its modification time and content.
    const before = statSync(site).mtimeMs;
    const second = await deployLogged(template);
    expect(second).toContain(`reused DepsFunction ${path.join(code, 'requirements.txt')} → ${folder}`);
    expect(second.some((l) => l.startsWith('installed '))).toBe(false);
    expect(statSync(site).mtimeMs).toBe(before);
    expect(readdirSync(path.join(cache, 'pip'))).toEqual([path.basename(folder)]);
    expect((await invoke('requirements-deps')).body.value).toBe('tinypkg 1.0, installed from requirements.txt');
  });

  it('layers with BuildMethod python3.11 / nodejs20.x are laid out as sam build would lay them out, pip run once', { timeout: 120_000 }, async () => {
    const { dir } = project();
    const template = path.join(dir, 'layer-template.yaml');
    const first = await deployLogged(template);
    const installed = first.find((l) => l.startsWith('installed PythonDepsLayer '));
    expect(installed).toMatch(new RegExp(`^installed PythonDepsLayer ${path.join(dir, 'layer', 'requirements.txt').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} → ${path.join(cache, 'pip')}/[0-9a-f]{32}$`));
    expect((await invoke('built-layer-python')).body).toEqual({ source: 'a source file of the layer', value: 'tinypkg 1.0, installed from requirements.txt' });
    expect((await invoke('built-layer-node')).body).toBe('node_modules of a BuildMethod nodejs20.x layer');
    const second = await deployLogged(template);
    expect(second).toContain(installed!.replace(/^installed/, 'reused'));
    expect(second.filter((l) => l.startsWith('change ')).sort()).toEqual(['change NodeDepsLayer unchanged', 'change NodeLayerUser unchanged', 'change PythonDepsLayer unchanged', 'change PythonLayerUser unchanged']);
  });

  it('a failing install is a deploy error naming the function, the file and pip\'s last lines; nothing is cached', { timeout: 120_000 }, async () => {
    const { template, code } = project('./vendor/missing-2.0-py3-none-any.whl\n');
    const before = readdirSync(path.join(cache, 'pip'));
    const err = (await deploy(template, be).then(
      () => undefined,
      (e: unknown) => e,
    )) as Error;
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toContain(`DepsFunction: installing ${path.join(code, 'requirements.txt')} failed (/usr/bin/python3 -m pip install -r requirements.txt --target `);
    expect(err.message).toMatch(/missing-2\.0-py3-none-any\.whl/);
    expect(readdirSync(path.join(cache, 'pip'))).toEqual(before);
  });

  it('without pip: validate and deploy say it is not installed, and the import error names module, function and files', { timeout: 120_000 }, async () => {
    process.env.REHEARSE_NO_PIP = '1';
    const { template, code } = project('tinypkg==1.0\n');
    const report = await validateTemplate(template);
    expect(report.problems.map((p) => `${p.severity} ${p.field}: ${p.message}`)).toEqual([
      'WARNING Resources.DepsFunction.Properties.CodeUri: deps/requirements.txt is not installed: pip is disabled (REHEARSE_NO_PIP=1); importing the packages it lists will fail',
    ]);
    const lines = await deployLogged(template);
    expect(lines).toContain(`warning: DepsFunction: ${path.join(code, 'requirements.txt')} is not installed: pip is disabled (REHEARSE_NO_PIP=1); importing the packages it lists will fail`);
    const out = await invoke('requirements-deps');
    expect(out.error).toBe('Unhandled');
    expect(out.body.errorType).toBe('Runtime.ImportModuleError');
    expect(out.body.errorMessage).toBe(
      `Unable to import module 'app': No module named 'tinypkg' (function requirements-deps imports tinypkg in ${path.join(code, 'app.py')}; ` +
        `${path.join(code, 'requirements.txt')} lists the function's dependencies: rehearse installs it at deploy when pip is available for /usr/bin/python3 (see the deploy log), ` +
        "else put tinypkg in the code folder or a layer's python/ folder)",
    );
    expect(existsSync(path.join(code, '__pycache__'))).toBe(false);
  });
});

// After the cache tests above: the zip layout is one more cache entry.
describe('requirements.txt on a zip backend', () => {
  it('on a zip backend (LocalStack, AWS) the Python zip holds the code and the installed packages at its root, as sam build makes it', { timeout: 120_000 }, async () => {
    const { template } = project();
    const zipBackend = { ...be, capabilities: { ...be.capabilities, localCodeDirectories: false } };
    await deploy(template, zipBackend);
    const fn = await lambda.send(new GetFunctionCommand({ FunctionName: 'requirements-deps' }));
    // No requirements layer: the packages travel in the zip.
    expect(fn.Configuration?.Layers ?? []).toEqual([]);
    const zip = new AdmZip(Buffer.from(await (await fetch(fn.Code!.Location!)).arrayBuffer()));
    const names = zip.getEntries().map((e) => e.entryName).sort();
    expect(names).toContain('app.py');
    expect(names).toContain('requirements.txt');
    expect(names).toContain('tinypkg/__init__.py');
    expect(names.some((n) => n.includes('__pycache__') || n.endsWith('.pyc'))).toBe(false);
    const run = await invoke('requirements-deps');
    expect(run.error, JSON.stringify(run.body)).toBeUndefined();
    expect(run.body.value).toBe('tinypkg 1.0, installed from requirements.txt');
  });
});
