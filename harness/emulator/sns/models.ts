/**
 * The SNS store: topics (with attributes and tags) and subscriptions. In
 * memory only (SNS keeps no messages; topics are recreated by deploys).
 */

export interface Topic {
  arn: string;
  name: string;
  /** Attributes set by CreateTopic / SetTopicAttributes (DisplayName, Policy, FifoTopic…). */
  attributes: Map<string, string>;
  tags: Array<{ Key: string; Value: string }>;
  /** FIFO topics number their messages. */
  sequence: bigint;
}

export interface Subscription {
  arn: string;
  topicArn: string;
  protocol: string;
  endpoint: string;
  owner: string;
  /** FilterPolicy, FilterPolicyScope, RawMessageDelivery… */
  attributes: Map<string, string>;
  /** http/https/email wait for a confirmation we never receive. */
  pendingConfirmation: boolean;
}

/** A message attribute as SNS carries it. */
export interface MessageAttribute {
  DataType: string;
  StringValue?: string;
  /** Base64. */
  BinaryValue?: string;
}

export class SnsStore {
  readonly topics = new Map<string, Topic>();
  readonly subscriptions = new Map<string, Subscription>();

  subscriptionsOf(topicArn: string): Subscription[] {
    return [...this.subscriptions.values()].filter((s) => s.topicArn === topicArn);
  }

  clear(): void {
    this.topics.clear();
    this.subscriptions.clear();
  }

  /** A deep copy of every topic and subscription (snapshots). */
  copy(): { topics: Map<string, Topic>; subscriptions: Map<string, Subscription> } {
    return structuredClone({ topics: this.topics, subscriptions: this.subscriptions });
  }

  /** Replaces every topic and subscription with a deep copy of `from`. */
  replaceAll(from: { topics: Map<string, Topic>; subscriptions: Map<string, Subscription> }): void {
    const copy = structuredClone(from);
    this.clear();
    for (const [k, v] of copy.topics) this.topics.set(k, v);
    for (const [k, v] of copy.subscriptions) this.subscriptions.set(k, v);
  }
}
