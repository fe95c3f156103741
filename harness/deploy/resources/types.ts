/**
 * What a resource type module is (one per CloudFormation type family, listed
 * in registry.ts): which properties it reads, how it reads them into a spec,
 * what Ref / Fn::GetAtt give for it before it exists, how it is checked and how
 * it is created through the AWS SDK on a backend. Deploy orders resources by
 * their references (as CloudFormation does), then wires event sources once
 * every resource exists.
 */
import type { Backend, BackendName } from '../../backends/backend.ts';
import type { PhysicalResource, ResolveContext } from '../intrinsics.ts';
import type { Problem } from '../problems.ts';
import type { Obj, RawResource, TemplateFile } from '../template.ts';

export type ChangeAction = 'created' | 'updated' | 'unchanged' | 'skipped';

export interface DeployChange {
  /** CloudFormation type, e.g. `AWS::Serverless::Function`. */
  type: string;
  logicalId: string;
  physicalId: string;
  action: ChangeAction;
  /** What changed, or why it was skipped. */
  detail?: string;
}

/** What deploy needs from the project beyond the template (rehearse.config.yaml, CLI flags). */
export interface ProjectOptions {
  /** Template parameter values (parameter overrides). */
  parameters?: Record<string, string>;
  /** Values for Fn::ImportValue, by export name. */
  imports?: Record<string, string>;
  /**
   * Local files standing in for S3 objects the template names
   * (`DefinitionS3Location`, `CodeUri: s3://…`): `s3://bucket/key` → path
   * (relative to the template's folder unless absolute).
   */
  s3Files?: Record<string, string>;
  /** Environment variables per function (logical id or function name), over the template's: `sam local`'s env.json shape. */
  functionEnvironment?: Record<string, Record<string, string>>;
  /** Stack name for `AWS::StackName` (default `rehearse`). */
  stackName?: string;
}

export type ProblemSink = (message: string, field?: string, severity?: Problem['severity']) => void;

/** One resource, its declared properties resolved, handed to its module's `read`. */
export interface ResourceInput {
  logicalId: string;
  type: string;
  /** The module's `properties`, resolved (Globals merged for AWS::Serverless::*); a property that failed to resolve is absent. */
  properties: Obj;
  /** Names of declared properties that failed to resolve (already reported: do not report them missing). */
  unresolved: ReadonlySet<string>;
  /** The resource as written (Properties with Globals merged, unresolved). */
  raw: RawResource;
  template: TemplateFile;
  ctx: ResolveContext;
  project: ProjectOptions;
  /** A problem at `Resources.<id>.<field>` (field relative to the resource, e.g. `Properties.CodeUri`). */
  problem: ProblemSink;
}

/** An event source to connect once every resource exists (S3 notification, SNS subscription, …). */
export interface Wiring {
  /** The event source module that deploys it (events/registry.ts). */
  kind: string;
  /** Where it is written, for messages: `Resources.Fn.Properties.Events.Upload`. */
  source: string;
}

export interface DeployScope {
  backend: Backend;
  template: TemplateFile;
  region: string;
  accountId: string;
  /** Resolves against what is deployed so far (and predictions for the rest). */
  ctx: ResolveContext;
  options: DeployOptionsLike;
  /** An SDK client for `service`, made once per deployment (destroyed at its end). */
  client<T extends { destroy(): void }>(service: string, make: (config: ClientConfig) => T): T;
  change(c: DeployChange): void;
  log(line: string): void;
  /** Role ARN a resource runs with (options.roleArn, else one named after it). */
  roleFor(name: string): string;
  /**
   * What the backend held before this deployment, read once by `key` and
   * shared by every resource that asks (`lambda:functions`: the function
   * names…): one listing instead of a lookup per resource, and none at all
   * for the resources a listing shows are new.
   */
  before<T>(key: string, read: () => Promise<T>): Promise<T>;
}

export interface ClientConfig {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

/** The deploy options resource modules read (DeployOptions in deploy.ts). */
export interface DeployOptionsLike extends ProjectOptions {
  secrets?: Record<string, unknown>;
  environment?: Record<string, string>;
  roleArn?: string;
  definitionOverrides?: Record<string, string>;
}

export interface ValidateScope {
  template: TemplateFile;
  /** The backend whose capabilities Tasks are checked against (`rehearse validate --backend`). */
  backend: BackendName;
  ctx: ResolveContext;
  project: ProjectOptions;
  /** Problems go here (with their own file: a definition's problems name the definition file). */
  report(p: Problem): void;
  /** Every loaded resource, for cross-checks (a Task naming a function of the template). */
  resources: readonly LoadedResource[];
}

export interface LoadedResource<S = unknown> {
  logicalId: string;
  type: string;
  module: ResourceModule<S>;
  spec: S;
}

export interface ResourceModule<S = unknown> {
  readonly types: readonly string[];
  /** Properties this module reads: resolved before `read`, and their references order the deployment. */
  readonly properties: readonly string[];
  /** Properties read only once every resource exists (event wiring): resolved then, and not ordering. */
  readonly lateProperties?: readonly string[];
  read(input: ResourceInput): S | undefined;
  /** Ref and Fn::GetAtt values as AWS forms them, before (or without) deployment. */
  physical(spec: S, ctx: ResolveContext): PhysicalResource;
  /** Checks beyond reading (definitions, handler modules); problems through `v.report`. */
  validate?(spec: S, v: ValidateScope): Promise<void>;
  /** Creates or updates the resource idempotently; returns what Ref / Fn::GetAtt now give. Absent: nothing to create locally. */
  deploy?(spec: S, scope: DeployScope): Promise<PhysicalResource>;
  /** The event sources this resource connects, from its late properties (resolved now). */
  wiring?(spec: S, late: Obj, input: ResourceInput, physical: PhysicalResource): Wiring[];
}
