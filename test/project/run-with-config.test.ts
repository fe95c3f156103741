/**
 * `rehearse run` on a project outside this repository, configured the ways a
 * team configures one: the template found by its usual name, samconfig.toml
 * parameter_overrides, rehearse.config.yaml environment, and the flags
 * (--parameter-overrides, --env-vars) over them — checked in what the real
 * handler sees. A `workflow` the template does not define stops the run
 * before anything starts, whether the scenario starts it or uploads.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../harness/cli/main.ts';
import { captureIo } from '../support/cli-io.ts';

const FILES: Record<string, string> = {
  'template.yaml': `AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Parameters:
  Greeting: { Type: String, Default: from-template }
Resources:
  Uploads:
    Type: AWS::S3::Bucket
    Properties: { BucketName: uploads }
  EchoFunction:
    Type: AWS::Serverless::Function
    Properties:
      CodeUri: src/
      Handler: app.handler
      Runtime: nodejs20.x
      Environment:
        Variables: { GREETING: !Ref Greeting, TABLE: from-template, STACK: !Ref AWS::StackName }
  Echo:
    Type: AWS::Serverless::StateMachine
    Properties:
      Name: echo
      DefinitionUri: statemachine/echo.asl.json
      DefinitionSubstitutions: { EchoArn: !GetAtt EchoFunction.Arn }
`,
  'statemachine/echo.asl.json': '{"StartAt":"Echo","States":{"Echo":{"Type":"Task","Resource":"${EchoArn}","End":true}}}',
  'src/app.mjs': `export const handler = async () => ({
  greeting: process.env.GREETING, table: process.env.TABLE, stack: process.env.STACK, added: process.env.ADDED ?? null, extra: process.env.EXTRA ?? null,
});
`,
  'samconfig.toml': 'version = 0.1\n[default.deploy.parameters]\nstack_name = "echo"\nparameter_overrides = "Greeting=from-samconfig"\n',
  'rehearse.config.yaml': 'scenarios: tests\nenvironment:\n  EchoFunction: { ADDED: from-config }\n',
  'env.json': JSON.stringify({ EchoFunction: { TABLE: 'from-env-json', EXTRA: 'not-declared' } }),
  'tests/echo.yaml': `name: echo sees its environment
workflow: echo
when:
  - start: {}
then:
  execution: { status: SUCCEEDED }
`,
  'typos/started.yaml': 'name: started\nworkflow: ecno\nwhen:\n  - start: {}\nthen:\n  execution: { status: SUCCEEDED }\n',
  'typos/uploaded.yaml': 'name: uploaded\nworkflow: Echoo\nwhen:\n  - upload: { bucket: uploads, key: in/a.txt, text: hi }\nthen:\n  execution: { status: SUCCEEDED }\n',
};

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rehearse-config-run-'));
  mkdirSync(join(dir, '.git'));
  for (const [rel, text] of Object.entries(FILES)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
});

async function runEcho(extra: string[]): Promise<{ code: number; stdout: string; stderr: string; output: unknown }> {
  const { io, out } = captureIo(dir);
  const code = await main(['run', '--reporter', 'console,json', '--out', 'out', '--seed', 'cfg', ...extra], io);
  const { readFileSync } = await import('node:fs');
  const report = JSON.parse(readFileSync(join(dir, 'out', 'rehearse-report.json'), 'utf8')) as { scenarios: Array<{ executions: Array<{ output?: unknown }> }> };
  return { code, ...out, output: report.scenarios[0]?.executions[0]?.output };
}

describe('rehearse run with a project configuration', { timeout: 120_000 }, () => {
  it('runs the config\'s scenarios folder on the template found beside it, with samconfig and config values, (its stack_name the stack name), and says so', async () => {
    const r = await runEcho([]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('template: template.yaml (found in .); parameters: Greeting=from-samconfig (samconfig.toml parameter_overrides); environment: rehearse.config.yaml environment\n');
    expect(r.output).toEqual({ greeting: 'from-samconfig', table: 'from-template', stack: 'echo', added: 'from-config', extra: null });
  });

  it('flags win: --parameter-overrides over samconfig, --env-vars over the template (declared variables only, the rest named)', async () => {
    const r = await runEcho(['--parameter-overrides', 'Greeting=from-flag', '--env-vars', 'env.json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('parameters: Greeting=from-flag (--parameter-overrides); environment: rehearse.config.yaml environment, --env-vars env.json');
    expect(r.output).toEqual({ greeting: 'from-flag', table: 'from-env-json', stack: 'echo', added: 'from-config', extra: null });
    expect(r.stderr).toMatch(/warning: --env-vars .*env\.json: EchoFunction\.EXTRA is ignored: the template does not declare EXTRA/);
  });

  it('a workflow the template does not define is a load error with the closest name, for start and upload scenarios alike', async () => {
    const { io, out } = captureIo(dir);
    expect(await main(['run', 'typos'], io)).toBe(2);
    expect(out.stderr).toContain(`${join(dir, 'typos/started.yaml')}:2:1 workflow: 'ecno' is not a state machine of template.yaml (found in .) (did you mean 'echo'?); it defines 'echo'`);
    expect(out.stderr).toContain(`${join(dir, 'typos/uploaded.yaml')}:2:1 workflow: 'Echoo' is not a state machine of template.yaml (found in .) (did you mean 'echo'?)`);
    expect(out.stdout).not.toContain('running');
  });
});
