/**
 * The request shape of every operation, in dynalite's validation language:
 * dynalite's own where it has one, extended with the members it drops
 * (`ReturnValuesOnConditionCheckFailure`, `StreamSpecification`, `Tags`,
 * `AttributeDefinitions` on UpdateTable…), and ours for the operations it
 * lacks (TransactWriteItems, TransactGetItems, UpdateTimeToLive). Messages
 * follow DynamoDB's Coral wording: "Value null at 'transactItems.1.member.put.tableName'
 * failed to satisfy constraint: Member must not be null".
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Operations_Amazon_DynamoDB.html
 */
import { validationOf, type ActionValidation, type ValidatedOperation } from './dynalite.ts';

type Types = Record<string, unknown>;

const TABLE_NAME = { type: 'String', notNull: true, regex: '[a-zA-Z0-9_.-]+', lengthGreaterThanOrEqual: 3, lengthLessThanOrEqual: 255 };
const KEY = { type: 'Map<AttributeValue>', notNull: true, children: 'AttrStruct<ValueStruct>' };
const NAMES = { type: 'Map<java.lang.String>', children: 'String' };
const VALUES = { type: 'Map<AttributeValue>', children: 'AttrStruct<ValueStruct>' };
const RETURN_ON_FAILURE = { type: 'String', enum: ['ALL_OLD', 'NONE'] };
const RETURN_CAPACITY = { type: 'String', enum: ['INDEXES', 'TOTAL', 'NONE'] };
const RETURN_METRICS = { type: 'String', enum: ['SIZE', 'NONE'] };
const STREAM_SPECIFICATION = {
  type: 'FieldStruct<StreamSpecification>',
  children: {
    StreamEnabled: { type: 'Boolean', notNull: true },
    StreamViewType: { type: 'String', enum: ['NEW_IMAGE', 'OLD_IMAGE', 'NEW_AND_OLD_IMAGES', 'KEYS_ONLY'] },
  },
};
const SSE_SPECIFICATION = {
  type: 'FieldStruct<SSESpecification>',
  children: { Enabled: 'Boolean', SSEType: { type: 'String', enum: ['AES256', 'KMS'] }, KMSMasterKeyId: 'String' },
};
const TABLE_CLASS = { type: 'String', enum: ['STANDARD', 'STANDARD_INFREQUENT_ACCESS'] };
const TAGS = {
  type: 'List',
  children: {
    type: 'ValueStruct<Tag>',
    children: {
      Key: { type: 'String', notNull: true, lengthGreaterThanOrEqual: 1, lengthLessThanOrEqual: 128 },
      Value: { type: 'String', notNull: true, lengthGreaterThanOrEqual: 0, lengthLessThanOrEqual: 256 },
    },
  },
};
const ATTRIBUTE_DEFINITIONS = {
  type: 'List',
  children: {
    type: 'ValueStruct<AttributeDefinition>',
    children: { AttributeName: { type: 'String', notNull: true }, AttributeType: { type: 'String', notNull: true, enum: ['B', 'N', 'S'] } },
  },
};

function extended(operation: ValidatedOperation, extra: Types, custom?: ActionValidation['custom']): ActionValidation {
  const base = validationOf(operation);
  return { types: { ...structuredClone(base.types), ...extra }, custom: custom ?? base.custom };
}

/** The member shapes of a list's element struct, e.g. GlobalSecondaryIndexUpdates[].Create. */
function memberOf(types: Types, list: string, member: string): Record<string, unknown> {
  const element = (types[list] as { children: { children: Record<string, { children: Record<string, unknown> }> } }).children;
  return element.children[member]!.children;
}

const updateTableSpec = (() => {
  const spec = extended('updateTable', {
    AttributeDefinitions: ATTRIBUTE_DEFINITIONS,
    StreamSpecification: STREAM_SPECIFICATION,
    SSESpecification: SSE_SPECIFICATION,
    TableClass: TABLE_CLASS,
    DeletionProtectionEnabled: 'Boolean',
  });
  // On-demand tables create indexes without throughput: not required, as in AWS.
  delete (memberOf(spec.types, 'GlobalSecondaryIndexUpdates', 'Create').ProvisionedThroughput as Record<string, unknown>).notNull;
  const base = validationOf('updateTable').custom!;
  spec.custom = (data, store) => {
    // dynalite knows no stream, class or deletion-protection changes: those alone are a valid update.
    if (data.StreamSpecification !== undefined || data.TableClass !== undefined || data.DeletionProtectionEnabled !== undefined) {
      const others = ['ProvisionedThroughput', 'BillingMode', 'GlobalSecondaryIndexUpdates', 'SSESpecification'].some((k) => data[k] !== undefined);
      if (!others) return undefined;
    }
    return base(data, store);
  };
  return spec;
})();

