/**
 * Templates as CloudFormation reads them, in the forms public SAM projects
 * use and rehearse used to refuse: CloudFormation's lenient YAML (one error
 * per bad spot, never a cascade), handlers as Lambda's runtime clients
 * resolve them (Python modules and packages, CommonJS exports), `.asl.yaml`
 * definitions and `!Sub` with pseudo parameters inside an inline Definition.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkNodeHandler, checkPythonHandler } from '../../harness/deploy/functions/handler.ts';
import { parseTemplateText } from '../../harness/deploy/template-text.ts';
import { validateTemplate } from '../../harness/deploy/validate.ts';

function folder(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'rehearse-forms-'));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, rel)), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
  return root;
}

describe('YAML as CloudFormation reads it', () => {
  it.each([
    ['a double-quoted scalar over several lines', 'Description: "Image processor:\n  validate, resize\n  and notify"\n', { Description: 'Image processor: validate, resize and notify' }],
    ['a JSON-style flow map whose lines sit left of its key', 'Globals:\n  Function: {\n  "Timeout": 10,\n"MemorySize": 256\n  }\n', { Globals: { Function: { Timeout: 10, MemorySize: 256 } } }],
    ['tabs inside a flow collection', 'Tags: {\n\t"team": "media",\n\t"cost": [1,\t2]\n}\n', { Tags: { team: 'media', cost: [1, 2] } }],
    ['a JSON template that starts with a flow map but is YAML', '{ "A": 1 }\nB: 2\n', undefined],
    ['a date-like version stays a string', 'AWSTemplateFormatVersion: 2010-09-09\n', { AWSTemplateFormatVersion: '2010-09-09' }],
    ['short-form tags on scalars, sequences and maps', 'A: !Sub "arn:${AWS::Partition}:s3:::${B}"\nB: !GetAtt Fn.Outputs.Arn\nC: !If [IsProd, !Ref P, !Ref "AWS::NoValue"]\nD: !Sub\n  - "${X}"\n  - { X: !Select [0, !GetAZs ""] }\nE: !Base64 { "Fn::Join": ["", [a]] }\n', {
      A: { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${B}' },
      B: { 'Fn::GetAtt': ['Fn', 'Outputs.Arn'] },
      C: { 'Fn::If': ['IsProd', { Ref: 'P' }, { Ref: 'AWS::NoValue' }] },
      D: { 'Fn::Sub': ['${X}', { X: { 'Fn::Select': [0, { 'Fn::GetAZs': '' }] } }] },
      E: { 'Fn::Base64': { 'Fn::Join': ['', ['a']] } },
    }],
  ])('%s', (_name, text, expected) => {
    const parsed = parseTemplateText(text);
    if (expected === undefined) {
      // `{ "A": 1 }` then `B: 2` is neither JSON nor one YAML document: one problem, with its line.
      expect(parsed.problem).toMatchObject({ line: 2 });
      return;
    }
    expect(parsed.problem).toBeUndefined();
    expect(parsed.value).toEqual(expected);
  });

  it('one bad spot is one problem with its line, however much follows', async () => {
    const body = Array.from({ length: 200 }, (_, i) => `  Topic${i}:\n    Type: AWS::SNS::Topic\n`).join('');
    const dir = folder({ 'template.yaml': `Resources:\n  Bad: { Type: AWS::SNS::Topic, Properties: [1, 2\n${body}` });
    const report = await validateTemplate(join(dir, 'template.yaml'));
    expect(report.problems).toHaveLength(1);
    expect(report.problems[0]).toMatchObject({ severity: 'ERROR', line: expect.any(Number) });
    expect(report.problems[0]!.message).toMatch(/^YAML: /);
  });
});

describe('handlers as Lambda resolves them', () => {
  const code = folder({
    'py/app.py': 'import json\n\ndef lambda_handler(event, context):\n    return event\n',
    'py/src/handlers/app.py': 'async def handler(event, context):\n    return 1\n',
    'py/pkg/mod/__init__.py': 'from .impl import run as handler\n',
    'py/pkg/mod/impl.py': 'def run(e, c):\n    return e\n',
    'py/reexport.py': 'from app import (\n    lambda_handler,\n)\n',
    'py/assigned.py': 'handler = lambda e, c: e\n',
    'py/missing.py': 'def other(e, c):\n    pass\n',
    'node/app.js': 'exports.handler = async (event) => event;\n',
    'node/module.js': 'module.exports = { lambdaHandler: async () => 1 };\n',
    'node/named.cjs': 'module.exports.handler = function (e, c, cb) { cb(null, e); };\n',
    'node/esm.mjs': 'export const handler = async () => 1;\n',
    'node/wrong.js': 'exports.other = () => 1;\n',
    'esm-pkg/package.json': '{ "type": "module" }\n',
    'esm-pkg/app.js': 'exports.handler = async () => 1;\n',
    'esm-pkg/side.js': "import './app.js';\nconsole.log(1);\n",
    // TypeScript as most projects write it, in a folder Node loads as CommonJS: tsx and tsc compile its exports to CommonJS ones.
    'ts/app.ts': 'interface In { name: string }\nexport const handler = async (event: In): Promise<string> => event.name;\nexport function helper(): void {}\n',
    'ts/default-only.ts': 'export default async (event: unknown) => event;\n',
    'ts-esm/package.json': '{ "type": "module" }\n',
    'ts-esm/app.ts': 'import { strict } from "node:assert";\nexport async function handler(e: { n: number }): Promise<number> { strict.ok(e); return e.n; }\n',
    'node/esm-syntax.js': 'import { readFileSync } from "node:fs";\nexport const handler = async () => readFileSync;\n',
    'node/esm-only.cjs': 'export const handler = async () => 1;\n',
    'cjs-pkg/package.json': '{ "type": "commonjs" }\n',
    'cjs-pkg/app.js': 'import { readFileSync } from "node:fs";\nexport const handler = async () => readFileSync;\n',
  });
  it.each([
    ['app.lambda_handler', 'app.py'],
    ['src/handlers/app.handler', 'src/handlers/app.py'],
    ['src.handlers.app.handler', 'src/handlers/app.py'],
    ['pkg.mod.handler', 'pkg/mod/__init__.py'],
    ['reexport.lambda_handler', 'reexport.py'],
    ['assigned.handler', 'assigned.py'],
  ])('Python %s is found in %s', (handler, file) => {
    expect(checkPythonHandler(join(code, 'py'), handler, code)).toEqual({ file: join(code, 'py', file) });
  });

  it('Python: a module without the function and a missing module are named', () => {
    expect(checkPythonHandler(join(code, 'py'), 'missing.lambda_handler', code).problem?.message).toBe('py/missing.py defines no lambda_handler at its top level (Lambda reports Runtime.HandlerNotFound)');
    expect(checkPythonHandler(join(code, 'py'), 'nope.handler', code).problem?.message).toMatch(/^Handler nope\.handler: no py\/nope\.py or py\/nope\/__init__\.py/);
  });

  it.each([
    ['app.handler', 'app.js'],
    ['module.lambdaHandler', 'module.js'],
    ['named.handler', 'named.cjs'],
    ['esm.handler', 'esm.mjs'],
  ])('Node.js %s is found in %s', (handler, file) => {
    expect(checkNodeHandler(join(code, 'node'), handler, code)).toEqual({ file: join(code, 'node', file) });
  });

  it('TypeScript: `export` in a folder Node loads as CommonJS and in a "type": "module" one are both found; a missing export names the others', () => {
    expect(checkNodeHandler(join(code, 'ts'), 'app.handler', code)).toEqual({ file: join(code, 'ts', 'app.ts') });
    expect(checkNodeHandler(join(code, 'ts-esm'), 'app.handler', code)).toEqual({ file: join(code, 'ts-esm', 'app.ts') });
    expect(checkNodeHandler(join(code, 'ts'), 'app.main', code).problem).toEqual({ severity: 'ERROR', message: 'ts/app.ts does not export main (it exports: handler, helper)' });
    // Only a default export: nothing named to see, so it is said as a doubt, as for any CommonJS file without named exports.
    expect(checkNodeHandler(join(code, 'ts'), 'default-only.handler', code).problem).toEqual({ severity: 'WARNING', message: expect.stringMatching(/could not see an export named handler without running it/) });
  });

  it('Node.js: ES module syntax where no type is declared is an ES module (Node ≥ 20.19 detects it); declared CommonJS it is an error naming why, never a crash', () => {
    expect(checkNodeHandler(join(code, 'node'), 'esm-syntax.handler', code)).toEqual({ file: join(code, 'node', 'esm-syntax.js') });
    expect(checkNodeHandler(join(code, 'node'), 'esm-syntax.main', code).problem?.message).toBe('node/esm-syntax.js does not export main (it exports: handler)');
    expect(checkNodeHandler(join(code, 'cjs-pkg'), 'app.handler', code).problem).toEqual({
      severity: 'ERROR',
      message: 'cjs-pkg/app.js has ES module syntax (import/export), but it is declared CommonJS (the nearest package.json says "type": "commonjs"): Node fails to load it (SyntaxError at init); use require/exports, or make it an ES module (.mjs, "type": "module")',
    });
    expect(checkNodeHandler(join(code, 'node'), 'esm-only.handler', code).problem?.message).toMatch(/^node\/esm-only\.cjs has ES module syntax \(import\/export\), but it is declared CommonJS \(its \.cjs extension\)/);
    // An ES module with imports and no exports: named as missing, not a lexer error.
    expect(checkNodeHandler(join(code, 'esm-pkg'), 'side.handler', code).problem?.message).toBe('esm-pkg/side.js does not export handler (it has no named exports)');
  });

  it('Node.js: a missing export is named with what the module exports; CommonJS under "type": "module" is explained', () => {
    expect(checkNodeHandler(join(code, 'node'), 'wrong.handler', code).problem?.message).toBe('node/wrong.js does not export handler (it exports: other)');
    expect(checkNodeHandler(join(code, 'esm-pkg'), 'app.handler', code).problem?.message).toMatch(/assigns exports\.handler \(CommonJS\), but Node loads it as an ES module/);
  });
});

describe('state machine definitions as SAM reads them', () => {
  it('validates an .asl.yaml DefinitionUri, an inline Definition with !Sub pseudo parameters, Python and CommonJS functions: no errors', async () => {
    const dir = folder({
      'template.yaml': `AWSTemplateFormatVersion: '2010-09-09'
Transform: AWS::Serverless-2016-10-31
Resources:
  ValidateFunction:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: functions/validate/, Handler: app.lambda_handler, Runtime: python3.11 }
  NotifyFunction:
    Type: AWS::Serverless::Function
    Properties: { CodeUri: functions/notify/, Handler: app.handler, Runtime: nodejs20.x }
  FromFile:
    Type: AWS::Serverless::StateMachine
    Properties:
      DefinitionUri: statemachine/flow.asl.yaml
      DefinitionSubstitutions: { ValidateArn: !GetAtt ValidateFunction.Arn }
  Inline:
    Type: AWS::Serverless::StateMachine
    Properties:
      Definition:
        StartAt: Notify
        States:
          Notify:
            Type: Task
            Resource: !Sub arn:\${AWS::Partition}:states:::lambda:invoke
            Parameters:
              FunctionName: !Sub arn:\${AWS::Partition}:lambda:\${AWS::Region}:\${AWS::AccountId}:function:\${NotifyFunction}
              Payload.$: $
            End: true
`,
      'functions/validate/app.py': 'def lambda_handler(event, context):\n    return event\n',
      'functions/notify/app.js': 'exports.handler = async (event) => event;\n',
      'statemachine/flow.asl.yaml': 'Comment: YAML, not JSON\nStartAt: Validate\nStates:\n  Validate:\n    Type: Task\n    Resource: arn:aws:states:::lambda:invoke\n    Parameters:\n      FunctionName: ${ValidateArn}\n      Payload.$: $\n    End: true\n',
    });
    const report = await validateTemplate(join(dir, 'template.yaml'));
    expect(report.problems.filter((p) => p.severity === 'ERROR'), JSON.stringify(report.problems, null, 1)).toEqual([]);
    expect(report.checked).toContain(join(dir, 'statemachine/flow.asl.yaml'));
  });
});

describe('functions as a plain CloudFormation template gives them', () => {
  it('Code as a local path (before aws cloudformation package) is the function folder; a missing one is named with where it resolved', async () => {
    const template = (code: string) => `{
  "AWSTemplateFormatVersion": "2010-09-09",
  "Resources": {
    "PrepareFn": { "Type": "AWS::Lambda::Function", "Properties": { "Runtime": "python3.12", "Handler": "handler.main", "Code": "${code}", "Role": "arn:aws:iam::123456789012:role/x" } }
  }
}`;
    const dir = folder({ 'template.json': template('src/etl'), 'missing.json': template('src/nowhere'), 'src/etl/handler.py': 'def main(event, context):\n    return event\n' });
    const ok = await validateTemplate(join(dir, 'template.json'));
    expect(ok.problems.filter((p) => p.severity === 'ERROR'), JSON.stringify(ok.problems, null, 1)).toEqual([]);
    const missing = await validateTemplate(join(dir, 'missing.json'));
    expect(missing.problems.map((p) => p.message)).toContainEqual(expect.stringContaining(`Code "src/nowhere" does not exist (resolved to ${join(dir, 'src/nowhere')})`));
  });
});

describe('functions as SAM CLI builds them', () => {
  it("no CodeUri is the template's folder (SAM CLI's default, as `sam init`'s web-backend starters write it); a CodeUri that is not a path is named", async () => {
    const template = (codeUri: string) => `Transform: AWS::Serverless-2016-10-31
Resources:
  GetAllItems:
    Type: AWS::Serverless::Function
    Properties: { Runtime: nodejs20.x, Handler: src/handlers/get-all-items.getAllItemsHandler${codeUri} }
`;
    const dir = folder({
      'template.yaml': template(''),
      'numbered.yaml': template(', CodeUri: 5'),
      'package.json': '{ "name": "sam-app" }\n',
      'src/handlers/get-all-items.js': 'exports.getAllItemsHandler = async () => ({ statusCode: 200 });\n',
    });
    const ok = await validateTemplate(join(dir, 'template.yaml'));
    expect(ok.problems.filter((p) => p.severity === 'ERROR'), JSON.stringify(ok.problems, null, 1)).toEqual([]);
    const numbered = await validateTemplate(join(dir, 'numbered.yaml'));
    expect(numbered.problems.filter((p) => p.severity === 'ERROR').map((p) => [p.field, p.message])).toEqual([
      ['Resources.GetAllItems.Properties.CodeUri', 'CodeUri must be a folder or .zip relative to the template, or an s3:// location (got 5)'],
    ]);
  });
});

describe('values CloudFormation reads from services at deploy', () => {
  it('an SSM parameter type the resources use without a value, and each dynamic reference, are warnings naming where and what to do; a value given silences the first', async () => {
    const root = folder({
      'template.yaml': `Parameters:
  ApiKey:
    Type: AWS::SSM::Parameter::Value<String>
    Default: /app/api-key
  BootstrapVersion:
    Type: AWS::SSM::Parameter::Value<String>
    Default: /cdk-bootstrap/hnb659fds/version
Rules:
  CheckBootstrapVersion:
    Assertions:
      - Assert: { 'Fn::Not': [{ 'Fn::Contains': [['1', '2'], { Ref: BootstrapVersion }] }] }
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: !Ref ApiKey
      Tags:
        - { Key: owner, Value: '{{resolve:ssm:/app/owner:2}}' }
        - { Key: db, Value: 'pw={{resolve:secretsmanager:prod/db:SecretString:password}}' }
`,
    });
    const warnings = (await validateTemplate(join(root, 'template.yaml'))).problems.filter((p) => p.severity === 'WARNING');
    expect(warnings.map((p) => [p.field, p.line])).toEqual([
      ['Parameters.ApiKey', undefined],
      // BootstrapVersion (the CDK's, read by its Rules only) is not named: no resource uses it.
      ['Resources.Queue.Properties.Tags[0].Value', 13],
      ['Resources.Queue.Properties.Tags[1].Value', 13],
    ]);
    expect(warnings[1]!.message).toBe(
      'dynamic reference {{resolve:ssm:/app/owner:2}} is passed on as written: CloudFormation resolves it from Parameter Store at deploy, which a local deploy does not (give the value as a parameter, or have the function read it at run time)',
    );
    expect(warnings[0]!.message).toMatch(/so Ref ApiKey is the name "\/app\/api-key" itself: give the value as a parameter override \(ApiKey=…\)$/);
    expect(warnings[2]!.message).toMatch(/^dynamic reference \{\{resolve:secretsmanager:prod\/db:SecretString:password\}\} is passed on as written: CloudFormation resolves it from Secrets Manager at deploy/);
    const given = (await validateTemplate(join(root, 'template.yaml'), { parameters: { ApiKey: 'k-123' } })).problems.map((p) => p.field);
    expect(given).not.toContain('Parameters.ApiKey');
  });
});
