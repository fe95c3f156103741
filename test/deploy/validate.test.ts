/**
 * `rehearse validate` on broken copies of the real workflows: each problem is
 * reported with its file, state and field, and the command exits 2; the
 * shipped workflows are clean (exit 0).
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { run as validateCommand } from '../../harness/cli/commands/validate.ts';
import type { CliIo } from '../../harness/cli/io.ts';
import { formatProblem, validatePaths, type Problem } from '../../harness/deploy/index.ts';

const REPO = path.resolve(new URL('../..', import.meta.url).pathname);
const dirs: string[] = [];

/** A copy of workflows/ next to a link to the real lambdas/ (the template's CodeUri is ../lambdas/). */
function brokenCopy(edit: (dir: string) => void): string {
  const root = mkdtempSync(path.join(tmpdir(), 'rehearse-validate-'));
  dirs.push(root);
  cpSync(path.join(REPO, 'workflows'), path.join(root, 'workflows'), { recursive: true });
  symlinkSync(path.join(REPO, 'lambdas'), path.join(root, 'lambdas'));
  const dir = path.join(root, 'workflows');
  edit(dir);
  return dir;
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- test edits of arbitrary definitions
function editJson(dir: string, file: string, change: (d: Json) => void): void {
  const f = path.join(dir, file);
  const d = JSON.parse(readFileSync(f, 'utf8')) as Json;
  change(d);
  writeFileSync(f, JSON.stringify(d, null, 2));
}

function editText(dir: string, file: string, from: string, to: string): void {
  const f = path.join(dir, file);
  const text = readFileSync(f, 'utf8');
  expect(text).toContain(from);
  writeFileSync(f, text.replace(from, to));
}

function io(cwd: string) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const cli: CliIo = { stdout, stderr, cwd, env: {}, isTTY: false };
  return { cli, out: () => out, err: () => err };
}

function errors(problems: Problem[]): Problem[] {
  return problems.filter((p) => p.severity === 'ERROR');
}

afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('rehearse validate', () => {
  it('passes the shipped workflows and template (exit 0)', async () => {
    const t = io(REPO);
    const code = await validateCommand([], t.cli);
    expect(t.err()).toBe('');
    expect(code).toBe(0);
    // SharpLayer (AWS::Serverless::LayerVersion) deploys like the rest: nothing to warn about.
    expect(t.out()).toBe('validating workflows/template.yaml (rehearse.config.yaml)\n✓ 0 errors, 0 warnings in 9 files\n');
  });

  it('reports a Next that names no state, with file, state and field (exit 2)', async () => {
    const dir = brokenCopy((d) => editJson(d, 'image-processor.asl.json', (def) => (def.States.OptimizeImage.Next = 'NotifySucces')));
    const t = io(dir);
    expect(await validateCommand([dir], t.cli)).toBe(2);
    const lines = t.err().split('\n');
    const line = lines.find((l) => l.includes('state "OptimizeImage"'));
    expect(line).toMatch(/^error: .*image-processor\.asl\.json:\d+, state "OptimizeImage", field Next: .*NotifySucces/);
    expect(t.err()).toMatch(/✗ \d+ errors?, /);
  });

  it('reports a bad JSONPath inside a Parallel branch at the nested state', async () => {
    const dir = brokenCopy((d) =>
      editJson(d, 'image-processor.asl.json', (def) => {
        def.States.ProcessImage.Branches[0].States.ResizeImage.Parameters.Payload['key.$'] = '$.key[';
      }),
    );
    const r = await validatePaths([dir], dir);
    const p = errors(r.problems).find((x) => x.state === 'ResizeImage');
    expect(p?.file).toBe(path.join(dir, 'image-processor.asl.json'));
    expect(p?.field).toMatch(/^Parameters\.Payload\.key\.\$$/);
    expect(p?.message).toMatch(/\$\.key\[/);
  });

  it('reports a Task naming a function the template does not define', async () => {
    const dir = brokenCopy((d) =>
      editJson(d, 'external-call.asl.json', (def) => {
        def.States.CallExternalService.Parameters.FunctionName = 'arn:aws:lambda:us-east-1:123456789012:function:external-cal';
      }),
    );
    const r = await validatePaths([path.join(dir, 'template.yaml')], dir);
    const p = errors(r.problems).find((x) => x.state === 'CallExternalService');
    expect(p).toMatchObject({ file: path.join(dir, 'external-call.asl.json'), field: 'Parameters.FunctionName' });
    expect(p!.message).toMatch(/^names function "arn:aws:lambda:us-east-1:123456789012:function:external-cal", which is not a function in template\.yaml \(did you mean "external-call"\?\)/);
    expect(p!.line).toBeGreaterThan(1);
  });

  it('reports a placeholder without a DefinitionSubstitution, suggesting the closest one', async () => {
    const dir = brokenCopy((d) => editJson(d, 'image-batch.asl.json', (def) => (def.States.AggregateResults.Parameters.FunctionName = '${AggregateResultFunctionArn}')));
    const p = errors((await validatePaths([dir], dir)).problems).find((x) => x.state === 'AggregateResults');
    expect(formatProblem(p!, dir)).toMatch(
      /^error: image-batch\.asl\.json:\d+, state "AggregateResults", field Parameters\.FunctionName: \$\{AggregateResultFunctionArn\} has no DefinitionSubstitution in template\.yaml \(ImageBatchStateMachine\) \(did you mean "AggregateResultsFunctionArn"\?\)$/,
    );
  });

  it('reports a substitution whose !GetAtt names no resource, in the template', async () => {
    const dir = brokenCopy((d) => editText(d, 'template.yaml', 'ResizeImageFunctionArn: !GetAtt ResizeImageFunction.Arn', 'ResizeImageFunctionArn: !GetAtt ResizeImageFunctio.Arn'));
    const p = errors((await validatePaths([dir], dir)).problems).find((x) => x.field?.includes('DefinitionSubstitutions'));
    expect(p).toMatchObject({
      file: path.join(dir, 'template.yaml'),
      field: 'Resources.ImageProcessorStateMachine.Properties.DefinitionSubstitutions.ResizeImageFunctionArn',
      message: 'Fn::GetAtt ResizeImageFunctio.Arn: no resource named ResizeImageFunctio (did you mean "ResizeImageFunction"?)',
    });
  });

  it('reports a JSONata expression that does not compile', async () => {
    const dir = brokenCopy((d) => editJson(d, 'image-processor-jsonata.asl.json', (def) => (def.States.OptimizeImage.Arguments.Payload.key = '{% $resized.key + %}')));
    const p = errors((await validatePaths([dir], dir)).problems).find((x) => x.state === 'OptimizeImage');
    expect(p).toMatchObject({ file: path.join(dir, 'image-processor-jsonata.asl.json'), field: expect.stringMatching(/^Arguments\.Payload\.key$/) });
    expect(p!.message).toMatch(/\$resized\.key \+/);
  });

  it('reports a missing definition file, code directory and entry point', async () => {
    const dir = brokenCopy((d) => {
      editText(d, 'template.yaml', 'DefinitionUri: external-call.asl.json', 'DefinitionUri: external-calls.asl.json');
      editText(d, 'template.yaml', 'EntryPoints: [apply-filters/index.ts]', 'EntryPoints: [apply-filter/index.ts]');
    });
    const found = errors((await validatePaths([path.join(dir, 'template.yaml')], dir)).problems);
    expect(found.find((p) => p.field === 'Resources.ExternalCallStateMachine.Properties.DefinitionUri')?.message).toBe(
      `DefinitionUri "external-calls.asl.json" does not exist (resolved to ${path.join(dir, 'external-calls.asl.json')})`,
    );
    expect(found.find((p) => p.field === 'Resources.ApplyFiltersFunction.Metadata.BuildProperties.EntryPoints')?.message).toMatch(/^EntryPoints\[0\] "apply-filter\/index\.ts" does not exist/);
  });

  it('reports YAML errors with their line', async () => {
    const dir = brokenCopy((d) => editText(d, 'template.yaml', '  ImagesBucket:\n    Type: AWS::S3::Bucket', '  ImagesBucket:\n    Type: [AWS::S3::Bucket'));
    const p = errors((await validatePaths([dir], dir)).problems)[0]!;
    expect(p.file).toBe(path.join(dir, 'template.yaml'));
    expect(p.message).toMatch(/^YAML: /);
    expect(p.line).toBeGreaterThan(30);
  });

  it('checks a definition no template deploys on its own, warning about its placeholders', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'rehearse-validate-'));
    dirs.push(root);
    const def = JSON.parse(readFileSync(path.join(REPO, 'workflows/external-call.asl.json'), 'utf8')) as Json;
    def.States.CallExternalService.Retry[0].BackoffRate = 0.5;
    writeFileSync(path.join(root, 'lone.asl.json'), JSON.stringify(def, null, 2));
    const r = await validatePaths([path.join(root, 'lone.asl.json')], root);
    const e = errors(r.problems);
    expect(e).toHaveLength(1);
    expect(e[0]).toMatchObject({ state: 'CallExternalService', field: 'Retry[0].BackoffRate' });
    expect(r.problems.find((p) => p.severity === 'WARNING')?.message).toMatch(/placeholders \$\{ExternalCallFunctionArn\}, \$\{NotifyErrorFunctionArn\} were not checked/);
  });

  it('reports a property inherited from Globals where it is written, naming each function that inherits it', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'rehearse-validate-'));
    dirs.push(root);
    writeFileSync(
      path.join(root, 'template.yaml'),
      [
        'Transform: AWS::Serverless-2016-10-31',
        'Globals:',
        '  Function:',
        '    Runtime: nodejs20.x',
        '    Timeout: 901',
        'Resources:',
        '  First:',
        '    Type: AWS::Serverless::Function',
        '    Properties: { CodeUri: fn/, Handler: app.handler }',
        '  Second:',
        '    Type: AWS::Serverless::Function',
        '    Properties: { CodeUri: fn/, Handler: app.handler, Timeout: 0 }',
        '  Third:',
        '    Type: AWS::Serverless::Function',
        '    Properties: { CodeUri: fn/, Handler: app.handler }',
        '',
      ].join('\n'),
    );
    mkdirSync(path.join(root, 'fn'));
    writeFileSync(path.join(root, 'fn', 'app.mjs'), 'export const handler = async () => 1;\n');
    const r = await validatePaths([path.join(root, 'template.yaml')], root);
    const e = errors(r.problems).filter((p) => /Timeout/.test(p.message));
    expect(e).toEqual([
      // One problem where it is written, naming both functions that inherit it (not one per function).
      expect.objectContaining({ field: 'Globals.Function.Timeout', line: 2, message: 'Timeout must be 1–900 seconds, got 901 (inherited by First, Third)' }),
      // Its own Timeout is where it is wrong.
      expect.objectContaining({ field: 'Resources.Second.Properties.Timeout', line: 10, message: 'Timeout must be 1–900 seconds, got 0' }),
    ]);
  });

  it('exits 2 for a path that does not exist', async () => {
    const t = io(REPO);
    expect(await validateCommand(['nope/'], t.cli)).toBe(2);
    expect(t.err()).toContain('nope: no such file or directory');
  });
});
