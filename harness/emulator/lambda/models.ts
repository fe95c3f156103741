/**
 * The Lambda store: functions by name, with what GetFunction reports and what
 * the runtime needs. In memory (functions are redeployed by the harness; code
 * extracted from zips lives under the data dir or the OS temp dir).
 */
import type { FunctionSpec } from '../../runtime/index.ts';
import type { FunctionLayer } from './layers.ts';

export interface FunctionCode {
  /** Directory the runtime runs (LAMBDA_TASK_ROOT). */
  dir: string;
  /** Base64 SHA-256 of the deployment package (of the directory path for local directories). */
  sha256: string;
  size: number;
  /** Where the code came from. */
  source: 'zip' | 's3' | 'local';
  /** The zip bytes, kept so GetFunction's Code.Location can serve them. */
  zip?: Buffer;
  /** Whether `dir` is ours to delete (extracted from a zip). */
  owned: boolean;
}

export interface FunctionRecord {
  name: string;
  arn: string;
  runtime: string;
  role: string;
  handler: string;
  description: string;
  timeout: number;
  memorySize: number;
  environment: Record<string, string>;
  architectures: string[];
  ephemeralStorage: number;
  tracingMode: string;
  code: FunctionCode;
  /** Epoch ms (virtual clock). */
  lastModified: number;
  revisionId: string;
  reservedConcurrency?: number;
  tags: Record<string, string>;
  /** Resource-based policy statements (AddPermission). */
  policy: Array<Record<string, unknown>>;
  /** Layer versions in the order Lambda merges them into /opt (later ones over earlier ones). */
  layers: FunctionLayer[];
  /** PutFunctionEventInvokeConfig. */
  eventInvokeConfig?: { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number };
}

/** Lambda's LastModified format: `2019-08-14T22:26:11.234+0000`. */
export function lambdaTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}

export function functionConfiguration(fn: FunctionRecord): Record<string, unknown> {
  return {
    FunctionName: fn.name,
    FunctionArn: fn.arn,
    Runtime: fn.runtime,
    Role: fn.role,
    Handler: fn.handler,
    CodeSize: fn.code.size,
    Description: fn.description,
    Timeout: fn.timeout,
    MemorySize: fn.memorySize,
    LastModified: lambdaTimestamp(fn.lastModified),
    CodeSha256: fn.code.sha256,
    Version: '$LATEST',
    ...(Object.keys(fn.environment).length > 0 ? { Environment: { Variables: { ...fn.environment } } } : {}),
    ...(fn.layers.length > 0 ? { Layers: fn.layers.map((l) => ({ Arn: l.arn, CodeSize: l.codeSize })) } : {}),
    TracingConfig: { Mode: fn.tracingMode },
    RevisionId: fn.revisionId,
    State: 'Active',
    LastUpdateStatus: 'Successful',
    PackageType: 'Zip',
    Architectures: [...fn.architectures],
    EphemeralStorage: { Size: fn.ephemeralStorage },
    SnapStart: { ApplyOn: 'None', OptimizationStatus: 'Off' },
    RuntimeVersionConfig: { RuntimeVersionArn: `arn:aws:lambda:${fn.arn.split(':')[3]}::runtime:rehearse-${fn.runtime}` },
    LoggingConfig: { LogFormat: 'Text', LogGroup: `/aws/lambda/${fn.name}` },
  };
}

export function functionSpec(fn: FunctionRecord): FunctionSpec {
  return {
    functionName: fn.name,
    functionArn: fn.arn,
    version: '$LATEST',
    runtime: fn.runtime,
    handler: fn.handler,
    codeDir: fn.code.dir,
    timeoutSeconds: fn.timeout,
    memorySizeMb: fn.memorySize,
    environment: fn.environment,
    layers: fn.layers.map((l) => l.dir),
    revisionId: fn.revisionId,
    logGroupName: `/aws/lambda/${fn.name}`,
  };
}

/** A copy of a function record that shares nothing mutable with it (the zip bytes are never changed in place). */
export function copyFunction(fn: FunctionRecord): FunctionRecord {
  return {
    ...fn,
    environment: { ...fn.environment },
    architectures: [...fn.architectures],
    layers: fn.layers.map((l) => ({ ...l })),
    code: { ...fn.code },
    tags: { ...fn.tags },
    policy: structuredClone(fn.policy),
    ...(fn.eventInvokeConfig ? { eventInvokeConfig: { ...fn.eventInvokeConfig } } : {}),
  };
}

export class FunctionStore {
  private readonly functions = new Map<string, FunctionRecord>();

  get(name: string): FunctionRecord | undefined {
    return this.functions.get(name);
  }

  put(fn: FunctionRecord): void {
    this.functions.set(fn.name, fn);
  }

  delete(name: string): boolean {
    return this.functions.delete(name);
  }

  /** Sorted by name, as ListFunctions pages them. */
  list(): FunctionRecord[] {
    return [...this.functions.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  clear(): FunctionRecord[] {
    const all = [...this.functions.values()];
    this.functions.clear();
    return all;
  }
}
