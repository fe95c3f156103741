/**
 * `rehearse validate` with no path in a project that is not laid out like
 * ours (no workflows/): the template comes from the project resolution
 * (config, samconfig, the usual names); an error that only follows from
 * another is printed once, under it, and not counted as one to fix.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../../harness/cli/main.ts';
import { captureIo } from '../support/cli-io.ts';

function project(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'rehearse-validate-'));
  mkdirSync(join(root, '.git'));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

const TEMPLATE = `Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: functions/fn/, Handler: app.handler, Runtime: nodejs20.x }
  Machine:
    Type: AWS::Serverless::StateMachine
    Properties:
      DefinitionUri: statemachine/definition.asl.json
      DefinitionSubstitutions: { FnArn: !GetAtt Fn.Arn }
`;
const GOOD = '{"StartAt":"Call","States":{"Call":{"Type":"Task","Resource":"${FnArn}","End":true}}}';
const DANGLING = '{"StartAt":"Call","States":{"Call":{"Type":"Task","Resource":"${FnArn}","Next":"Gone"}}}';

describe('rehearse validate without a path', () => {
  it('finds template.yaml at the root (no workflows/ needed) and checks the definitions it deploys', async () => {
    const dir = project({ 'template.yaml': TEMPLATE, 'functions/fn/app.mjs': 'export const handler = async () => ({});\n', 'statemachine/definition.asl.json': GOOD });
    const { io, out } = captureIo(dir);
    expect(await main(['validate'], io), out.stderr).toBe(0);
    expect(out.stdout).toBe('validating template.yaml (found in .)\n✓ 0 errors, 0 warnings in 2 files\n');
  });

  it("takes the config's template; says what it looked for when there is none", async () => {
    const dir = project({ 'infra/app.yaml': TEMPLATE, 'rehearse.config.yaml': 'template: infra/app.yaml\n', 'functions/fn/app.mjs': '', 'statemachine/definition.asl.json': GOOD });
    const configured = captureIo(join(dir, 'infra'));
    await main(['validate'], configured.io);
    expect(configured.out.stdout).toMatch(/^validating app\.yaml \(\.\.\/rehearse\.config\.yaml\)\n/);
    const empty = project({ 'README.md': '# nothing here\n' });
    const none = captureIo(empty);
    expect(await main(['validate'], none.io)).toBe(2);
    expect(none.out.stderr).toMatch(/^rehearse validate: nothing to validate: none was found \(looked for rehearse\.config\.yaml, samconfig\.toml template_file, template\.yaml/);
    expect(none.out.stderr).toContain('npx rehearse init');
    expect(none.out.stderr).not.toContain('workflows');
  });

  it('prints a follow-on error once, under its cause, and counts only the cause', async () => {
    const dir = project({ 'template.yaml': TEMPLATE, 'statemachine/definition.asl.json': DANGLING });
    const { io, out } = captureIo(dir);
    expect(await main(['validate'], io)).toBe(2);
    const lines = out.stderr.trimEnd().split('\n');
    // The missing code folder is one error; the handler it would hold is not another.
    const codeUri = lines.findIndex((l) => l.includes('field Resources.Fn.Properties.CodeUri'));
    expect(codeUri).toBeGreaterThanOrEqual(0);
    const next = lines.findIndex((l) => /state "Call", field Next: names 'Gone'/.test(l));
    expect(lines[next + 1]).toMatch(/^ {2}↳ and so: statemachine\/definition\.asl\.json, field States: has no terminal state/);
    expect(lines.filter((l) => l.startsWith('error:'))).toHaveLength(2);
    expect(lines.at(-1)).toMatch(/^✗ 2 errors \(and \d+ following from them\), 0 warnings in \d+ files$/);
  });
});
