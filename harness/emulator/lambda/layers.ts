/**
 * Lambda layers: PublishLayerVersion, GetLayerVersion(ByArn),
 * ListLayerVersions, ListLayers, DeleteLayerVersion, and the `Layers` a
 * function names (CreateFunction / UpdateFunctionConfiguration). A layer
 * version's content is immutable and comes from the same sources as a
 * function's code (a zip, an S3 object, or a local folder through the
 * `hot-reload` bucket). The runtime lays each version's folder out as Lambda
 * lays `/opt` (harness/runtime/layer-paths.ts).
 * https://docs.aws.amazon.com/lambda/latest/api/API_PublishLayerVersion.html
 * https://docs.aws.amazon.com/lambda/latest/dg/adding-layers.html
 */
import type { RestResponse } from '../../protocol/service.ts';
import { discardCode, loadCode, type CodeContext, type CodeInput } from './code.ts';
import { invalidParameterValue, resourceNotFound, validationError } from './errors.ts';
import { lambdaTimestamp, type FunctionCode } from './models.ts';

export interface LayerVersionRecord {
  layerName: string;
  layerArn: string;
  version: number;
  arn: string;
  description: string;
  createdDate: number;
  compatibleRuntimes: string[];
  compatibleArchitectures: string[];
  licenseInfo?: string;
  code: FunctionCode;
}

/** What a function records of each layer it uses (the content stays even if the version is deleted, as in AWS). */
export interface FunctionLayer {
  arn: string;
  codeSize: number;
  /** The layer version's folder (what Lambda extracts into /opt). */
  dir: string;
}

/** AWS: at most five layers per function. */
export const MAX_FUNCTION_LAYERS = 5;
const LAYER_NAME = /^[a-zA-Z0-9-_]{1,140}$/;
const LAYER_VERSION_ARN = /^arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\d{12}:layer:([a-zA-Z0-9-_]+):([0-9]+)$/;

export function layerVersionJson(v: LayerVersionRecord, endpoint: string): Record<string, unknown> {
  return {
    Content: {
      Location: v.code.source === 'local' ? `file://${v.code.dir}` : `${endpoint}/2018-10-31/layers/${v.layerName}/versions/${v.version}/content.zip`,
      CodeSha256: v.code.sha256,
      CodeSize: v.code.size,
    },
    LayerArn: v.layerArn,
    LayerVersionArn: v.arn,
    Description: v.description,
    CreatedDate: lambdaTimestamp(v.createdDate),
    Version: v.version,
    ...(v.compatibleRuntimes.length ? { CompatibleRuntimes: [...v.compatibleRuntimes] } : {}),
    ...(v.compatibleArchitectures.length ? { CompatibleArchitectures: [...v.compatibleArchitectures] } : {}),
    ...(v.licenseInfo !== undefined ? { LicenseInfo: v.licenseInfo } : {}),
  };
}

function listItem(v: LayerVersionRecord): Record<string, unknown> {
  const { Content: _content, LayerArn: _arn, ...rest } = layerVersionJson(v, '');
  return rest;
}

/** LayerName may also be the layer's ARN (without a version). */
function layerName(nameOrArn: string): string {
  const m = /^arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\d{12}:layer:([a-zA-Z0-9-_]+)$/.exec(nameOrArn);
  return m ? m[1]! : nameOrArn;
}

