/**
 * The package as a user installs it: `npm pack` → `npm install -D
 * ./rehearse-aws-*.tgz` in a project outside this repository (see
 * support/packed-install.ts), then the CLI, the library and its type
 * declarations used from there — compiled JavaScript only, no TypeScript
 * loader anywhere in Rehearse's own code.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../scripts/build.ts';
import { createPackedProject, PACKAGE_NAME, type PackedProject } from './support/packed-install.ts';

/**
 * Preloaded into the CLI's process: any attempt to load a TypeScript loader
 * or a `.ts` module fails it, so "runs compiled JavaScript" is checked, not assumed.
 */
const NO_TYPESCRIPT_HOOK = `
import { register } from 'node:module';
register('data:text/javascript,' + encodeURIComponent(\`
export async function resolve(specifier, context, next) {
  const r = await next(specifier, context);
  if (/^(tsx|typescript)(\\\\/|$)/.test(specifier) || /\\\\.[mc]?ts$/.test(r.url)) throw new Error('TypeScript at run time: ' + r.url);
  return r;
}\`));
`;

const INLINE_SCENARIO = `name: passes through two states
definition:
  StartAt: Greet
  States:
    Greet: { Type: Pass, Result: { greeting: hello }, ResultPath: $.out, Next: Done }
    Done: { Type: Succeed }
when:
  - start: { input: { who: world } }
then:
  execution: { status: SUCCEEDED, output: { who: world, out: { greeting: hello } } }
  path: [Greet, Done]
`;

let project: PackedProject;
const noTs = { env: { NODE_OPTIONS: '--import ./no-typescript.mjs' } };

beforeAll(async () => {
  project = await createPackedProject({ files: { 'no-typescript.mjs': NO_TYPESCRIPT_HOOK, 'scenarios/pass.yaml': INLINE_SCENARIO } });
}, 10 * 60_000);
afterAll(async () => project?.dispose());

