/**
 * Each intrinsic function and pseudo parameter resolved as CloudFormation
 * resolves it (intrinsic-function-reference, pseudo-parameter-reference), and
 * the error each misuse gets — pure logic over a ResolveContext, no endpoint.
 */
import { describe, expect, it } from 'vitest';
import { evaluateCondition, NO_VALUE, ResolveError, resolveValue, type ResolveContext } from '../../harness/deploy/intrinsics.ts';

function context(over: Partial<ResolveContext> = {}): ResolveContext {
  const resources: Record<string, { ref: string; attributes: Record<string, unknown> }> = {
    Images: { ref: 'images-bucket', attributes: { Arn: 'arn:aws:s3:::images-bucket', DomainName: 'images-bucket.s3.amazonaws.com' } },
    Resize: { ref: 'resize-image', attributes: { Arn: 'arn:aws:lambda:eu-west-1:000000000000:function:resize-image' } },
  };
  return {
    region: 'eu-west-1',
    accountId: '000000000000',
    partition: 'aws',
    urlSuffix: 'amazonaws.com',
    stackName: 'shop',
    parameters: { Stage: 'prod', Subnets: 'a, b,c', Width: '800' },
    parameterTypes: { Stage: 'String', Subnets: 'CommaDelimitedList', Width: 'Number', NoDefault: 'String' },
    conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'Stage' }, 'prod'] }, IsDev: { 'Fn::Not': [{ Condition: 'IsProd' }] } },
    mappings: { Sizes: { prod: { Width: 1600 }, dev: { Width: 320 } } },
    imports: { 'network-VpcId': 'vpc-123' },
    resource: (id) => resources[id],
    ...over,
  };
}

const r = (value: unknown, over?: Partial<ResolveContext>) => resolveValue(value, context(over));
const fails = (value: unknown, message: RegExp) => expect(() => r(value)).toThrow(message);