function json(status: number, body: unknown): RestResponse {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

export interface LayerDeps {
  region: string;
  accountId: string;
  now(): number;
  endpoint(): string;
  codeContext(name: string): CodeContext;
}

export class LayerStore {
  /** Versions by layer name, oldest first; deleted versions are removed (their numbers are never reused). */
  private readonly layers = new Map<string, { next: number; versions: LayerVersionRecord[] }>();

  constructor(private readonly d: LayerDeps) {}

  private layerArn(name: string): string {
    return `arn:aws:lambda:${this.d.region}:${this.d.accountId}:layer:${name}`;
  }

  async publish(nameOrArn: string, input: Record<string, unknown>): Promise<RestResponse> {
    const name = layerName(nameOrArn);
    if (!LAYER_NAME.test(name)) {
      throw validationError([`Value '${name}' at 'layerName' failed to satisfy constraint: Member must satisfy regular expression pattern: (arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\\d{12}:layer:[a-zA-Z0-9-_]+)|[a-zA-Z0-9-_]+`]);
    }
    if (!input.Content || typeof input.Content !== 'object') throw validationError([`Value null at 'content' failed to satisfy constraint: Member must not be null`]);
    const code = await loadCode(input.Content as CodeInput, this.d.codeContext(name));
    const entry = this.layers.get(name) ?? { next: 1, versions: [] };
    this.layers.set(name, entry);
    const version = entry.next++;
    const record: LayerVersionRecord = {
      layerName: name,
      layerArn: this.layerArn(name),
      version,
      arn: `${this.layerArn(name)}:${version}`,
      description: typeof input.Description === 'string' ? input.Description : '',
      createdDate: this.d.now(),
      compatibleRuntimes: strings(input.CompatibleRuntimes),
      compatibleArchitectures: strings(input.CompatibleArchitectures),
      ...(typeof input.LicenseInfo === 'string' ? { licenseInfo: input.LicenseInfo } : {}),
      code,
    };
    entry.versions.push(record);
    return json(201, layerVersionJson(record, this.d.endpoint()));
  }

  private version(name: string, version: string): LayerVersionRecord {
    const found = this.layers.get(name)?.versions.find((v) => String(v.version) === version);
    if (!found) throw resourceNotFound('The resource you requested does not exist.');
    return found;
  }

  get(nameOrArn: string, version: string): RestResponse {
    const name = layerName(nameOrArn);
    return json(200, layerVersionJson(this.version(name, version), this.d.endpoint()));
  }

  getByArn(arn: string | null): RestResponse {
    const m = LAYER_VERSION_ARN.exec(arn ?? '');
    if (!m) throw validationError([`Value '${arn ?? 'null'}' at 'arn' failed to satisfy constraint: Member must satisfy regular expression pattern: ${LAYER_VERSION_ARN.source.slice(1, -1)}`]);
    return this.get(m[1]!, m[2]!);
  }

  /** Newest first, as AWS lists them. */
  listVersions(nameOrArn: string): RestResponse {
    const name = layerName(nameOrArn);
    const versions = [...(this.layers.get(name)?.versions ?? [])].reverse();
    return json(200, { LayerVersions: versions.map(listItem) });
  }

  list(): RestResponse {
    const out = [...this.layers.entries()]
      .filter(([, e]) => e.versions.length > 0)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([name, e]) => ({ LayerName: name, LayerArn: this.layerArn(name), LatestMatchingVersion: listItem(e.versions[e.versions.length - 1]!) }));
    return json(200, { Layers: out });
  }

  /** Content.Location of a zip-published version: the zip as uploaded. */
  content(nameOrArn: string, version: string): RestResponse {
    const name = layerName(nameOrArn);
    const v = this.version(name, version);
    if (!v.code.zip) throw resourceNotFound(`Layer version ${v.arn} is a local folder; it has no zip.`);
    return { status: 200, headers: { 'content-type': 'application/zip' }, body: v.code.zip };
  }

  delete(nameOrArn: string, version: string): RestResponse {
    const name = layerName(nameOrArn);
    const entry = this.layers.get(name);
    if (entry) entry.versions = entry.versions.filter((v) => String(v.version) !== version);
    // Functions keep the content they were given (AWS: a deleted version stays usable by its functions).
    return { status: 204 };
  }

  /** A function's `Layers` (CreateFunction / UpdateFunctionConfiguration): each must be a published version of this endpoint. */
  resolve(value: unknown): FunctionLayer[] {
    if (!Array.isArray(value) || value.some((a) => typeof a !== 'string' || !LAYER_VERSION_ARN.test(a))) {
      throw validationError([
        `Value '${JSON.stringify(value)}' at 'layers' failed to satisfy constraint: Member must satisfy constraint: [Member must satisfy regular expression pattern: ${LAYER_VERSION_ARN.source.slice(1, -1)}]`,
      ]);
    }
    const arns = value as string[];
    if (arns.length > MAX_FUNCTION_LAYERS) throw invalidParameterValue(`Cannot reference more than ${MAX_FUNCTION_LAYERS} layers.`);
    if (new Set(arns.map((a) => a.replace(/:\d+$/, ''))).size !== arns.length) throw invalidParameterValue('Two different versions of the same layer are not allowed to be referenced in the same function.');
    return arns.map((arn) => {
      const [, name, version] = LAYER_VERSION_ARN.exec(arn)!;
      const found = arn.startsWith(this.layerArn(name!) + ':') ? this.layers.get(name!)?.versions.find((v) => String(v.version) === version) : undefined;
      if (!found) throw invalidParameterValue(`Layer version ${arn} does not exist.`);
      return { arn, codeSize: found.code.size, dir: found.code.dir };
    });
  }

  snapshot(): LayerVersionRecord[] {
    const all = [...this.layers.values()].flatMap((e) => e.versions);
    // Kept on disk while a snapshot names them (see the functions' snapshot).
    for (const v of all) v.code.owned = false;
    return all.map((v) => ({ ...v, code: { ...v.code }, compatibleRuntimes: [...v.compatibleRuntimes], compatibleArchitectures: [...v.compatibleArchitectures] }));
  }

  replace(versions: LayerVersionRecord[]): void {
    this.clear();
    for (const v of versions) {
      const entry = this.layers.get(v.layerName) ?? { next: 1, versions: [] };
      entry.versions.push({ ...v, code: { ...v.code } });
      entry.next = Math.max(entry.next, v.version + 1);
      this.layers.set(v.layerName, entry);
    }
  }

  clear(): void {
    for (const e of this.layers.values()) for (const v of e.versions) discardCode(v.code);
    this.layers.clear();
  }
}
