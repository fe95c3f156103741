/**
 * Rehearse in other teams' repositories (issue #12, "How we will know"): four
 * projects laid out as their teams lay them out — a `sam init` Python
 * hello-world, the same in Node.js CommonJS, the serverless image-processor
 * article's layout (Python + Pillow, S3 → EventBridge → state machine) and a
 * CDK app's synthesized `cdk.out/` — each copied from test/e2e/fixtures/<name>/
 * into a temporary directory outside this repository, with the package
 * installed from `npm pack` (support/packed-install.ts: one pack per source
 * hash, shared with package.test.ts). In each: `rehearse init` (what it prints
 * and writes), `rehearse validate`, `rehearse run` with the team's own
 * scenarios (happy path, a failure retried then caught, a bad input), and one
 * deliberately wrong expectation that must fail the run.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PYTHON_INTERPRETER } from '../../harness/runtime/index.ts';
import { createPackedProject, PACKAGE_NAME, type PackedProject } from './support/packed-install.ts';

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const SCHEMA_LINE = `# yaml-language-server: $schema=../node_modules/${PACKAGE_NAME}/scenarios/scenario.schema.json`;

interface UserProject {
  /** The folder under test/e2e/fixtures/. */
  fixture: string;
  title: string;
  /** The template `rehearse init` finds, relative to the project. */
  template: string;
  /** What init says it found besides the template: `1 state machine (X), N function(s)`. */
  found: string;
  /** The project's functions by Runtime (each runs on this machine's interpreter, and the run says so when its version differs). */
  runtimes: Record<string, number>;
  /** The starter scenario init writes (or keeps: the team's own file of that name). */
  starter: { file: string; action: 'wrote' | 'kept' };
  /** What the team's working copy holds beside what it commits (build output…), written after the fixture is copied. */
  workingCopy?: (fixtureDir: string) => Record<string, string>;
  /** Files the fixture holds twice, which must not drift apart (a CDK asset folder is a copy of the handler's source). */
  copies?: Array<[string, string]>;
  /** A copy of one of the team's passing scenarios with one expectation made wrong, and the check that must report it. */
  wrong: { from: string; replace: [string, string]; failure: RegExp };
}

