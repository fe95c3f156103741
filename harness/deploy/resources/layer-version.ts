/**
 * AWS::Serverless::LayerVersion (`ContentUri`) and AWS::Lambda::LayerVersion
 * (`Content`: S3Bucket/S3Key, or a local path before `aws cloudformation
 * package`): the content found on this machine (a folder, a .zip, a CDK asset,
 * an S3 location the project maps to a local file), published with
 * PublishLayerVersion — the folder itself where the backend runs local
 * folders, a zip otherwise. Ref is the layer version's ARN. A redeploy whose
 * content and description did not change reuses the newest version (as
 * CloudFormation publishes a new version only when the resource changes).
 * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-resource-layerversion.html
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-lambda-layerversion.html
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { GetLayerVersionCommand, ListLayerVersionsCommand, PublishLayerVersionCommand } from '@aws-sdk/client-lambda';
import { admZip } from '../../core/commonjs.ts';
import { lambdaClient } from '../events/s3.ts';
import { localPath, mappedS3, type CodeResult } from '../functions/code.ts';
import { builtLayer, samBuildMethod } from '../functions/layer-build.ts';
import { notInstalledWarning, pipUnavailable, requirementsFile } from '../functions/requirements.ts';
import type { PhysicalResource, ResolveContext } from '../intrinsics.ts';
import { addDir } from '../package.ts';
import { isObj, type Obj } from '../template.ts';
import type { DeployScope, ResourceInput, ResourceModule } from './types.ts';

export interface LayerVersionSpec {
  logicalId: string;
  type: string;
  layerName: string;
  description: string;
  compatibleRuntimes: string[];
  compatibleArchitectures: string[];
  licenseInfo?: string;
  /** The folder Lambda would extract into /opt; undefined when it could not be found (reported). */
  dir: string | undefined;
  /** How the content was found, for messages. */
  origin?: string;
  /** SAM's Metadata.BuildMethod (python3.x, nodejs<N>.x): the folder is laid out as sam build would (functions/layer-build.ts). */
  buildMethod?: string;
}

const LAYER_NAME = /^[a-zA-Z0-9-_]{1,140}$/;

function s3Problem(where: string, field: string): CodeResult {
  return { problem: { message: `${where} is in S3; map it to a local folder or .zip under s3Files: in rehearse.config.yaml`, field, severity: 'ERROR' } };
}

/** Where the layer's content is on this machine. */
function locateContent(input: ResourceInput): CodeResult {
  const p = input.properties;
  const dir = input.template.dir;
  const s3Files = input.project.s3Files;
  const meta = input.raw.Metadata;
  if (typeof meta['aws:asset:path'] === 'string' && (meta['aws:asset:property'] === undefined || meta['aws:asset:property'] === 'Content')) {
    return localPath(path.resolve(dir, meta['aws:asset:path']), `CDK asset ${meta['aws:asset:path']}`, 'Metadata.aws:asset:path');
  }
  if (input.type === 'AWS::Serverless::LayerVersion') {
    const uri = p.ContentUri;
    if (typeof uri === 'string' && uri !== '') {
      const s3 = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
      if (!s3) return localPath(path.resolve(dir, uri), `ContentUri ${JSON.stringify(uri)}`, 'Properties.ContentUri');
      const local = mappedS3(s3[1], s3[2], s3Files, dir);
      return local ? localPath(local, `ContentUri ${uri} (mapped to ${local})`, 'Properties.ContentUri') : s3Problem(`ContentUri ${uri}`, 'Properties.ContentUri');
    }
    if (isObj(uri)) {
      const local = mappedS3(uri.Bucket, uri.Key, s3Files, dir);
      const where = `ContentUri s3://${String(uri.Bucket)}/${String(uri.Key)}`;
      return local ? localPath(local, `${where} (mapped to ${local})`, 'Properties.ContentUri') : s3Problem(where, 'Properties.ContentUri');
    }
    return { problem: { message: 'a layer needs ContentUri (a folder or .zip relative to the template, or an S3 location)', field: 'Properties.ContentUri', severity: 'ERROR' } };
  }
  const content = p.Content;
  if (typeof content === 'string' && content !== '') return localPath(path.resolve(dir, content), `Content ${JSON.stringify(content)}`, 'Properties.Content');
  if (isObj(content) && (content.S3Bucket !== undefined || content.S3Key !== undefined)) {
    const local = mappedS3(content.S3Bucket, content.S3Key, s3Files, dir);
    const where = `Content s3://${String(content.S3Bucket)}/${String(content.S3Key)}`;
    return local ? localPath(local, `${where} (mapped to ${local})`, 'Properties.Content') : s3Problem(where, 'Properties.Content');
  }
  return { problem: { message: 'Content is required (S3Bucket + S3Key, or a local path as aws cloudformation package reads it)', field: 'Properties.Content', severity: 'ERROR' } };
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.map(String) : [];
}