describe('pseudo parameters and Ref', () => {
  it.each([
    ['AWS::Region', 'eu-west-1'],
    ['AWS::AccountId', '000000000000'],
    ['AWS::Partition', 'aws'],
    ['AWS::URLSuffix', 'amazonaws.com'],
    ['AWS::StackName', 'shop'],
    ['AWS::NotificationARNs', []],
  ])('Ref %s', (name, value) => expect(r({ Ref: name })).toEqual(value));

  it('AWS::StackId is a stack ARN in the endpoint account and region; AWS::NoValue removes the property', () => {
    expect(r({ Ref: 'AWS::StackId' })).toMatch(/^arn:aws:cloudformation:eu-west-1:000000000000:stack\/shop\//);
    expect(r({ Ref: 'AWS::NoValue' })).toBe(NO_VALUE);
  });

  it('parameters (list parameters split and trimmed), resources, and what is missing', () => {
    expect(r({ Ref: 'Stage' })).toBe('prod');
    expect(r({ Ref: 'Subnets' })).toEqual(['a', 'b', 'c']);
    expect(r({ Ref: 'Images' })).toBe('images-bucket');
    fails({ Ref: 'NoDefault' }, /parameter NoDefault has no Default and no value was given/);
    fails({ Ref: 'Nope' }, /no parameter or resource named Nope/);
    fails({ Ref: 'AWS::Nope' }, /there is no pseudo parameter named AWS::Nope/);
  });
});

describe('Fn::GetAtt', () => {
  it('both forms, and an attribute name given by Ref', () => {
    expect(r({ 'Fn::GetAtt': ['Images', 'Arn'] })).toBe('arn:aws:s3:::images-bucket');
    expect(r({ 'Fn::GetAtt': 'Images.DomainName' })).toBe('images-bucket.s3.amazonaws.com');
    expect(r({ 'Fn::GetAtt': ['Images', { Ref: 'AttrName' }] }, { parameters: { AttrName: 'Arn' }, parameterTypes: { AttrName: 'String' } })).toBe('arn:aws:s3:::images-bucket');
  });
  it('names a missing resource', () => fails({ 'Fn::GetAtt': ['Nope', 'Arn'] }, /Fn::GetAtt Nope\.Arn: no resource named Nope/));
});

describe('Fn::Sub', () => {
  it('the string form with pseudo parameters, parameters, resources and attributes; ${!Literal} stays', () => {
    expect(r({ 'Fn::Sub': 'arn:${AWS::Partition}:states:${AWS::Region}:${AWS::AccountId}:stateMachine:${Stage}-flow' })).toBe(
      'arn:aws:states:eu-west-1:000000000000:stateMachine:prod-flow',
    );
    expect(r({ 'Fn::Sub': '${Images}/${Images.Arn}/${!Literal}' })).toBe('images-bucket/arn:aws:s3:::images-bucket/${Literal}');
  });
  it('the list form, its variables resolved first (nested intrinsics)', () => {
    expect(r({ 'Fn::Sub': ['${Fn}:${Version}', { Fn: { 'Fn::GetAtt': ['Resize', 'Arn'] }, Version: { 'Fn::Join': ['', ['v', { Ref: 'Width' }]] } }] })).toBe(
      'arn:aws:lambda:eu-west-1:000000000000:function:resize-image:v800',
    );
  });
  it('names a variable nothing defines', () => fails({ 'Fn::Sub': 'x-${Missing}' }, /Ref Missing: no parameter or resource named Missing/));
});

describe('lists and strings', () => {
  it('Fn::Join, Fn::Select, Fn::Split, Fn::Length, Fn::ToJsonString', () => {
    expect(r({ 'Fn::Join': ['-', ['a', { Ref: 'Stage' }, 'c']] })).toBe('a-prod-c');
    expect(r({ 'Fn::Join': [',', { Ref: 'Subnets' }] })).toBe('a,b,c');
    expect(r({ 'Fn::Select': ['1', { Ref: 'Subnets' }] })).toBe('b');
    expect(r({ 'Fn::Split': ['/', 'a/b/c'] })).toEqual(['a', 'b', 'c']);
    expect(r({ 'Fn::Length': [1, 2, 3] })).toBe(3);
    expect(JSON.parse(r({ 'Fn::ToJsonString': { stage: { Ref: 'Stage' } } }) as string)).toEqual({ stage: 'prod' });
  });
  it('Fn::Select out of range is named', () => fails({ 'Fn::Select': [5, ['a']] }, /Fn::Select index 5 is outside the list \(1 item\)/));
  it('Fn::Base64 and Fn::GetAZs', () => {
    expect(r({ 'Fn::Base64': { 'Fn::Sub': 'stage=${Stage}' } })).toBe(Buffer.from('stage=prod').toString('base64'));
    const azs = r({ 'Fn::GetAZs': '' }) as string[];
    expect(azs.length).toBeGreaterThan(1);
    expect(azs.every((z) => z.startsWith('eu-west-1'))).toBe(true);
  });
});

describe('conditions and mappings', () => {
  it('Fn::If on Conditions built from Fn::Equals and Fn::Not; Fn::And, Fn::Or', () => {
    expect(r({ 'Fn::If': ['IsProd', 'big', 'small'] })).toBe('big');
    expect(r({ 'Fn::If': ['IsDev', 'big', { Ref: 'AWS::NoValue' }] })).toBe(NO_VALUE);
    const c = context({ conditions: { ...context().conditions, Both: { 'Fn::And': [{ Condition: 'IsProd' }, { 'Fn::Equals': ['800', { Ref: 'Width' }] }] }, Either: { 'Fn::Or': [{ Condition: 'IsDev' }, { Condition: 'IsProd' }] } } });
    expect(evaluateCondition('Both', c)).toBe(true);
    expect(evaluateCondition('Either', c)).toBe(true);
    expect(() => evaluateCondition('Unknown', c)).toThrow(/Unknown/);
  });
  it('Fn::FindInMap, with a Ref key, the DefaultValue extension, and a missing key named', () => {
    expect(r({ 'Fn::FindInMap': ['Sizes', { Ref: 'Stage' }, 'Width'] })).toBe(1600);
    expect(r({ 'Fn::FindInMap': ['Sizes', 'test', 'Width', { DefaultValue: 640 }] })).toBe(640);
    fails({ 'Fn::FindInMap': ['Sizes', 'test', 'Width'] }, /Fn::FindInMap: mapping Sizes has no key test \(keys: prod, dev\)/);
  });
});

describe('Fn::ImportValue', () => {
  it('answers from the imports the configuration gives, and names an export it does not have', () => {
    expect(r({ 'Fn::ImportValue': 'network-VpcId' })).toBe('vpc-123');
    expect(r({ 'Fn::ImportValue': { 'Fn::Sub': 'network-VpcId' } })).toBe('vpc-123');
    const error = (() => {
      try {
        r({ 'Fn::ImportValue': 'billing-TopicArn' });
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ResolveError);
    expect((error as Error).message).toMatch(/^Fn::ImportValue billing-TopicArn: another stack's export, which rehearse cannot read; give its value under imports: in rehearse\.config\.yaml/);
  });
});