const PROJECTS: UserProject[] = [
  {
    fixture: 'sam-python-hello',
    title: 'a sam init-style Python hello-world (hello_world/app.py lambda_handler)',
    template: 'template.yaml',
    found: '1 state machine (HelloStateMachine), 1 function',
    runtimes: { 'python3.12': 1 },
    starter: { file: 'scenarios/hello-state-machine.yaml', action: 'wrote' },
    // After `sam build`: a second template under .aws-sam/build, which init must not offer.
    workingCopy: (dir) => ({
      '.aws-sam/build/template.yaml': readFileSync(join(dir, 'template.yaml'), 'utf8').replace('CodeUri: hello_world/', 'CodeUri: HelloWorldFunction'),
      '.aws-sam/build/HelloWorldFunction/app.py': readFileSync(join(dir, 'hello_world/app.py'), 'utf8'),
    }),
    wrong: {
      from: 'scenarios/greets-by-name.yaml',
      replace: ['greeting: hello Ada', 'greeting: hi Ada'],
      failure: /✗ then\.execution\.output: output differs at \$\.greeting: expected "hi Ada", got "hello Ada"/,
    },
  },
  {
    fixture: 'sam-node-hello',
    title: 'the same hello-world in Node.js CommonJS (hello-world/app.js exports.handler)',
    template: 'template.yaml',
    found: '1 state machine (HelloStateMachine), 1 function',
    runtimes: { 'nodejs20.x': 1 },
    starter: { file: 'scenarios/hello-state-machine.yaml', action: 'wrote' },
    wrong: {
      from: 'scenarios/lambda-outage-falls-back.yaml',
      replace: ['retryDelaysSeconds: [2, 4]', 'retryDelaysSeconds: [2, 2]'],
      failure: /✗ then\.states\.SayHello\.retryDelaysSeconds: expected SayHello retry delays \[2, 2\] s, got \[2, 4\] s/,
    },
  },
  {
    fixture: 'image-processor',
    title: "the image-processor article's layout (functions/validate and functions/resize with Pillow, statemachine/definition.asl.json)",
    template: 'template.yaml',
    found: '1 state machine (image-processor), 2 functions',
    runtimes: { 'python3.12': 2 },
    starter: { file: 'scenarios/image-processor.yaml', action: 'kept' },
    wrong: {
      from: 'scenarios/image-processor.yaml',
      replace: ['image: { format: jpeg, width: 400, height: 300 }', 'image: { format: jpeg, width: 400, height: 225 }'],
      failure: /✗ then\.objects\[0\].*resized\/cat\.jpg.*height/,
    },
  },
  {
    fixture: 'cdk-app',
    title: "a CDK app's synthesized cdk.out (asset folder, DefinitionString Fn::Join)",
    template: 'cdk.out/OrderWorkflowStack.template.json',
    found: '1 state machine (OrderWorkflow0015CDD9), 1 function',
    runtimes: { 'nodejs20.x': 1 },
    starter: { file: 'scenarios/order-workflow0015-cdd9.yaml', action: 'kept' },
    copies: [['cdk.out/asset.d9372c0b966e795e817ce7b9104d88ab622fb80d37747d9ffc17c303e3e5978a/index.js', 'lambda/validate-order/index.js']],
    wrong: {
      from: 'scenarios/lambda-outage-goes-to-review.yaml',
      replace: ['attempts: 7', 'attempts: 6'],
      failure: /✗ then\.states\.Validate order\.attempts: .*6.*7/,
    },
  },
];

interface JsonReport {
  summary: { total: number; passed: number; failed: number; skipped: number; errors: number };
  scenarios: Array<{ name: string; file: string; status: string; reason?: string }>;
}

/** Whether this machine's interpreter for a Runtime is another version than the Runtime names. */
function machineVersionDiffers(runtime: string): boolean {
  const python = /^python(\d+\.\d+)$/.exec(runtime);
  if (python) return execFileSync(PYTHON_INTERPRETER, ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'], { encoding: 'utf8' }).trim() !== python[1];
  return process.versions.node.split('.')[0] !== /^nodejs(\d+)\.x$/.exec(runtime)![1];
}

/** The `name:` of every scenario file in a folder. */
function scenarioNames(dir: string): string[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => (parse(readFileSync(join(dir, f), 'utf8')) as { name: string }).name)
    .sort();
}

