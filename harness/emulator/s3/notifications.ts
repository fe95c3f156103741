/**
 * Bucket notification configuration → Lambda, with the AWS event record shape.
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-how-to-filtering.html
 */
import { children, escapeXml, textOf, type XmlNode } from '../../protocol/xml.ts';
import { invalidArgument, malformedXml } from './errors.ts';

export interface NotificationTarget {
  id: string;
  /** Lambda function / SNS topic / SQS queue ARN. */
  arn: string;
  events: string[];
  prefix?: string;
  suffix?: string;
}

export interface NotificationConfiguration {
  lambda: NotificationTarget[];
  topic: NotificationTarget[];
  queue: NotificationTarget[];
  eventBridge: boolean;
}

// https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-how-to-event-types-and-destinations.html
export const EVENT_TYPES = [
  's3:TestEvent',
  's3:ObjectCreated:*',
  's3:ObjectCreated:Put',
  's3:ObjectCreated:Post',
  's3:ObjectCreated:Copy',
  's3:ObjectCreated:CompleteMultipartUpload',
  's3:ObjectRemoved:*',
  's3:ObjectRemoved:Delete',
  's3:ObjectRemoved:DeleteMarkerCreated',
  's3:ObjectRestore:*',
  's3:ObjectRestore:Post',
  's3:ObjectRestore:Completed',
  's3:ObjectRestore:Delete',
  's3:ReducedRedundancyLostObject',
  's3:Replication:*',
  's3:LifecycleExpiration:*',
  's3:LifecycleTransition',
  's3:IntelligentTiering',
  's3:ObjectTagging:*',
  's3:ObjectAcl:Put',
] as const;

const KINDS = [
  { element: 'CloudFunctionConfiguration', arnElement: 'CloudFunction', kind: 'lambda' },
  { element: 'TopicConfiguration', arnElement: 'Topic', kind: 'topic' },
  { element: 'QueueConfiguration', arnElement: 'Queue', kind: 'queue' },
] as const;

function asRecord(node: XmlNode | XmlNode[] | undefined): Record<string, XmlNode | XmlNode[]> | undefined {
  if (node === undefined || Array.isArray(node) || typeof node === 'string') return node === '' ? {} : undefined;
  return node;
}

/** Parses `<NotificationConfiguration>`; `newId` names configurations sent without `<Id>`. */
export function parseNotificationConfiguration(doc: Record<string, XmlNode | XmlNode[]>, newId: () => string): NotificationConfiguration {
  const root = asRecord(doc.NotificationConfiguration);
  if (!root) throw malformedXml('the root element must be NotificationConfiguration');
  const out: NotificationConfiguration = { lambda: [], topic: [], queue: [], eventBridge: root.EventBridgeConfiguration !== undefined };
  for (const spec of KINDS) {
    children(root[spec.element]).forEach((node, i) => {
      const where = `${spec.element}[${i}]`;
      const cfg = asRecord(node);
      if (!cfg) throw malformedXml(`${where} must be an element with children`);
      const arn = textOf(cfg[spec.arnElement])?.trim();
      if (!arn) throw invalidArgument(`${where}: ${spec.arnElement} is required`, spec.arnElement);
      const events = children(cfg.Event).map((e) => textOf(e)?.trim() ?? '');
      if (events.length === 0) throw invalidArgument(`${where}: at least one Event is required`, 'Event');
      for (const e of events) {
        if (!(EVENT_TYPES as readonly string[]).includes(e)) throw invalidArgument(`${where}: the event is not supported for notifications: ${e}`, 'Event', e);
      }
      const target: NotificationTarget = { id: textOf(cfg.Id)?.trim() || newId(), arn, events };
      const filter = asRecord(cfg.Filter);
      const s3Key = filter ? asRecord(filter.S3Key) : undefined;
      for (const rule of children(s3Key?.FilterRule)) {
        const r = asRecord(rule);
        const name = textOf(r?.Name)?.trim().toLowerCase();
        const value = textOf(r?.Value) ?? '';
        if (name !== 'prefix' && name !== 'suffix') throw invalidArgument(`${where}: FilterRule name must be either prefix or suffix`, 'FilterRule.Name', name ?? '');
        if (target[name] !== undefined) throw invalidArgument(`${where}: cannot specify more than one ${name} rule in a filter`, 'FilterRule.Name', name);
        target[name] = value;
      }
      out[spec.kind].push(target);
    });
  }
  return out;
}

