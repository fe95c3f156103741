/**
 * DynamoDB operations (API version 2012-08-10). Each validates its input with
 * dynalite's rules (requests.ts), then either runs dynalite's action (the item
 * and query operations) or ours (tables, TTL, tags, transactions, BatchGetItem
 * in request order). Every write holds its table's lock (models.ts), so a
 * transaction's check-then-apply never interleaves with another write.
 * https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Operations_Amazon_DynamoDB.html
 */
import type { ServiceDeps } from '../service-deps.ts';
import { createKey, runAction, validate, validateKey, type ActionValidation, type Item, type ItemAction, type TableRecord } from './dynalite.ts';
import { getItem, putItem } from './item-actions.ts';
import { ConditionalCheckFailedException, ResourceInUseException, ResourceNotFoundException, ValidationException, fromDynalite, isDynaliteError } from './errors.ts';
import type { DynamoDbStore } from './models.ts';
import { REQUESTS } from './requests.ts';
import { describe, enableStream, indexRecord, newTable } from './tables.ts';
import { transactGetItems, transactWriteItems } from './transactions.ts';
import type { TimeToLive } from './ttl.ts';

type Input = Record<string, unknown>;
type Output = Promise<Record<string, unknown>>;

const notFound = (name: string) => ResourceNotFoundException(`Requested resource not found: Table: ${name} not found`);

export class DynamoDbOperations {
  constructor(
    private readonly deps: ServiceDeps,
    private readonly store: DynamoDbStore,
    private readonly ttl: TimeToLive,
  ) {}

  private validate(spec: ActionValidation, input: Input): Input {
    try {
      return validate(spec, input, this.store.engine);
    } catch (e) {
      throw fromDynalite(e);
    }
  }

  private async run(action: ItemAction, data: Input): Output {
    try {
      return await runAction(action, this.store.engine, data);
    } catch (e) {
      throw fromDynalite(e);
    }
  }

  private async table(name: string): Promise<TableRecord> {
    try {
      return await this.store.activeTable(name);
    } catch (e) {
      throw fromDynalite(e);
    }
  }

  private async existingTable(name: string): Promise<TableRecord> {
    const table = await this.store.findTable(name);
    if (!table) throw notFound(name);
    return table;
  }

  /** Housekeeping AWS does in the background, done before each request: TTL expiry (ttl.ts); undefined when there is none to do. */
  beforeEach(): Promise<void> | undefined {
    return this.ttl.sweepIfDue();
  }

  // ── items ────────────────────────────────────────────────────────────────

  async GetItem(input: Input): Output {
    const data = this.validate(REQUESTS.GetItem, input);
    const table = await this.table(data.TableName as string);
    try {
      return await getItem(this.store.engine, table, data);
    } catch (e) {
      throw fromDynalite(e);
    }
  }

  PutItem(input: Input): Output {
    return this.writeItem('putItem', this.validate(REQUESTS.PutItem, input), (data) => data.Item as Item);
  }

  UpdateItem(input: Input): Output {
    return this.writeItem('updateItem', this.validate(REQUESTS.UpdateItem, input), (data) => data.Key as Item);
  }

  DeleteItem(input: Input): Output {
    return this.writeItem('deleteItem', this.validate(REQUESTS.DeleteItem, input), (data) => data.Key as Item);
  }

  /** One item write under its table's lock; a failed condition carries the item when asked (ReturnValuesOnConditionCheckFailure). */
  private async writeItem(action: 'putItem' | 'updateItem' | 'deleteItem', data: Input, target: (data: Input) => Item): Output {
    const name = data.TableName as string;
    return this.store.withTables([name], async () => {
      const table = await this.table(name);
      let out: Record<string, unknown>;
      try {
        out = action === 'putItem' ? await putItem(this.store.engine, table, data) : await runAction(action, this.store.engine, data);
      } catch (e) {
        if (isDynaliteError(e) && e.body.__type.endsWith('#ConditionalCheckFailedException')) {
          const item = data.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' ? await this.store.getItem(name, createKey(target(data), table)) : undefined;
          throw ConditionalCheckFailedException(item);
        }
        throw fromDynalite(e);
      }
      if (table.Ttl?.Enabled) {
        const key = createKey(target(data), table);
        this.ttl.noteWritten(table, key, action === 'deleteItem' ? undefined : action === 'putItem' ? (data.Item as Item) : await this.store.getItem(name, key));
      }
      return out;
    });
  }

  async Query(input: Input): Output {
    return this.run('query', this.validate(REQUESTS.Query, input));
  }

  async Scan(input: Input): Output {
    return this.run('scan', this.validate(REQUESTS.Scan, input));
  }

