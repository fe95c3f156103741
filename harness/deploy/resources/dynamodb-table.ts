/**
 * AWS::DynamoDB::Table and AWS::Serverless::SimpleTable: created if missing;
 * on a redeploy, global secondary indexes, billing and TTL follow the
 * template, and a changed key schema or set of local indexes replaces the
 * table, as CloudFormation does (its items are gone). `Ref` is the table
 * name, `Fn::GetAtt` gives `Arn` and `StreamArn`.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-dynamodb-table.html
 * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-resource-simpletable.html
 */
import {
  CreateTableCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ListTablesCommand,
  ResourceNotFoundException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  type AttributeDefinition,
  type CreateTableCommandInput,
  type GlobalSecondaryIndex,
  type KeySchemaElement,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import type { PhysicalResource, ResolveContext } from '../intrinsics.ts';
import { isObj, type Obj } from '../template.ts';
import type { ResourceInput, ResourceModule } from './types.ts';
import { everyName } from './listing.ts';

export interface TableSpec {
  logicalId: string;
  type: string;
  /** CreateTable's input, as the template describes the table. */
  create: CreateTableCommandInput & { TableName: string };
  ttl?: { AttributeName: string; Enabled: boolean };
}

const TABLE_NAME = /^[a-zA-Z0-9_.-]{3,255}$/;
const SIMPLE_TYPES: Record<string, 'S' | 'N' | 'B'> = { String: 'S', Number: 'N', Binary: 'B' };

function tablePhysical(name: string, c: ResolveContext, streamArn?: string): PhysicalResource {
  const arn = `arn:${c.partition}:dynamodb:${c.region}:${c.accountId}:table/${name}`;
  // Before the table exists its stream label (its creation time) is unknown.
  return { ref: name, attributes: { Arn: arn, StreamArn: streamArn ?? `${arn}/stream/1970-01-01T00:00:00.000` } };
}

/** CloudFormation's `Tags` list, or SAM's `Tags` map. */
function tagsOf(value: unknown): Array<{ Key: string; Value: string }> | undefined {
  if (Array.isArray(value)) return value.filter(isObj).map((t) => ({ Key: String(t.Key), Value: String(t.Value) }));
  if (isObj(value)) return Object.entries(value).map(([Key, v]) => ({ Key, Value: String(v) }));
  return undefined;
}

function throughput(value: unknown): { ReadCapacityUnits: number; WriteCapacityUnits: number } | undefined {
  if (!isObj(value)) return undefined;
  return { ReadCapacityUnits: Number(value.ReadCapacityUnits), WriteCapacityUnits: Number(value.WriteCapacityUnits) };
}

function readTable(input: ResourceInput): TableSpec['create'] | undefined {
  const p = input.properties;
  const keySchema = p.KeySchema as KeySchemaElement[] | undefined;
  const definitions = p.AttributeDefinitions as AttributeDefinition[] | undefined;
  if (!Array.isArray(keySchema) || keySchema.length === 0) {
    if (!input.unresolved.has('KeySchema')) input.problem('KeySchema is required: the table\'s HASH key (and RANGE key)', 'Properties.KeySchema');
    return undefined;
  }
  if (!Array.isArray(definitions) && !input.unresolved.has('AttributeDefinitions')) {
    input.problem('AttributeDefinitions is required: a type (S, N or B) for every key attribute', 'Properties.AttributeDefinitions');
    return undefined;
  }
  const onDemand = p.BillingMode === 'PAY_PER_REQUEST';
  const stream = isObj(p.StreamSpecification) ? (p.StreamSpecification as Obj) : undefined;
  const sse = isObj(p.SSESpecification) ? (p.SSESpecification as Obj) : undefined;
  const gsis = Array.isArray(p.GlobalSecondaryIndexes) ? (p.GlobalSecondaryIndexes as Obj[]) : undefined;
  return {
    TableName: '',
    KeySchema: keySchema,
    AttributeDefinitions: definitions ?? [],
    BillingMode: onDemand ? 'PAY_PER_REQUEST' : 'PROVISIONED',
    ...(onDemand ? {} : { ProvisionedThroughput: throughput(p.ProvisionedThroughput) ?? { ReadCapacityUnits: 5, WriteCapacityUnits: 5 } }),
    ...(gsis ? { GlobalSecondaryIndexes: gsis.map((g) => ({ ...(g as unknown as GlobalSecondaryIndex), ...(onDemand ? { ProvisionedThroughput: undefined } : {}) })) } : {}),
    ...(Array.isArray(p.LocalSecondaryIndexes) ? { LocalSecondaryIndexes: p.LocalSecondaryIndexes as never } : {}),
    // CloudFormation's StreamSpecification has only StreamViewType: giving it enables the stream.
    ...(stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: stream.StreamViewType as never } } : {}),
    ...(sse ? { SSESpecification: { Enabled: sse.SSEEnabled === true || sse.SSEEnabled === 'true', ...(sse.SSEType ? { SSEType: sse.SSEType as never } : {}), ...(sse.KMSMasterKeyId ? { KMSMasterKeyId: String(sse.KMSMasterKeyId) } : {}) } } : {}),
    ...(typeof p.TableClass === 'string' ? { TableClass: p.TableClass as never } : {}),
    ...(p.DeletionProtectionEnabled === true || p.DeletionProtectionEnabled === 'true' ? { DeletionProtectionEnabled: true } : {}),
  };
}

