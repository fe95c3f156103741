/** fieldValidationMode against an API model (a small hand-written one, in botocore's format). */
import { describe, expect, it } from 'vitest';
import { operationOf, validateMockResult } from '../../../harness/emulator/stepfunctions/mock-validation.ts';
import type { ServiceModel, ServiceModels } from '../../../harness/emulator/stepfunctions/service-models.ts';

const model: ServiceModel = {
  operations: { DoThing: { output: { shape: 'DoThingOutput' } }, Invoke: { output: { shape: 'InvokeOutput' } } },
  shapes: {
    DoThingOutput: { type: 'structure', required: ['thingArn'], members: { thingArn: { shape: 'Str' }, items: { shape: 'Items' }, size: { shape: 'Size' }, kind: { shape: 'Kind' }, at: { shape: 'Ts' } } },
    Items: { type: 'list', member: { shape: 'Item' } },
    Item: { type: 'structure', members: { Id: { shape: 'Str' } } },
    Str: { type: 'string', min: 1 },
    Size: { type: 'integer', min: 128, max: 10240 },
    Kind: { type: 'string', enum: ['A', 'B'] },
    Ts: { type: 'timestamp' },
    InvokeOutput: { type: 'structure', members: { StatusCode: { shape: 'Int' }, Payload: { shape: 'Blob' } } },
    Int: { type: 'integer' },
    Blob: { type: 'blob' },
  },
};
const models: ServiceModels = { source: 'test', service: (n) => (n === 'thing' || n === 'lambda' ? model : undefined) };
const check = (value: unknown, mode: 'STRICT' | 'PRESENT' = 'STRICT', resource = 'arn:aws:states:::aws-sdk:thing:doThing') => validateMockResult(models, resource, value, mode);

describe('validateMockResult', () => {
  it('STRICT needs every required field, by its Step Functions name; PRESENT does not', () => {
    expect(check({})).toBe("Required field 'ThingArn' is missing");
    expect(check({ thingArn: 'x' })).toBe("Required field 'ThingArn' is missing");
    expect(check({}, 'PRESENT')).toBeUndefined();
    expect(check({ ThingArn: 'x', unknown: [1] })).toBeUndefined();
  });

  it('checks types, enums, lengths and ranges of the fields given, list items under the list member names', () => {
    expect(check({ ThingArn: '' })).toBe("Field 'ThingArn' is smaller than the minimum length");
    expect(check({ ThingArn: 'x', Size: 127 })).toBe("Field 'Size' is less than the minimum value");
    expect(check({ ThingArn: 'x', Size: 10241 })).toBe("Field 'Size' exceeds the maximum value");
    expect(check({ ThingArn: 'x', Size: '200' })).toBe("Field 'Size' must be a number");
    expect(check({ ThingArn: 'x', Kind: 'C' })).toBe("Field 'Kind' is not an expected value");
    expect(check({ ThingArn: 'x', At: 17 })).toBe("Field 'At' must be a string");
    expect(check({ ThingArn: 'x', Items: {} })).toBe("Field 'Items' must be an array");
    expect(check({ ThingArn: 'x', Items: [{ Id: 'a' }, { Id: ['b'] }] })).toBe("Field 'Id' must be a string");
  });

  it("accepts any JSON as lambda:invoke's Payload (Step Functions parses it), but checks the other fields", () => {
    expect(check({ StatusCode: 200, Payload: { any: 'json' } }, 'STRICT', 'arn:aws:states:::lambda:invoke')).toBeUndefined();
    expect(check({ StatusCode: '200' }, 'STRICT', 'arn:aws:states:::lambda:invoke')).toBe("Field 'StatusCode' must be a number");
  });

  it('has no model to check for function ARNs, .sync, .waitForTaskToken and HTTP tasks', () => {
    for (const r of ['arn:aws:lambda:us-east-1:123456789012:function:f', 'arn:aws:states:::states:startExecution.sync:2', 'arn:aws:states:::sqs:sendMessage.waitForTaskToken', 'arn:aws:states:::http:invoke']) {
      expect(operationOf(r), r).toBeUndefined();
    }
    expect(operationOf('arn:aws:states:::aws-sdk:s3:getObject')).toEqual({ service: 's3', operation: 'GetObject' });
    expect(operationOf('arn:aws:states:::events:putEvents')).toEqual({ service: 'eventbridge', operation: 'PutEvents' });
  });
});