  /** Answers in request order (dynalite shuffles with Math.random; AWS promises no order, we promise the same one every run). */
  async BatchGetItem(input: Input): Output {
    const data = this.validate(REQUESTS.BatchGetItem, input);
    const requests = data.RequestItems as Record<string, Input & { Keys: Item[] }>;
    const responses: Record<string, Item[]> = {};
    const capacity: Array<Record<string, unknown>> = [];
    for (const [name, request] of Object.entries(requests)) {
      const table = await this.table(name);
      for (const key of request.Keys) {
        const invalid = validateKey(key, table);
        if (invalid) throw fromDynalite(invalid);
      }
      const items: Item[] = [];
      let units = 0;
      for (const key of request.Keys) {
        const out = await this.run('getItem', {
          TableName: name,
          Key: key,
          ...(request._projection ? { _projection: request._projection } : {}),
          ...(request.AttributesToGet ? { AttributesToGet: request.AttributesToGet } : {}),
          ...(request.ConsistentRead ? { ConsistentRead: request.ConsistentRead } : {}),
          ...(data.ReturnConsumedCapacity ? { ReturnConsumedCapacity: data.ReturnConsumedCapacity } : {}),
        });
        if (out.Item) items.push(out.Item as Item);
        units += Number((out.ConsumedCapacity as { CapacityUnits?: number } | undefined)?.CapacityUnits ?? 0);
      }
      responses[name] = items;
      if (data.ReturnConsumedCapacity === 'TOTAL' || data.ReturnConsumedCapacity === 'INDEXES') {
        capacity.push({ TableName: name, CapacityUnits: units, ...(data.ReturnConsumedCapacity === 'INDEXES' ? { Table: { CapacityUnits: units } } : {}) });
      }
    }
    return { Responses: responses, UnprocessedKeys: {}, ...(capacity.length ? { ConsumedCapacity: capacity } : {}) };
  }

  async BatchWriteItem(input: Input): Output {
    const data = this.validate(REQUESTS.BatchWriteItem, input);
    const requests = data.RequestItems as Record<string, Array<{ PutRequest?: { Item: Item }; DeleteRequest?: { Key: Item } }>>;
    return this.store.withTables(Object.keys(requests), async () => {
      const out = await this.run('batchWriteItem', data);
      for (const [name, list] of Object.entries(requests)) {
        const table = await this.table(name);
        if (!table.Ttl?.Enabled) continue;
        for (const r of list) {
          const item = r.PutRequest?.Item;
          this.ttl.noteWritten(table, createKey(item ?? r.DeleteRequest!.Key, table), item);
        }
      }
      return out;
    });
  }

  TransactWriteItems(input: Input): Output {
    return transactWriteItems(this.transactionDeps(), this.validate(REQUESTS.TransactWriteItems, input), input);
  }

  TransactGetItems(input: Input): Output {
    return transactGetItems(this.transactionDeps(), this.validate(REQUESTS.TransactGetItems, input));
  }

  private transactionDeps() {
    return { store: this.store, ttl: this.ttl, clock: this.deps.clock };
  }

  // ── tables ───────────────────────────────────────────────────────────────

  async CreateTable(input: Input): Output {
    const data = this.validate(REQUESTS.CreateTable, input);
    const name = data.TableName as string;
    return this.store.withTables([name], async () => {
      if (await this.store.findTable(name)) throw ResourceInUseException(`Table already exists: ${name}`);
      const table = newTable(this.deps, data, this.deps.clock.now(), this.deps.ids);
      await this.store.putTable(table);
      return { TableDescription: await describe(this.store, table, 'CREATING') };
    });
  }

  async DescribeTable(input: Input): Output {
    const data = this.validate(REQUESTS.DescribeTable, input);
    return { Table: await describe(this.store, await this.existingTable(data.TableName as string)) };
  }

  async ListTables(input: Input): Output {
    const data = this.validate(REQUESTS.ListTables, input);
    const limit = (data.Limit as number | undefined) ?? 100;
    const names = await this.store.tableNames(data.ExclusiveStartTableName as string | undefined);
    const page = names.slice(0, limit);
    return { TableNames: page, ...(names.length > limit ? { LastEvaluatedTableName: page[page.length - 1] } : {}) };
  }

  async DeleteTable(input: Input): Output {
    const data = this.validate(REQUESTS.DeleteTable, input);
    const name = data.TableName as string;
    return this.store.withTables([name], async () => {
      const table = await this.existingTable(name);
      if (table.DeletionProtectionEnabled) {
        throw ValidationException('Resource cannot be deleted as it is currently protected against deletion. Disable deletion protection first.');
      }
      const description = await describe(this.store, table, 'DELETING');
      await this.store.dropTable(table);
      this.ttl.forget(name);
      return { TableDescription: description };
    });
  }