describe(`the ${PACKAGE_NAME} package`, () => {
  it('ships what runs and nothing else', () => {
    const files = project.pkg.files;
    expect(files).toContain('package.json');
    expect(files).toContain('bin/rehearse.mjs');
    expect(files).toContain('dist/index.js');
    expect(files).toContain('dist/index.d.ts');
    expect(files).toContain('dist/cli/entry.js');
    expect(files).toContain('dist/emulator/s3/index.js');
    expect(files).toContain('dist/runtime/bootstrap/node-bootstrap.mjs');
    expect(files).toContain('dist/runtime/bootstrap/python-bootstrap.py');
    expect(files).toContain('scenarios/scenario.schema.json');
    expect(files.filter((f) => /\.[mc]?ts$/.test(f) && !/\.d\.[mc]?ts$/.test(f))).toEqual([]);
    expect(files.filter((f) => /^(harness|test|lambdas|workflows|bench|scripts)\//.test(f) || f.startsWith('scenarios/') && !f.endsWith('.schema.json'))).toEqual([]);
    const manifest = JSON.parse(project.read(`node_modules/${PACKAGE_NAME}/package.json`)) as { name: string; bin: Record<string, string> };
    expect(manifest.name).toBe(PACKAGE_NAME);
    expect(Object.keys(manifest.bin)).toEqual(['rehearse']);
  });

  it('npx rehearse --help starts the compiled CLI', async () => {
    const r = await project.exec('npx', ['--no-install', 'rehearse', '--help'], noTs);
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toMatch(/^usage: rehearse <command>/);
  });

  it('rehearse run runs a scenario from the project, compiled', async () => {
    const r = await project.rehearse(['run', '--reporter', 'console,json', '--seed', 'pkg'], noTs);
    expect(r.all).not.toMatch(/TypeScript at run time/);
    expect(r.exitCode, r.all).toBe(0);
    const report = JSON.parse(project.read('out/rehearse-report.json')) as { summary: { passed: number } };
    expect(report.summary.passed).toBe(1);
  });

  it('rehearse init then rehearse run: a starter scenario per state machine, its $schema in node_modules/rehearse-aws', async () => {
    await using app = await createPackedProject({
      files: {
        'template.yaml': `Transform: AWS::Serverless-2016-10-31
Resources:
  HelloFunction:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: hello/, Handler: app.handler, Runtime: nodejs20.x }
  HelloMachine:
    Type: AWS::Serverless::StateMachine
    Properties:
      DefinitionUri: statemachine/hello.asl.json
      DefinitionSubstitutions: { HelloArn: !GetAtt HelloFunction.Arn }
`,
        'hello/app.js': 'exports.handler = async (event) => ({ hello: "world", event });\n',
        'statemachine/hello.asl.json': '{"StartAt":"Hello","States":{"Hello":{"Type":"Task","Resource":"${HelloArn}","End":true}}}',
        'no-typescript.mjs': NO_TYPESCRIPT_HOOK,
      },
    });
    const init = await app.rehearse(['init'], noTs);
    expect(init.exitCode, init.all).toBe(0);
    expect(init.stdout).toContain('wrote   scenarios/hello-machine.yaml');
    const starter = app.read('scenarios/hello-machine.yaml');
    expect(starter.split('\n')[0]).toBe(`# yaml-language-server: $schema=../node_modules/${PACKAGE_NAME}/scenarios/scenario.schema.json`);
    const run = await app.rehearse(['run'], noTs);
    expect(run.exitCode, run.all).toBe(0);
    expect(run.stdout).toContain('template: template.yaml (rehearse.config.yaml)');
    expect(run.stdout).toContain('✓ HelloMachine succeeds');
  });

  it("the library imports as 'rehearse-aws' and its services load from dist/", async () => {
    await project.write({
      'use-library.mjs': `
import { startEmulator, loadScenario, runScenario, createBackend } from '${PACKAGE_NAME}';
const emulator = await startEmulator({ port: 0, clock: 'virtual' });
const health = await (await fetch(new URL('/_rehearse/health', emulator.endpoint))).json();
await emulator.dispose();
const loaded = await loadScenario('scenarios/pass.yaml');
const backend = await createBackend('embedded', { seed: 'lib' });
const result = await runScenario(loaded, { backend, seed: 'lib', cwd: process.cwd() });
await backend.dispose();
console.log(JSON.stringify({ health, status: result.status }));
`,
    });
    const r = await project.exec(process.execPath, ['use-library.mjs'], noTs);
    expect(r.exitCode, r.all).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { health: { version: string; services: string[] }; status: string };
    expect(out.health.version).toBe((JSON.parse(project.read(`node_modules/${PACKAGE_NAME}/package.json`)) as { version: string }).version);
    expect(out.health.services).toEqual(expect.arrayContaining(['s3', 'secretsmanager', 'sns', 'lambda', 'states']));
    expect(out.status).toBe('passed');
  });

  it('its type declarations type-check a TypeScript user of the library', async () => {
    await project.write({
      'tsconfig.json': JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: ['node'],
          typeRoots: [join(REPO_ROOT, 'node_modules/@types')],
        },
        files: ['use-types.mts'],
      }),
      'use-types.mts': `
import { startEmulator, runScenario, type Emulator, type ScenarioResult, type RunScenarioOptions } from '${PACKAGE_NAME}';
const emulator: Emulator = await startEmulator({ port: 0 });
const url: string = emulator.endpoint;
declare const options: RunScenarioOptions;
declare const loaded: Parameters<typeof runScenario>[0];
const result: ScenarioResult = await runScenario(loaded, options);
const status: 'passed' | 'failed' | 'skipped' | 'error' = result.status;
// @ts-expect-error the declarations are precise: a port is a number
await startEmulator({ port: 'eighty' });
export { url, status };
`,
    });
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    const r = await project.exec(process.execPath, [tsc, '-p', 'tsconfig.json']);
    expect(r.all).toBe('');
    expect(r.exitCode).toBe(0);
  });
});
