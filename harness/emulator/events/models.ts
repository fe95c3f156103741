/**
 * The EventBridge store: event buses (the account's `default` one always
 * exists), each with its rules, each rule with its targets. Plain data, so a
 * snapshot is a structured clone and --data-dir a JSON file.
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_Rule.html
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_Target.html
 */

export const DEFAULT_BUS = 'default';

export type RuleState = 'ENABLED' | 'DISABLED' | 'ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS';

/** A target as PutTargets took it (PascalCase, as ListTargetsByRule returns it). */
export interface TargetRecord {
  Id: string;
  Arn: string;
  RoleArn?: string;
  Input?: string;
  InputPath?: string;
  InputTransformer?: { InputPathsMap?: Record<string, string>; InputTemplate: string };
  RetryPolicy?: { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number };
  DeadLetterConfig?: { Arn?: string };
  SqsParameters?: { MessageGroupId?: string };
  /** Other target parameters (EcsParameters, HttpParameters…), kept and returned as given. */
  [other: string]: unknown;
}

export interface RuleRecord {
  name: string;
  arn: string;
  eventBusName: string;
  eventPattern?: string;
  scheduleExpression?: string;
  state: RuleState;
  description?: string;
  roleArn?: string;
  managedBy?: string;
  createdBy: string;
  tags: Record<string, string>;
  /** In the order they were first put. */
  targets: TargetRecord[];
  /** Epoch ms a rate() schedule counts from (creation, or the last time it was enabled). */
  scheduleAnchor: number;
}

export interface BusRecord {
  name: string;
  arn: string;
  description?: string;
  policy?: string;
  deadLetterArn?: string;
  creationTime: number;
  lastModifiedTime: number;
  tags: Record<string, string>;
  /** By name, in creation order. */
  rules: Record<string, RuleRecord>;
}

export interface StoreContents {
  buses: BusRecord[];
}

export class EventsStore {
  readonly buses = new Map<string, BusRecord>();

  constructor(
    private readonly region: string,
    private readonly accountId: string,
    private readonly now: () => number,
  ) {
    this.ensureDefault();
  }

  busArn(name: string): string {
    return `arn:aws:events:${this.region}:${this.accountId}:event-bus/${name}`;
  }

  /** A rule on the default bus is `rule/<name>`; on another bus `rule/<bus>/<name>`. */
  ruleArn(bus: string, name: string): string {
    return `arn:aws:events:${this.region}:${this.accountId}:rule/${bus === DEFAULT_BUS ? '' : `${bus}/`}${name}`;
  }

  ensureDefault(): void {
    if (this.buses.has(DEFAULT_BUS)) return;
    const t = this.now();
    this.buses.set(DEFAULT_BUS, { name: DEFAULT_BUS, arn: this.busArn(DEFAULT_BUS), creationTime: t, lastModifiedTime: t, tags: {}, rules: {} });
  }

  /** Every rule of every bus. */
  *rules(): Iterable<RuleRecord> {
    for (const bus of this.buses.values()) yield* Object.values(bus.rules);
  }

  copy(): StoreContents {
    return { buses: structuredClone([...this.buses.values()]) };
  }

  replaceAll(contents: StoreContents): void {
    this.buses.clear();
    for (const b of structuredClone(contents.buses)) this.buses.set(b.name, b);
    this.ensureDefault();
  }

  clear(): void {
    this.buses.clear();
    this.ensureDefault();
  }
}