export function notificationConfigurationXml(cfg: NotificationConfiguration): string {
  let xml = '<NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">';
  for (const spec of KINDS) {
    for (const t of cfg[spec.kind]) {
      xml += `<${spec.element}><Id>${escapeXml(t.id)}</Id><${spec.arnElement}>${escapeXml(t.arn)}</${spec.arnElement}>`;
      xml += t.events.map((e) => `<Event>${escapeXml(e)}</Event>`).join('');
      if (t.prefix !== undefined || t.suffix !== undefined) {
        xml += '<Filter><S3Key>';
        if (t.prefix !== undefined) xml += `<FilterRule><Name>Prefix</Name><Value>${escapeXml(t.prefix)}</Value></FilterRule>`;
        if (t.suffix !== undefined) xml += `<FilterRule><Name>Suffix</Name><Value>${escapeXml(t.suffix)}</Value></FilterRule>`;
        xml += '</S3Key></Filter>';
      }
      xml += `</${spec.element}>`;
    }
  }
  if (cfg.eventBridge) xml += '<EventBridgeConfiguration></EventBridgeConfiguration>';
  return `${xml}</NotificationConfiguration>`;
}

/** Whether a configuration's event list covers `eventName` (`ObjectCreated:Put`). */
export function matchesEvent(target: NotificationTarget, eventName: string, key: string): boolean {
  const full = `s3:${eventName}`;
  const category = full.slice(0, full.lastIndexOf(':'));
  const eventOk = target.events.some((e) => e === full || e === `${category}:*`);
  if (!eventOk) return false;
  if (target.prefix !== undefined && !key.startsWith(target.prefix)) return false;
  if (target.suffix !== undefined && !key.endsWith(target.suffix)) return false;
  return true;
}

export interface S3EventInput {
  eventName: string;
  region: string;
  eventTime: number;
  bucket: string;
  key: string;
  size?: number;
  etag?: string;
  /** Set for buckets that have had versioning. */
  versionId?: string;
  sequencer: string;
  principalId: string;
  sourceIp: string;
  requestId: string;
  hostId: string;
  configurationId: string;
}

/** Keys in event records are URL-encoded, spaces as `+` (as AWS sends them). */
export function encodeEventKey(key: string): string {
  return encodeURIComponent(key).replace(/%20/g, '+').replace(/%2F/g, '/').replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function s3EventRecord(e: S3EventInput): Record<string, unknown> {
  const object: Record<string, unknown> = { key: encodeEventKey(e.key) };
  if (e.size !== undefined) object.size = e.size;
  if (e.etag !== undefined) object.eTag = e.etag.replace(/"/g, '');
  if (e.versionId !== undefined) object.versionId = e.versionId;
  object.sequencer = e.sequencer;
  return {
    eventVersion: '2.1',
    eventSource: 'aws:s3',
    awsRegion: e.region,
    eventTime: new Date(e.eventTime).toISOString(),
    eventName: e.eventName,
    userIdentity: { principalId: e.principalId },
    requestParameters: { sourceIPAddress: e.sourceIp },
    responseElements: { 'x-amz-request-id': e.requestId, 'x-amz-id-2': e.hostId },
    s3: {
      s3SchemaVersion: '1.0',
      configurationId: e.configurationId,
      bucket: { name: e.bucket, ownerIdentity: { principalId: e.principalId }, arn: `arn:aws:s3:::${e.bucket}` },
      object,
    },
  };
}
