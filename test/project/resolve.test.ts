/**
 * The project resolution order (docs/configuration.md), on real files in a
 * temporary directory: flags > rehearse.config.* (nearest at or above the
 * scenario) > samconfig > the template found by its usual names; and each
 * value says where it came from.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeProject, parameterValues, ProjectResolver, resolveProject } from '../../harness/project/resolve.ts';
import { parseParameterOverrides } from '../../harness/project/parameter-overrides.ts';
import { readSamConfig } from '../../harness/project/samconfig.ts';
import { applyEnvironment, readEnvVarsFile } from '../../harness/project/environment.ts';
import { loadConfig } from '../../harness/project/config.ts';
import { cdkStacks, scanTemplates, templateFileOf } from '../../harness/project/templates.ts';
import { templatePaths } from '../../harness/project/watch-paths.ts';

const TEMPLATE = `AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage: { Type: String, Default: prod }
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: src/, Handler: app.handler, Runtime: nodejs20.x }
`;

function project(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'rehearse-project-'));
  mkdirSync(join(root, '.git')); // the repository root: resolution never looks above it
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

describe('resolution order', () => {
  const root = project({
    'template.yaml': TEMPLATE,
    'infra/other.yaml': TEMPLATE,
    'infra/samconfig.toml': 'version = 0.1\n[default.deploy.parameters]\nparameter_overrides = "Stage=\\"staging\\" Region=eu"\n',
    'samconfig.toml': 'version = 0.1\n[default.deploy.parameters]\nparameter_overrides = "Stage=samconfig Owner=team"\n',
    'rehearse.config.yaml': 'template: infra/other.yaml\nparameters:\n  Stage: config\n',
    'scenarios/deep/a.yaml': '',
    'plain/scenarios/b.yaml': '',
  });

  it('without a config: the usual template name found upward, samconfig.toml beside it, its parameters', () => {
    const noConfig = project({ 'template.yaml': TEMPLATE, 'samconfig.toml': 'version = 0.1\n[default.deploy.parameters]\nparameter_overrides = "Stage=samconfig"\n', 'scenarios/x.yaml': '' });
    const p = resolveProject(join(noConfig, 'scenarios'), {}, noConfig);
    expect(p.template).toEqual({ value: join(noConfig, 'template.yaml'), from: 'found in .' });
    expect(p.parameters).toEqual({ Stage: { value: 'samconfig', from: 'samconfig.toml parameter_overrides' } });
    expect(p.scenariosDir).toBe(join(noConfig, 'scenarios'));
  });

  it('the nearest config names the template; its parameters beat the samconfig beside that template', () => {
    const p = resolveProject(join(root, 'scenarios', 'deep'), {}, root);
    expect(p.config?.file).toBe(join(root, 'rehearse.config.yaml'));
    expect(p.template).toEqual({ value: join(root, 'infra/other.yaml'), from: 'rehearse.config.yaml' });
    expect(p.parameters).toEqual({
      Stage: { value: 'config', from: 'rehearse.config.yaml' },
      Region: { value: 'eu', from: 'infra/samconfig.toml parameter_overrides' },
    });
  });

  it('flags beat the config: --template, --parameter-overrides (repeatable, both forms)', () => {
    const p = resolveProject(join(root, 'scenarios'), { template: 'template.yaml', parameterOverrides: ['Stage=flag', 'ParameterKey=Owner,ParameterValue="a b"'] }, root);
    expect(p.template).toEqual({ value: join(root, 'template.yaml'), from: '--template' });
    // The samconfig beside the flag's template (Stage, Owner), the config's Stage, then the flags.
    expect(parameterValues(p)).toEqual({ Stage: 'flag', Owner: 'a b' });
    expect(p.parameters.Stage!.from).toBe('--parameter-overrides');
  });

  it('--config replaces the walk upward; samconfig: false turns samconfig off', () => {
    writeFileSync(join(root, 'plain', 'ci.config.yaml'), 'template: ../template.yaml\nsamconfig: false\nscenarios: scenarios\n');
    const p = resolveProject(join(root, 'plain', 'scenarios'), { config: 'plain/ci.config.yaml' }, root);
    expect(p.template?.value).toBe(join(root, 'template.yaml'));
    expect(p.samconfig).toBeUndefined();
    expect(p.parameters).toEqual({});
    expect(p.scenariosDir).toBe(join(root, 'plain', 'scenarios'));
  });

  it('never looks above the repository root', () => {
    const outer = project({ 'template.yaml': TEMPLATE });
    const inner = join(outer, 'repo');
    mkdirSync(join(inner, '.git'), { recursive: true });
    const p = resolveProject(inner, {}, inner);
    expect(p.template).toBeUndefined();
    expect(p.templateMissing).toMatch(/^none was found \(looked for rehearse\.config\.yaml, samconfig\.toml template_file, template\.yaml, template\.yml, template\.json, cdk\.out\/manifest\.json in \. /);
    expect(() => new ProjectResolver({}, inner).requireTemplate(inner, 'x deploys a template')).toThrow(/x deploys a template, but none was found/);
  });

  it("samconfig's template_file names the template when nothing else does", () => {
    const r = project({ 'cfn/app.yaml': TEMPLATE, 'samconfig.yaml': 'version: 0.1\ndefault:\n  global:\n    parameters:\n      template_file: cfn/app.yaml\n' });
    const p = resolveProject(r, {}, r);
    expect(p.template).toEqual({ value: join(r, 'cfn/app.yaml'), from: 'samconfig.yaml template_file' });
  });

  it('says what it deploys and where each value came from, in one line', () => {
    const p = resolveProject(join(root, 'scenarios'), { parameterOverrides: ['Owner=me'] }, root);
    expect(describeProject(p, root)).toBe(
      'template: infra/other.yaml (rehearse.config.yaml); parameters: Stage=config (rehearse.config.yaml), Region=eu (infra/samconfig.toml parameter_overrides), Owner=me (--parameter-overrides)',
    );
  });
});

describe('the pieces', () => {
  it('parameter overrides: quotes, the long form, lists; a bad token is named', () => {
    expect(parseParameterOverrides('A=1 B="two words" C=\'x=y\' ParameterKey=D,ParameterValue=4', 'here')).toEqual({ A: '1', B: 'two words', C: 'x=y', D: '4' });
    expect(parseParameterOverrides(['A=1', 'A=2 E=""'], 'here')).toEqual({ A: '2', E: '' });
    expect(() => parseParameterOverrides('A=1 oops', 'here')).toThrow(/here: "oops" is not Key=Value/);
    expect(() => parseParameterOverrides('A="open', 'here')).toThrow(/unterminated " quote/);
  });

  it('samconfig: global, then deploy, then local_invoke; another environment; a bad value is named', () => {
    const r = project({
      'samconfig.toml': [
        'version = 0.1',
        '[default.global.parameters]',
        'parameter_overrides = ["A=global", "B=global"]',
        '[default.deploy.parameters]',
        'parameter_overrides = "B=deploy C=deploy"',
        '[default.local_invoke.parameters]',
        'parameter_overrides = "C=local"',
        '[staging.deploy.parameters]',
        'parameter_overrides = "A=staging"',
        '[broken.deploy.parameters]',
        'parameter_overrides = 3',
      ].join('\n'),
    });
    expect(readSamConfig(join(r, 'samconfig.toml')).parameterOverrides).toEqual({ A: 'global', B: 'deploy', C: 'local' });
    expect(readSamConfig(join(r, 'samconfig.toml'), 'staging').parameterOverrides).toEqual({ A: 'staging' });
    expect(() => readSamConfig(join(r, 'samconfig.toml'), 'broken')).toThrow(/\[broken\.deploy\.parameters\] parameter_overrides: expected a string or a list of strings/);
  });

  it('env.json as sam local reads it: only variables the template declares are replaced; the config may add', () => {
    const r = project({ 'env.json': JSON.stringify({ Parameters: { STAGE: 'local', UNDECLARED_GLOBAL: 'x' }, Fn: { TABLE: 't-local', EXTRA: 'y' }, 'other-name': { TABLE: 'no' } }) });
    const envVars = readEnvVarsFile(join(r, 'env.json'));
    const warnings: string[] = [];
    const env = applyEnvironment(
      { logicalId: 'Fn', functionName: 'fn-name', environment: { STAGE: 'prod', TABLE: 't', KEEP: 'k' } },
      { envVars, config: { '*': { ADDED: 'a' }, 'fn-name': { KEEP: 'config' } } },
      (m) => warnings.push(m),
    );
    expect(env).toEqual({ STAGE: 'local', TABLE: 't-local', KEEP: 'config', ADDED: 'a' });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/Fn\.EXTRA is ignored: the template does not declare EXTRA for Fn \(sam local ignores it too/);
  });

  it('a config file with a mistyped key names the line and the key it meant', () => {
    const r = project({ 'rehearse.config.yaml': 'template: t.yaml\nparamters:\n  A: 1\n' });
    expect(() => loadConfig(join(r, 'rehearse.config.yaml'))).toThrow(/rehearse\.config\.yaml:2:1 paramters: unknown key 'paramters' \(did you mean 'parameters'\?\)/);
  });

  it('a CDK cloud assembly: its stacks (nested stages too); one stack is the template', () => {
    const r = project({
      'cdk.out/manifest.json': JSON.stringify({
        version: '36.0.0',
        artifacts: {
          AppStack: { type: 'aws:cloudformation:stack', properties: { templateFile: 'AppStack.template.json' } },
          Tree: { type: 'cdk:tree', properties: { file: 'tree.json' } },
          Stage: { type: 'cdk:cloud-assembly', properties: { directoryName: 'assembly-Stage' } },
        },
      }),
      'cdk.out/AppStack.template.json': '{"Resources":{}}',
      'cdk.out/assembly-Stage/manifest.json': JSON.stringify({ artifacts: { StageStack: { type: 'aws:cloudformation:stack', properties: { templateFile: 'StageStack.template.json' } } } }),
    });
    expect(cdkStacks(join(r, 'cdk.out/manifest.json')).map((s) => s.id)).toEqual(['AppStack', 'StageStack']);
    expect(() => templateFileOf(join(r, 'cdk.out'), '--template')).toThrow(/has 2 stacks; name one/);
    const single = project({ 'cdk.out/manifest.json': JSON.stringify({ artifacts: { S: { type: 'aws:cloudformation:stack', properties: { templateFile: 'S.template.json' } } } }), 'cdk.out/S.template.json': '{}' });
    expect(templateFileOf(join(single, 'cdk.out'), '--template')).toBe(join(single, 'cdk.out/S.template.json'));
    expect(resolveProject(single, {}, single).template).toEqual({ value: join(single, 'cdk.out/S.template.json'), from: 'found in .' });
  });

  it('init finds any CloudFormation template, the usual names first, build output skipped', () => {
    const r = project({
      'infra/stack.yml': 'Resources:\n  B:\n    Type: AWS::S3::Bucket\n',
      'template.yaml': TEMPLATE,
      'config/app.yaml': 'server: { port: 8080 }\n',
      '.aws-sam/build/template.yaml': TEMPLATE,
      'node_modules/x/template.yaml': TEMPLATE,
      'statemachine/definition.asl.json': '{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}',
    });
    expect(scanTemplates(r).map((f) => f.slice(r.length + 1))).toEqual(['template.yaml', 'infra/stack.yml']);
  });

  it('--watch paths: the template and every local path it names', () => {
    const r = project({
      'template.yaml': `Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: functions/fn/, Handler: app.handler, Runtime: python3.12, Layers: [!Ref Deps] }
  Deps:
    Type: AWS::Serverless::LayerVersion
    Properties: { ContentUri: layers/deps }
  Machine:
    Type: AWS::Serverless::StateMachine
    Properties: { DefinitionUri: statemachine/definition.asl.json }
  Remote:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: s3://bucket/code.zip, Handler: a.b, Runtime: python3.12 }
`,
      'functions/fn/app.py': '',
      'layers/deps/python/x.py': '',
      'statemachine/definition.asl.json': '{}',
    });
    expect(templatePaths(join(r, 'template.yaml')).map((f) => f.slice(r.length + 1)).sort()).toEqual(['functions/fn', 'layers/deps', 'statemachine/definition.asl.json', 'template.yaml']);
  });
});
