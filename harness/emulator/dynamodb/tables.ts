/**
 * Table records and their descriptions. dynalite stores a table as its
 * TableDescription; we build that record here (CreateTable, UpdateTable's
 * index and stream changes) from the Clock and the seeded ids, and shape what
 * DescribeTable returns: live item counts, our own members (TTL, tags) left
 * out, the status the calling operation reports.
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TableDescription.html
 */
import type { IdSource } from '../../core/index.ts';
import { itemSize, type SecondaryIndex, type TableRecord } from './dynalite.ts';
import type { DynamoDbStore } from './models.ts';

export interface TableNaming {
  region: string;
  accountId: string;
}

export function tableArn(naming: TableNaming, name: string): string {
  return `arn:aws:dynamodb:${naming.region}:${naming.accountId}:table/${name}`;
}

/** Throughput as DynamoDB reports it: on-demand tables and their indexes show 0/0. */
function throughput(given: Record<string, unknown> | undefined): Record<string, number> {
  return {
    NumberOfDecreasesToday: 0,
    ReadCapacityUnits: Number(given?.ReadCapacityUnits ?? 0),
    WriteCapacityUnits: Number(given?.WriteCapacityUnits ?? 0),
  };
}

export function indexRecord(naming: TableNaming, table: string, index: Record<string, unknown>, global: boolean): SecondaryIndex {
  return {
    IndexName: index.IndexName as string,
    KeySchema: index.KeySchema as SecondaryIndex['KeySchema'],
    Projection: index.Projection as SecondaryIndex['Projection'],
    ...(global ? { IndexStatus: 'ACTIVE', ProvisionedThroughput: throughput(index.ProvisionedThroughput as Record<string, unknown> | undefined) } : {}),
    IndexSizeBytes: 0,
    ItemCount: 0,
    IndexArn: `${tableArn(naming, table)}/index/${index.IndexName as string}`,
  };
}

/** A stream's label is its creation time (ISO 8601 without the zone), its ARN the table's plus `/stream/<label>`. */
export function enableStream(table: TableRecord, viewType: string | undefined, now: number): void {
  const label = new Date(now).toISOString().slice(0, -1);
  table.StreamSpecification = { StreamEnabled: true, ...(viewType ? { StreamViewType: viewType } : {}) };
  table.LatestStreamLabel = label;
  table.LatestStreamArn = `${table.TableArn}/stream/${label}`;
}

/** The record CreateTable stores (validated input), ACTIVE at once: no table waits on any clock. */
export function newTable(naming: TableNaming, input: Record<string, unknown>, now: number, ids: IdSource): TableRecord {
  const name = input.TableName as string;
  const onDemand = input.BillingMode === 'PAY_PER_REQUEST';
  const table: TableRecord = {
    TableName: name,
    TableArn: tableArn(naming, name),
    TableId: ids.uuid(),
    TableStatus: 'ACTIVE',
    KeySchema: input.KeySchema as TableRecord['KeySchema'],
    AttributeDefinitions: input.AttributeDefinitions as TableRecord['AttributeDefinitions'],
    CreationDateTime: now / 1000,
    ItemCount: 0,
    TableSizeBytes: 0,
    ProvisionedThroughput: throughput(onDemand ? undefined : (input.ProvisionedThroughput as Record<string, unknown>)),
    ...(onDemand ? { BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST', LastUpdateToPayPerRequestDateTime: now / 1000 } } : {}),
    DeletionProtectionEnabled: input.DeletionProtectionEnabled === true,
  };
  const lsis = input.LocalSecondaryIndexes as Array<Record<string, unknown>> | undefined;
  const gsis = input.GlobalSecondaryIndexes as Array<Record<string, unknown>> | undefined;
  if (lsis) table.LocalSecondaryIndexes = lsis.map((i) => indexRecord(naming, name, i, false));
  if (gsis) table.GlobalSecondaryIndexes = gsis.map((i) => indexRecord(naming, name, i, true));
  const stream = input.StreamSpecification as { StreamEnabled?: boolean; StreamViewType?: string } | undefined;
  if (stream?.StreamEnabled) enableStream(table, stream.StreamViewType, now);
  const sse = input.SSESpecification as { Enabled?: boolean; KMSMasterKeyId?: string } | undefined;
  if (sse?.Enabled) {
    table.SSEDescription = { Status: 'ENABLED', SSEType: 'KMS', KMSMasterKeyArn: sse.KMSMasterKeyId ?? `arn:aws:kms:${naming.region}:${naming.accountId}:key/${ids.uuid()}` };
  }
  if (typeof input.TableClass === 'string') table.TableClassSummary = { TableClass: input.TableClass };
  const tags = input.Tags as TableRecord['Tags'];
  if (tags?.length) table.Tags = tags;
  return table;
}

/**
 * What DescribeTable (and the TableDescription of CreateTable, UpdateTable,
 * DeleteTable) returns. AWS refreshes ItemCount and TableSizeBytes about every
 * six hours; we count at once, which is what a test expects to read.
 * `status` is what the calling operation reports (CREATING, UPDATING,
 * DELETING), the stored table being ACTIVE already.
 */
export async function describe(store: DynamoDbStore, table: TableRecord, status?: string): Promise<Record<string, unknown>> {
  const { Ttl: _ttl, Tags: _tags, TableThroughputModeSummary: _mode, ...description } = structuredClone(table) as TableRecord & Record<string, unknown>;
  let count = 0;
  let bytes = 0;
  if (status !== 'CREATING') {
    for await (const [, item] of store.items(table.TableName)) {
      count++;
      bytes += itemSize(item);
    }
  }
  description.ItemCount = count;
  description.TableSizeBytes = bytes;
  for (const [kind, list] of [['local', description.LocalSecondaryIndexes], ['global', description.GlobalSecondaryIndexes]] as const) {
    for (const index of list ?? []) {
      index.ItemCount = status === 'CREATING' ? 0 : await store.count(store.indexPrefix(kind, table.TableName, index.IndexName));
      if (status === 'CREATING' && kind === 'global') index.IndexStatus = 'CREATING';
    }
  }
  if (status) description.TableStatus = status;
  return description;
}
