/**
 * How an endpoint comes to exist (DESIGN.md "Backend = an endpoint URL + what
 * it can do"). The scenario runner talks to every backend through the AWS SDK,
 * and consults `capabilities` before a check or fault that AWS has no API for:
 * what a backend cannot honour is reported as skipped with the reason, never
 * passed.
 */
export type BackendName = 'embedded' | 'localstack' | 'stepfunctions-local' | 'endpoint';

export interface Capabilities {
  /** Waits and back-off finish at once (only the embedded endpoint). */
  virtualTime: boolean;
  /** How function faults are injected: our control API, a Step Functions Local/LocalStack mock config, or not at all. */
  functionFaults: 'control-api' | 'mock-config' | 'none';
  /** S3/Secrets/SNS operation faults. */
  operationFaults: boolean;
  /** Invocation records, cold starts, peak concurrency, secret reads, SNS messages. */
  observations: boolean;
  /** Local code directories as Lambda code (otherwise a zip is uploaded). */
  localCodeDirectories: boolean;
}

export interface Backend extends AsyncDisposable {
  readonly name: BackendName;
  /** The one endpoint URL every SDK client uses. */
  readonly endpoint: string;
  readonly region: string;
  /** The account ARNs are formed in, when the backend knows it (the embedded endpoint's; LocalStack's is 000000000000). */
  readonly accountId?: string;
  readonly credentials: { accessKeyId: string; secretAccessKey: string };
  readonly capabilities: Capabilities;
  /** Base URL of `/_rehearse/` when the backend offers the control API. */
  readonly controlUrl?: string;
  dispose(): Promise<void>;
}