/** SAM's SimpleTable: one primary key (default `id` String), on-demand unless ProvisionedThroughput is given. */
function readSimpleTable(input: ResourceInput): TableSpec['create'] | undefined {
  const p = input.properties;
  const key = isObj(p.PrimaryKey) ? p.PrimaryKey : { Name: 'id', Type: 'String' };
  const type = SIMPLE_TYPES[String(key.Type)];
  if (typeof key.Name !== 'string' || !type) {
    input.problem(`PrimaryKey needs Name and Type (String, Number or Binary), got ${JSON.stringify(p.PrimaryKey)}`, 'Properties.PrimaryKey');
    return undefined;
  }
  const provisioned = throughput(p.ProvisionedThroughput);
  const sse = isObj(p.SSESpecification) ? p.SSESpecification : undefined;
  return {
    TableName: '',
    KeySchema: [{ AttributeName: key.Name, KeyType: 'HASH' }],
    AttributeDefinitions: [{ AttributeName: key.Name, AttributeType: type }],
    ...(provisioned ? { BillingMode: 'PROVISIONED', ProvisionedThroughput: provisioned } : { BillingMode: 'PAY_PER_REQUEST' }),
    ...(sse ? { SSESpecification: { Enabled: sse.SSEEnabled === true || sse.SSEEnabled === 'true' } } : {}),
  };
}

function sameKeys(table: TableDescription, want: CreateTableCommandInput): boolean {
  const keys = (k: KeySchemaElement[] | undefined) => JSON.stringify((k ?? []).map((e) => [e.AttributeName, e.KeyType]));
  const types = (names: KeySchemaElement[] | undefined, defs: AttributeDefinition[] | undefined) =>
    JSON.stringify((names ?? []).map((k) => defs?.find((d) => d.AttributeName === k.AttributeName)?.AttributeType));
  const lsis = (l: Array<{ IndexName?: string; KeySchema?: KeySchemaElement[] }> | undefined) =>
    JSON.stringify((l ?? []).map((i) => [i.IndexName, keys(i.KeySchema)]).sort());
  return (
    keys(table.KeySchema) === keys(want.KeySchema) &&
    types(table.KeySchema, table.AttributeDefinitions) === types(want.KeySchema, want.AttributeDefinitions) &&
    lsis(table.LocalSecondaryIndexes) === lsis(want.LocalSecondaryIndexes)
  );
}

/** Every table's name (ListTables, all pages). */
function tableNames(ddb: DynamoDBClient): Promise<Set<string>> {
  return everyName((ExclusiveStartTableName) => ddb.send(new ListTablesCommand({ ExclusiveStartTableName })), (p) => p.LastEvaluatedTableName, (p) => p.TableNames);
}

async function describe(ddb: DynamoDBClient, name: string): Promise<TableDescription | undefined> {
  try {
    return (await ddb.send(new DescribeTableCommand({ TableName: name }))).Table;
  } catch (e) {
    if (e instanceof ResourceNotFoundException) return undefined;
    throw e;
  }
}