/** TransactWriteItems: up to 100 actions, each one of ConditionCheck, Put, Delete, Update. */
const TRANSACT_WRITE_ITEMS: ActionValidation = {
  types: {
    TransactItems: {
      type: 'List',
      notNull: true,
      lengthGreaterThanOrEqual: 1,
      lengthLessThanOrEqual: 100,
      children: {
        type: 'ValueStruct<TransactWriteItem>',
        children: {
          ConditionCheck: {
            type: 'FieldStruct<ConditionCheck>',
            children: {
              Key: KEY,
              TableName: TABLE_NAME,
              ConditionExpression: { type: 'String', notNull: true },
              ExpressionAttributeNames: NAMES,
              ExpressionAttributeValues: VALUES,
              ReturnValuesOnConditionCheckFailure: RETURN_ON_FAILURE,
            },
          },
          Put: {
            type: 'FieldStruct<Put>',
            children: {
              Item: KEY,
              TableName: TABLE_NAME,
              ConditionExpression: 'String',
              ExpressionAttributeNames: NAMES,
              ExpressionAttributeValues: VALUES,
              ReturnValuesOnConditionCheckFailure: RETURN_ON_FAILURE,
            },
          },
          Delete: {
            type: 'FieldStruct<Delete>',
            children: {
              Key: KEY,
              TableName: TABLE_NAME,
              ConditionExpression: 'String',
              ExpressionAttributeNames: NAMES,
              ExpressionAttributeValues: VALUES,
              ReturnValuesOnConditionCheckFailure: RETURN_ON_FAILURE,
            },
          },
          Update: {
            type: 'FieldStruct<Update>',
            children: {
              Key: KEY,
              UpdateExpression: { type: 'String', notNull: true },
              TableName: TABLE_NAME,
              ConditionExpression: 'String',
              ExpressionAttributeNames: NAMES,
              ExpressionAttributeValues: VALUES,
              ReturnValuesOnConditionCheckFailure: RETURN_ON_FAILURE,
            },
          },
        },
      },
    },
    ReturnConsumedCapacity: RETURN_CAPACITY,
    ReturnItemCollectionMetrics: RETURN_METRICS,
    ClientRequestToken: { type: 'String', lengthGreaterThanOrEqual: 1, lengthLessThanOrEqual: 36 },
  },
};

/** TransactGetItems: up to 100 Gets. */
const TRANSACT_GET_ITEMS: ActionValidation = {
  types: {
    TransactItems: {
      type: 'List',
      notNull: true,
      lengthGreaterThanOrEqual: 1,
      lengthLessThanOrEqual: 100,
      children: {
        type: 'ValueStruct<TransactGetItem>',
        children: {
          Get: {
            type: 'FieldStruct<Get>',
            notNull: true,
            children: { Key: KEY, TableName: TABLE_NAME, ProjectionExpression: 'String', ExpressionAttributeNames: NAMES },
          },
        },
      },
    },
    ReturnConsumedCapacity: RETURN_CAPACITY,
  },
};

const UPDATE_TIME_TO_LIVE: ActionValidation = {
  types: {
    TableName: TABLE_NAME,
    TimeToLiveSpecification: {
      type: 'FieldStruct<TimeToLiveSpecification>',
      notNull: true,
      children: {
        AttributeName: { type: 'String', notNull: true, lengthGreaterThanOrEqual: 1, lengthLessThanOrEqual: 255 },
        Enabled: { type: 'Boolean', notNull: true },
      },
    },
  },
};

export const REQUESTS = {
  GetItem: validationOf('getItem'),
  PutItem: extended('putItem', { ReturnValuesOnConditionCheckFailure: RETURN_ON_FAILURE }),
  UpdateItem: extended('updateItem', { ReturnValuesOnConditionCheckFailure: RETURN_ON_FAILURE }),
  DeleteItem: extended('deleteItem', { ReturnValuesOnConditionCheckFailure: RETURN_ON_FAILURE }),
  Query: validationOf('query'),
  Scan: validationOf('scan'),
  BatchGetItem: validationOf('batchGetItem'),
  BatchWriteItem: validationOf('batchWriteItem'),
  CreateTable: extended('createTable', {
    StreamSpecification: STREAM_SPECIFICATION,
    SSESpecification: SSE_SPECIFICATION,
    TableClass: TABLE_CLASS,
    DeletionProtectionEnabled: 'Boolean',
    Tags: TAGS,
  }),
  UpdateTable: updateTableSpec,
  DeleteTable: validationOf('deleteTable'),
  DescribeTable: validationOf('describeTable'),
  ListTables: validationOf('listTables'),
  DescribeTimeToLive: validationOf('describeTimeToLive'),
  UpdateTimeToLive: UPDATE_TIME_TO_LIVE,
  TagResource: validationOf('tagResource'),
  UntagResource: validationOf('untagResource'),
  ListTagsOfResource: validationOf('listTagsOfResource'),
  TransactWriteItems: TRANSACT_WRITE_ITEMS,
  TransactGetItems: TRANSACT_GET_ITEMS,
} satisfies Record<string, ActionValidation>;

/** The validation of one transaction action's own members (dynalite's PutItem/UpdateItem/DeleteItem/GetItem rules). */
export const TRANSACT_ACTIONS = {
  Put: REQUESTS.PutItem,
  Update: REQUESTS.UpdateItem,
  Delete: REQUESTS.DeleteItem,
  // A condition check validates like a DeleteItem: a key and a condition expression.
  ConditionCheck: REQUESTS.DeleteItem,
  Get: REQUESTS.GetItem,
} satisfies Record<string, ActionValidation>;