function readLayer(input: ResourceInput): LayerVersionSpec | undefined {
  const p: Obj = input.properties;
  const name = typeof p.LayerName === 'string' ? p.LayerName : input.logicalId;
  if (!LAYER_NAME.test(name)) input.problem(`LayerName ${JSON.stringify(name)} must be 1-140 letters, digits, hyphens or underscores`, 'Properties.LayerName');
  const spec: LayerVersionSpec = {
    logicalId: input.logicalId,
    type: input.type,
    layerName: name,
    description: typeof p.Description === 'string' ? p.Description : '',
    compatibleRuntimes: strings(p.CompatibleRuntimes),
    compatibleArchitectures: strings(p.CompatibleArchitectures),
    ...(typeof p.LicenseInfo === 'string' ? { licenseInfo: p.LicenseInfo } : {}),
    dir: undefined,
  };
  const located = locateContent(input);
  if ('problem' in located) {
    if (!input.unresolved.has('ContentUri') && !input.unresolved.has('Content')) input.problem(located.problem.message, located.problem.field, located.problem.severity);
    return spec;
  }
  spec.dir = located.code.dir;
  spec.origin = located.code.origin;
  const buildMethod = samBuildMethod(input.raw.Metadata);
  if (buildMethod) spec.buildMethod = buildMethod;
  const requirements = buildMethod?.startsWith('python') && !existsSync(path.join(spec.dir, 'python')) ? requirementsFile(spec.dir) : undefined;
  const noPip = requirements ? pipUnavailable() : null;
  if (requirements && noPip) input.problem(notInstalledWarning(path.relative(input.template.dir, requirements), noPip), 'Metadata.BuildMethod', 'WARNING');
  return spec;
}

function layerPhysical(arn: string): PhysicalResource {
  return { ref: arn, attributes: { LayerVersionArn: arn } };
}

/** What publishing a layer folder gave: the version ARN, and whether a new version was published. */
export interface PublishedLayer {
  arn: string;
  action: 'created' | 'updated' | 'unchanged';
  version?: number;
}

/** Publishes `dir` as the next version of `layerName`, unless the newest version has the same content and settings. */
export async function publishLayerFolder(
  layer: { layerName: string; dir: string; description: string; compatibleRuntimes: string[]; compatibleArchitectures: string[]; licenseInfo?: string },
  scope: DeployScope,
): Promise<PublishedLayer> {
  const lambda = lambdaClient(scope);
  const dir = layer.dir;
  let content: { S3Bucket: string; S3Key: string } | { ZipFile: Uint8Array };
  let sha256: string;
  if (scope.backend.capabilities.localCodeDirectories) {
    // The folder runs in place (LocalStack's hot-reload convention): edits reach the next cold start.
    content = { S3Bucket: 'hot-reload', S3Key: dir };
    sha256 = createHash('sha256').update(path.resolve(dir)).digest('base64');
  } else {
    const zip = new (admZip())();
    addDir(zip, dir, '', []);
    const bytes = zip.toBuffer();
    content = { ZipFile: bytes };
    sha256 = createHash('sha256').update(bytes).digest('base64');
  }
  const newest = (await lambda.send(new ListLayerVersionsCommand({ LayerName: layer.layerName }))).LayerVersions?.[0];
  if (newest?.Version !== undefined) {
    const current = await lambda.send(new GetLayerVersionCommand({ LayerName: layer.layerName, VersionNumber: newest.Version }));
    const same = current.Content?.CodeSha256 === sha256 && (current.Description ?? '') === layer.description
      && JSON.stringify(current.CompatibleRuntimes ?? []) === JSON.stringify(layer.compatibleRuntimes);
    if (same && current.LayerVersionArn) return { arn: current.LayerVersionArn, action: 'unchanged', version: newest.Version };
  }
  const out = await lambda.send(new PublishLayerVersionCommand({
    LayerName: layer.layerName,
    Content: content,
    ...(layer.description ? { Description: layer.description } : {}),
    ...(layer.compatibleRuntimes.length ? { CompatibleRuntimes: layer.compatibleRuntimes as never } : {}),
    ...(layer.compatibleArchitectures.length ? { CompatibleArchitectures: layer.compatibleArchitectures as never } : {}),
    ...(layer.licenseInfo ? { LicenseInfo: layer.licenseInfo } : {}),
  }));
  return { arn: out.LayerVersionArn ?? '', action: newest ? 'updated' : 'created', ...(out.Version !== undefined ? { version: out.Version } : {}) };
}

export const layerVersion: ResourceModule<LayerVersionSpec> = {
  types: ['AWS::Serverless::LayerVersion', 'AWS::Lambda::LayerVersion'],
  properties: ['LayerName', 'Description', 'ContentUri', 'Content', 'CompatibleRuntimes', 'CompatibleArchitectures', 'LicenseInfo'],
  read: readLayer,
  // Before it is published, the first version's ARN (what a first deployment gives).
  physical: (spec, c: ResolveContext) => layerPhysical(`arn:${c.partition}:lambda:${c.region}:${c.accountId}:layer:${spec.layerName}:1`),
  async deploy(spec, scope) {
    if (!spec.dir) return layerVersion.physical(spec, scope.ctx);
    const built = await builtLayer({ logicalId: spec.logicalId, dir: spec.dir, buildMethod: spec.buildMethod });
    if (built?.installed) scope.log(`${built.installed.reused ? 'reused' : 'installed'} ${spec.logicalId} ${built.installed.file} → ${built.installed.dir}`);
    const out = await publishLayerFolder({ ...spec, dir: built?.dir ?? spec.dir }, scope);
    scope.change({ type: spec.type, logicalId: spec.logicalId, physicalId: out.arn, action: out.action, ...(out.action !== 'unchanged' ? { detail: `version ${out.version ?? '?'} from ${spec.origin ?? spec.dir}` } : {}) });
    return layerPhysical(out.arn);
  },
};