describe.each(PROJECTS)('$fixture: $title', (p) => {
  let project: PackedProject;
  const fixtureDir = join(FIXTURES, p.fixture);

  beforeAll(async () => {
    project = await createPackedProject({ copy: [{ from: fixtureDir }], files: p.workingCopy?.(fixtureDir) ?? {} });
  }, 10 * 60_000);
  afterAll(async () => project?.dispose());

  it('rehearse init finds the template, writes rehearse.config.yaml and a starter scenario (keeping the team’s own)', async () => {
    // A fixture that holds a file twice (cdk synth's asset copy) runs what its source says.
    for (const [copy, source] of p.copies ?? []) expect(readFileSync(join(fixtureDir, copy), 'utf8'), copy).toBe(readFileSync(join(fixtureDir, source), 'utf8'));
    const init = await project.rehearse(['init']);
    expect(init.exitCode, init.all).toBe(0);
    expect(init.stdout).toContain(`found 1 template: ${p.template}\n`);
    expect(init.stdout).toContain(`using ${p.template} (found): ${p.found}\n`);
    expect(init.stdout).toContain('  wrote   rehearse.config.yaml\n');
    expect(init.stdout).toContain('next: npx rehearse run');
    const config = parse(project.read('rehearse.config.yaml')) as Record<string, unknown>;
    expect(config).toEqual({ template: p.template, scenarios: 'scenarios' });

    const starter = project.read(p.starter.file);
    if (p.starter.action === 'kept') {
      expect(init.stdout).toContain(`  kept    ${p.starter.file} (exists; --force replaces it)\n`);
      expect(starter).toBe(readFileSync(join(fixtureDir, p.starter.file), 'utf8'));
    } else {
      expect(init.stdout).toContain(`  wrote   ${p.starter.file}\n`);
      const machine = p.found.match(/\((.+?)\)/)![1]!;
      expect(starter.split('\n')[0]).toBe(SCHEMA_LINE);
      expect(parse(starter)).toEqual({ name: `${machine} succeeds`, workflow: machine, when: [{ start: { input: {} } }], then: { execution: { status: 'SUCCEEDED' } } });
    }
  });

  it('rehearse validate finds no error in the template, its handlers and definitions', async () => {
    const r = await project.rehearse(['validate']);
    expect(r.exitCode, r.all).toBe(0);
    expect(r.stdout).toContain(`validating ${p.template} (rehearse.config.yaml)`);
    expect(r.stdout).toMatch(/✓ 0 errors, \d+ warnings? in \d+ files?/);
  });

  it('rehearse run passes every scenario of the team’s, on the template it names', async () => {
    const names = scenarioNames(project.path('scenarios'));
    const r = await project.rehearse(['run', '--reporter', 'console,json', '--out', 'out']);
    expect(r.exitCode, r.all).toBe(0);
    expect(r.stdout).toContain(`template: ${p.template} (rehearse.config.yaml)`);
    expect(r.stdout).toContain(`${names.length} passed of ${names.length} in`);
    const report = JSON.parse(project.read('out/rehearse-report.json')) as JsonReport;
    expect(report.summary).toEqual({ total: names.length, passed: names.length, failed: 0, skipped: 0, errors: 0 });
    expect(report.scenarios.map((s) => s.name).sort()).toEqual(names);
    // At least the happy path, a retried-then-caught failure and a bad input.
    expect(names.length).toBeGreaterThanOrEqual(3);
    // What the deploy could not honour exactly is said once per function, however many deploys the run did
    // (here only an interpreter version other than the Runtime's: everything else these templates name is deployed).
    const notes = Object.entries(p.runtimes).reduce((n, [runtime, count]) => n + (machineVersionDiffers(runtime) ? count : 0), 0);
    const warnings = r.stderr.split('\n').filter((l) => l.includes('warning'));
    // One line per place a Runtime is written: a Globals one names every function inheriting it.
    const functionsNamed = warnings.reduce((n, w) => n + (/\(inherited by ([^)]*)\)$/.exec(w)?.[1]!.split(', ').length ?? 1), 0);
    expect(functionsNamed, r.stderr).toBe(notes);
    for (const w of warnings) expect(w).toMatch(/^rehearse run: warning: template\.yaml:\d+, field .*Runtime: Runtime python3\.12 runs on this machine's Python 3\.\d+\.\d+ \(\/usr\/bin\/python3\), not 3\.12/);
  });

  it('a deliberately wrong expectation fails the run (exit 1), naming the check', async () => {
    const [was, wrong] = p.wrong.replace;
    const text = project.read(p.wrong.from);
    expect(text).toContain(was);
    await project.write({ 'checks/wrong-expectation.yaml': text.replace(was, wrong).replace(/^name: (.*)$/m, 'name: $1 (wrong on purpose)') });
    const r = await project.rehearse(['run', 'checks/wrong-expectation.yaml']);
    expect(r.exitCode, r.all).toBe(1);
    expect(r.stdout).toMatch(p.wrong.failure);
    expect(r.stdout).toContain('0 passed, 1 failed of 1 in');
  });
});