  /**
   * Billing mode, throughput, GSIs (Create is backfilled from the items at once,
   * Delete drops the index), streams, deletion protection and table class. AWS
   * answers UPDATING and finishes later; the stored table is ACTIVE already.
   */
  async UpdateTable(input: Input): Output {
    const data = this.validate(REQUESTS.UpdateTable, input);
    const name = data.TableName as string;
    return this.store.withTables([name], async () => {
      const table = structuredClone(await this.existingTable(name));
      const now = this.deps.clock.now();
      if (data.BillingMode === 'PAY_PER_REQUEST') {
        table.BillingModeSummary = { BillingMode: 'PAY_PER_REQUEST', LastUpdateToPayPerRequestDateTime: now / 1000 };
        table.ProvisionedThroughput = { ...table.ProvisionedThroughput, ReadCapacityUnits: 0, WriteCapacityUnits: 0 };
      } else if (data.BillingMode === 'PROVISIONED') table.BillingModeSummary = { BillingMode: 'PROVISIONED' };
      const provisioned = data.ProvisionedThroughput as Record<string, number> | undefined;
      if (provisioned) {
        if (table.BillingModeSummary?.BillingMode === 'PAY_PER_REQUEST') {
          throw ValidationException('One or more parameter values were invalid: Neither ReadCapacityUnits nor WriteCapacityUnits can be specified when BillingMode is PAY_PER_REQUEST');
        }
        table.ProvisionedThroughput = { ...table.ProvisionedThroughput, ...provisioned };
      }
      const definitions = (data.AttributeDefinitions as TableRecord['AttributeDefinitions'] | undefined) ?? [];
      for (const d of definitions) {
        const known = table.AttributeDefinitions.find((a) => a.AttributeName === d.AttributeName);
        if (!known) table.AttributeDefinitions.push(d);
        else if (known.AttributeType !== d.AttributeType) {
          throw ValidationException(`One or more parameter values were invalid: Attribute ${d.AttributeName} is already defined with type ${known.AttributeType}`);
        }
      }
      const created: string[] = [];
      for (const update of (data.GlobalSecondaryIndexUpdates as Array<Record<string, Input | undefined>> | undefined) ?? []) {
        const gsis = (table.GlobalSecondaryIndexes ??= []);
        if (update.Create) {
          const index = update.Create;
          const indexName = index.IndexName as string;
          if (gsis.some((g) => g.IndexName === indexName) || table.LocalSecondaryIndexes?.some((l) => l.IndexName === indexName)) {
            throw ValidationException(`One or more parameter values were invalid: Table already has an index named ${indexName}`);
          }
          const keys = (index.KeySchema as Array<{ AttributeName: string }>).map((k) => k.AttributeName);
          const defined = table.AttributeDefinitions.map((a) => a.AttributeName);
          if (keys.some((k) => !defined.includes(k))) {
            throw ValidationException(
              `One or more parameter values were invalid: Some index key attributes are not defined in AttributeDefinitions. Keys: [${keys.join(', ')}], AttributeDefinitions: [${defined.join(', ')}]`,
            );
          }
          gsis.push(indexRecord(this.deps, name, index, true));
          created.push(indexName);
        } else if (update.Delete) {
          const indexName = update.Delete.IndexName as string;
          const at = gsis.findIndex((g) => g.IndexName === indexName);
          if (at < 0) throw ResourceNotFoundException(`Requested resource not found: Index: ${indexName} not found`);
          gsis.splice(at, 1);
          await this.store.dropIndex('global', name, indexName);
        } else if (update.Update) {
          const index = gsis.find((g) => g.IndexName === update.Update!.IndexName);
          if (!index) throw ResourceNotFoundException(`Requested resource not found: Index: ${String(update.Update.IndexName)} not found`);
          index.ProvisionedThroughput = { ...index.ProvisionedThroughput, ...(update.Update.ProvisionedThroughput as Record<string, number>) };
        }
      }
      if (table.GlobalSecondaryIndexes?.length === 0) delete table.GlobalSecondaryIndexes;
      const stream = data.StreamSpecification as { StreamEnabled: boolean; StreamViewType?: string } | undefined;
      if (stream?.StreamEnabled) {
        if (table.StreamSpecification?.StreamEnabled) throw ValidationException(`Table already has an enabled stream: ${table.LatestStreamArn}`);
        enableStream(table, stream.StreamViewType, now);
      } else if (stream) {
        if (!table.StreamSpecification?.StreamEnabled) throw ValidationException('Table already has no stream enabled');
        table.StreamSpecification = { StreamEnabled: false };
      }
      if (typeof data.DeletionProtectionEnabled === 'boolean') table.DeletionProtectionEnabled = data.DeletionProtectionEnabled;
      if (typeof data.TableClass === 'string') table.TableClassSummary = { TableClass: data.TableClass };
      await this.store.putTable(table);
      for (const indexName of created) await this.store.backfillIndex(table, table.GlobalSecondaryIndexes!.find((g) => g.IndexName === indexName)!);
      const description = await describe(this.store, table, 'UPDATING');
      for (const g of (description.GlobalSecondaryIndexes as Array<Record<string, unknown>> | undefined) ?? []) {
        if (created.includes(g.IndexName as string)) g.IndexStatus = 'CREATING';
      }
      return { TableDescription: description };
    });
  }