export const dynamoDbTable: ResourceModule<TableSpec> = {
  types: ['AWS::DynamoDB::Table', 'AWS::Serverless::SimpleTable'],
  properties: [
    'TableName', 'KeySchema', 'AttributeDefinitions', 'BillingMode', 'ProvisionedThroughput', 'GlobalSecondaryIndexes', 'LocalSecondaryIndexes',
    'StreamSpecification', 'TimeToLiveSpecification', 'SSESpecification', 'TableClass', 'DeletionProtectionEnabled', 'Tags', 'PrimaryKey',
  ],
  read(input) {
    const create = input.type === 'AWS::Serverless::SimpleTable' ? readSimpleTable(input) : readTable(input);
    if (!create) return undefined;
    const given = input.properties.TableName;
    // CloudFormation generates `<stack>-<LogicalId>-<random>`; the logical id keeps local names readable and stable.
    const name = typeof given === 'string' ? given : input.logicalId;
    if (!TABLE_NAME.test(name)) input.problem(`TableName must be 3–255 letters, digits, '_', '-' or '.', got ${JSON.stringify(name)}`, 'Properties.TableName');
    create.TableName = name;
    const tags = tagsOf(input.properties.Tags);
    if (tags?.length) create.Tags = tags;
    const ttl = input.properties.TimeToLiveSpecification;
    const spec: TableSpec = { logicalId: input.logicalId, type: input.type, create };
    if (isObj(ttl) && typeof ttl.AttributeName === 'string') spec.ttl = { AttributeName: ttl.AttributeName, Enabled: ttl.Enabled === true || ttl.Enabled === 'true' };
    return spec;
  },
  physical: (spec, c) => tablePhysical(spec.create.TableName, c),
  async deploy(spec, scope) {
    const ddb = scope.client('dynamodb', (config) => new DynamoDBClient(config));
    const name = spec.create.TableName;
    // Described only when a table of that name was there before this deployment.
    let table = (await scope.before('dynamodb:tables', () => tableNames(ddb))).has(name) ? await describe(ddb, name) : undefined;
    let action: 'created' | 'updated' | 'unchanged' = 'unchanged';
    const details: string[] = [];
    if (table && !sameKeys(table, spec.create)) {
      await ddb.send(new DeleteTableCommand({ TableName: name }));
      table = undefined;
      details.push('replaced: its key schema or local indexes changed (CloudFormation replaces the table; its items are gone)');
    }
    if (!table) {
      table = (await ddb.send(new CreateTableCommand(spec.create))).TableDescription;
      action = details.length ? 'updated' : 'created';
    } else {
      const want = new Map((spec.create.GlobalSecondaryIndexes ?? []).map((g) => [g.IndexName!, g]));
      const have = new Set((table.GlobalSecondaryIndexes ?? []).map((g) => g.IndexName!));
      for (const index of have) {
        if (want.has(index)) continue;
        await ddb.send(new UpdateTableCommand({ TableName: name, GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: index } }] }));
        details.push(`index ${index} removed`);
      }
      for (const [index, g] of want) {
        if (have.has(index)) continue;
        await ddb.send(new UpdateTableCommand({ TableName: name, AttributeDefinitions: spec.create.AttributeDefinitions, GlobalSecondaryIndexUpdates: [{ Create: g }] }));
        details.push(`index ${index} added`);
      }
      const billing = table.BillingModeSummary?.BillingMode ?? 'PROVISIONED';
      if (billing !== spec.create.BillingMode) {
        await ddb.send(new UpdateTableCommand({ TableName: name, BillingMode: spec.create.BillingMode, ...(spec.create.ProvisionedThroughput ? { ProvisionedThroughput: spec.create.ProvisionedThroughput } : {}) }));
        details.push(`billing mode ${spec.create.BillingMode}`);
      }
      if (details.length) action = 'updated';
    }
    if (spec.ttl) {
      const current = (await ddb.send(new DescribeTimeToLiveCommand({ TableName: name }))).TimeToLiveDescription;
      const enabled = current?.TimeToLiveStatus === 'ENABLED';
      if (enabled && (!spec.ttl.Enabled || current?.AttributeName !== spec.ttl.AttributeName)) {
        await ddb.send(new UpdateTimeToLiveCommand({ TableName: name, TimeToLiveSpecification: { AttributeName: current!.AttributeName!, Enabled: false } }));
      }
      if (spec.ttl.Enabled && (!enabled || current?.AttributeName !== spec.ttl.AttributeName)) {
        await ddb.send(new UpdateTimeToLiveCommand({ TableName: name, TimeToLiveSpecification: spec.ttl }));
        if (action === 'unchanged') action = 'updated';
        details.push(`TTL on ${spec.ttl.AttributeName}`);
      }
    }
    scope.change({ type: spec.type, logicalId: spec.logicalId, physicalId: name, action, ...(details.length ? { detail: details.join('; ') } : {}) });
    return tablePhysical(name, scope.ctx, table?.LatestStreamArn);
  },
};