  // ── time to live ─────────────────────────────────────────────────────────

  async DescribeTimeToLive(input: Input): Output {
    const data = this.validate(REQUESTS.DescribeTimeToLive, input);
    const table = await this.existingTable(data.TableName as string);
    const ttl = table.Ttl;
    return { TimeToLiveDescription: ttl?.Enabled ? { TimeToLiveStatus: 'ENABLED', AttributeName: ttl.AttributeName } : { TimeToLiveStatus: 'DISABLED' } };
  }

  /** Takes effect at once (AWS: up to an hour, ENABLING first); expiry follows the rule in ttl.ts. */
  async UpdateTimeToLive(input: Input): Output {
    const data = this.validate(REQUESTS.UpdateTimeToLive, input);
    const name = data.TableName as string;
    const spec = data.TimeToLiveSpecification as { AttributeName: string; Enabled: boolean };
    return this.store.withTables([name], async () => {
      // A copy: the stored record is shared (models.ts) and changes only through putTable.
      const table = { ...(await this.existingTable(name)) };
      if (spec.Enabled && table.Ttl?.Enabled) throw ValidationException('TimeToLive is already enabled');
      if (!spec.Enabled && !table.Ttl?.Enabled) throw ValidationException('TimeToLive is already disabled');
      if (!spec.Enabled && table.Ttl?.AttributeName !== spec.AttributeName) {
        throw ValidationException(`TimeToLive is active on a different AttributeName: current AttributeName is ${table.Ttl?.AttributeName}`);
      }
      table.Ttl = { AttributeName: spec.AttributeName, Enabled: spec.Enabled };
      await this.store.putTable(table);
      await this.ttl.index(table);
      return { TimeToLiveSpecification: { AttributeName: spec.AttributeName, Enabled: spec.Enabled } };
    });
  }

  // ── tags ─────────────────────────────────────────────────────────────────

  private async taggedTable(arn: string): Promise<TableRecord> {
    const table = await this.store.findTable(arn.slice(arn.lastIndexOf('/') + 1));
    if (!table || table.TableArn !== arn) throw ResourceNotFoundException(`Requested resource not found: ResourcArn: ${arn} not found`);
    return table;
  }

  async TagResource(input: Input): Output {
    const data = this.validate(REQUESTS.TagResource, input);
    const arn = data.ResourceArn as string;
    const table = await this.taggedTable(arn);
    return this.store.withTables([table.TableName], async () => {
      const current = { ...(await this.store.findTable(table.TableName))! };
      const tags = new Map((current.Tags ?? []).map((t) => [t.Key, t.Value]));
      for (const t of data.Tags as Array<{ Key: string; Value: string }>) tags.set(t.Key, t.Value);
      current.Tags = [...tags].map(([Key, Value]) => ({ Key, Value }));
      await this.store.putTable(current);
      return {};
    });
  }

  async UntagResource(input: Input): Output {
    const data = this.validate(REQUESTS.UntagResource, input);
    const table = await this.taggedTable(data.ResourceArn as string);
    return this.store.withTables([table.TableName], async () => {
      const current = { ...(await this.store.findTable(table.TableName))! };
      const removed = new Set(data.TagKeys as string[]);
      current.Tags = (current.Tags ?? []).filter((t) => !removed.has(t.Key));
      await this.store.putTable(current);
      return {};
    });
  }

  async ListTagsOfResource(input: Input): Output {
    const data = this.validate(REQUESTS.ListTagsOfResource, input);
    const table = await this.taggedTable(data.ResourceArn as string);
    return { Tags: table.Tags ?? [] };
  }

  // ── endpoint ─────────────────────────────────────────────────────────────

  /** Endpoint discovery (SDKs that enable it ask first): this endpoint is the only one. */
  async DescribeEndpoints(_input: Input): Output {
    const host = this.deps.endpoint().replace(/^https?:\/\//, '');
    return { Endpoints: [{ Address: host, CachePeriodInMinutes: 1440 }] };
  }

  /** The default quotas of an account (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html). */
  async DescribeLimits(_input: Input): Output {
    return { AccountMaxReadCapacityUnits: 80000, AccountMaxWriteCapacityUnits: 80000, TableMaxReadCapacityUnits: 40000, TableMaxWriteCapacityUnits: 40000 };
  }
}
