/**
 * The application's configuration, read from one Secrets Manager secret
 * (`image-processor/config`, named by CONFIG_SECRET_ID) through a small cache
 * with a TTL — the pattern of AWS's Parameters and Secrets Lambda Extension
 * (https://docs.aws.amazon.com/secretsmanager/latest/userguide/retrieving-secrets_lambda.html):
 * warm invocations reuse the value, and a rotated secret is picked up once the
 * TTL (CONFIG_CACHE_TTL_SECONDS, default 60) has passed, without a redeploy.
 *
 * A missing or malformed secret fails with a ConfigurationError naming the
 * secret and the field — never a silent fallback to defaults for a bad value.
 * Fields that are absent take the documented defaults below.
 */
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { secretsClient } from './clients/secrets-manager.ts';
import { ConfigurationError } from './errors.ts';

export const OUTPUT_FORMATS = ['webp', 'avif', 'jpeg'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];
export const IMAGE_FORMATS = ['jpeg', 'png', 'webp', 'avif', 'gif', 'tiff'] as const;
export type ImageFormat = (typeof IMAGE_FORMATS)[number];
export const FITS = ['cover', 'contain', 'fill', 'inside', 'outside'] as const;
export type Fit = (typeof FITS)[number];

export type Filter =
  | { name: 'greyscale' }
  | { name: 'blur'; sigma: number }
  | { name: 'sharpen'; sigma?: number }
  | { name: 'tint'; color: string };

export interface AppConfig {
  /** Resize target (pixels). */
  targetWidth: number;
  targetHeight: number;
  /** How the image fits the target box (sharp's `fit`). */
  fit: Fit;
  /** Upscale images smaller than the target (false keeps them as they are). */
  enlarge: boolean;
  filters: Filter[];
  outputFormat: OutputFormat;
  /** Encoder quality 1–100. */
  quality: number;
  /** Largest upload accepted, in bytes. */
  maxBytes: number;
  /** Largest width × height decoded (sharp's limitInputPixels): decompression bombs stop here. */
  maxPixels: number;
  allowedFormats: ImageFormat[];
  /** The external service the external-call function calls (optional). */
  externalServiceUrl?: string;
  externalTimeoutMs: number;
  /** Base URL of the review UI; request-review adds approve/reject links when set. */
  reviewBaseUrl?: string;
}

export const DEFAULT_CONFIG: AppConfig = {
  targetWidth: 1024,
  targetHeight: 768,
  fit: 'cover',
  enlarge: true,
  filters: [{ name: 'greyscale' }],
  outputFormat: 'webp',
  quality: 80,
  maxBytes: 25 * 1024 * 1024,
  maxPixels: 50_000_000,
  allowedFormats: [...IMAGE_FORMATS],
  externalTimeoutMs: 5000,
};

/** Parses and checks the secret's JSON; throws ConfigurationError naming the field. */
export function parseConfig(text: string, secretId: string): AppConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new ConfigurationError(`secret ${secretId} is not valid JSON (${(e as Error).message})`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigurationError(`secret ${secretId} must hold a JSON object, got ${Array.isArray(raw) ? 'an array' : JSON.stringify(raw)}`);
  }
  const o = raw as Record<string, unknown>;
  const bad = (field: string, want: string): never => {
    throw new ConfigurationError(`secret ${secretId}: ${field} must be ${want}, got ${JSON.stringify(o[field])}`);
  };
  const int = (field: keyof AppConfig, min: number, max: number): number | undefined => {
    const v = o[field];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) bad(field, `an integer from ${min} to ${max}`);
    return v as number;
  };
  const oneOf = <T extends string>(field: keyof AppConfig, values: readonly T[]): T | undefined => {
    const v = o[field];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || !values.includes(v as T)) bad(field, `one of ${values.join(', ')}`);
    return v as T;
  };
  const url = (field: keyof AppConfig): string | undefined => {
    const v = o[field];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || !URL.canParse(v)) bad(field, 'an absolute URL');
    return v as string;
  };
  const cfg: AppConfig = { ...DEFAULT_CONFIG, allowedFormats: [...DEFAULT_CONFIG.allowedFormats], filters: [...DEFAULT_CONFIG.filters] };
  cfg.targetWidth = int('targetWidth', 1, 16384) ?? cfg.targetWidth;
  cfg.targetHeight = int('targetHeight', 1, 16384) ?? cfg.targetHeight;
  cfg.fit = oneOf('fit', FITS) ?? cfg.fit;
  if (o.enlarge !== undefined) cfg.enlarge = typeof o.enlarge === 'boolean' ? o.enlarge : bad('enlarge', 'true or false');
  cfg.outputFormat = oneOf('outputFormat', OUTPUT_FORMATS) ?? cfg.outputFormat;
  cfg.quality = int('quality', 1, 100) ?? cfg.quality;
  cfg.maxBytes = int('maxBytes', 1, 512 * 1024 * 1024) ?? cfg.maxBytes;
  cfg.maxPixels = int('maxPixels', 1, 268_402_689) ?? cfg.maxPixels;
  cfg.externalTimeoutMs = int('externalTimeoutMs', 1, 900_000) ?? cfg.externalTimeoutMs;
  const ext = url('externalServiceUrl');
  if (ext !== undefined) cfg.externalServiceUrl = ext;
  const review = url('reviewBaseUrl');
  if (review !== undefined) cfg.reviewBaseUrl = review;
  if (o.allowedFormats !== undefined) {
    const v = o.allowedFormats;
    if (!Array.isArray(v) || v.length === 0 || v.some((f) => !IMAGE_FORMATS.includes(f as ImageFormat))) {
      bad('allowedFormats', `a non-empty list drawn from ${IMAGE_FORMATS.join(', ')}`);
    }
    cfg.allowedFormats = v as ImageFormat[];
  }
  if (o.filters !== undefined) {
    if (!Array.isArray(o.filters)) bad('filters', 'a list of filters');
    cfg.filters = (o.filters as unknown[]).map((f, i) => parseFilter(f, `filters[${i}]`, secretId));
  }
  return cfg;
}

function parseFilter(f: unknown, where: string, secretId: string): Filter {
  // "greyscale" is shorthand for { "name": "greyscale" }.
  const obj = typeof f === 'string' ? { name: f } : f;
  const fail = (want: string): never => {
    throw new ConfigurationError(`secret ${secretId}: ${where} ${want}, got ${JSON.stringify(f)}`);
  };
  if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return fail('must be a filter name or {"name": …}');
  const r = obj as Record<string, unknown>;
  switch (r.name) {
    case 'greyscale':
    case 'grayscale':
      return { name: 'greyscale' };
    case 'blur': {
      const sigma = r.sigma ?? 2;
      if (typeof sigma !== 'number' || sigma < 0.3 || sigma > 1000) return fail('(blur) needs sigma from 0.3 to 1000');
      return { name: 'blur', sigma };
    }
    case 'sharpen': {
      if (r.sigma === undefined) return { name: 'sharpen' };
      if (typeof r.sigma !== 'number' || r.sigma < 0.000001 || r.sigma > 10) return fail('(sharpen) needs sigma from 0.000001 to 10');
      return { name: 'sharpen', sigma: r.sigma };
    }
    case 'tint': {
      if (typeof r.color !== 'string' || !/^#[0-9a-fA-F]{6}$/.test(r.color)) return fail('(tint) needs color as #rrggbb');
      return { name: 'tint', color: r.color };
    }
    default:
      return fail('has an unknown name (use greyscale, blur, sharpen or tint)');
  }
}

interface CacheEntry {
  value: Promise<AppConfig>;
  fetchedAt: number;
}

const cache = new Map<string, CacheEntry>();

function ttlMs(env: NodeJS.ProcessEnv): number {
  const raw = env.CONFIG_CACHE_TTL_SECONDS;
  if (raw === undefined || raw === '') return 60_000;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new ConfigurationError(`CONFIG_CACHE_TTL_SECONDS must be a number of seconds ≥ 0, got ${JSON.stringify(raw)}`);
  return n * 1000;
}

function secretIdFrom(env: NodeJS.ProcessEnv): string {
  return env.CONFIG_SECRET_ID || 'image-processor/config';
}

async function fetchConfig(secretId: string): Promise<AppConfig> {
  let text: string | undefined;
  try {
    const out = await secretsClient().send(new GetSecretValueCommand({ SecretId: secretId }));
    text = out.SecretString;
  } catch (e) {
    const name = (e as { name?: string }).name ?? 'Error';
    if (name === 'ResourceNotFoundException') {
      throw new ConfigurationError(`secret ${secretId} does not exist (create it with the processor's JSON configuration)`, { cause: e });
    }
    if (name === 'InvalidRequestException' || name === 'AccessDeniedException' || name === 'DecryptionFailure') {
      throw new ConfigurationError(`secret ${secretId} cannot be read: ${name}: ${(e as Error).message}`, { cause: e });
    }
    // Throttling and 5xx stay as the SDK's errors: transient, so the workflow's Retry applies.
    throw e;
  }
  if (text === undefined) throw new ConfigurationError(`secret ${secretId} has no SecretString (binary secrets are not supported)`);
  return parseConfig(text, secretId);
}

/**
 * The configuration, from cache while fresh. Concurrent callers share one
 * request; a failed read is not cached, so the next invocation tries again.
 */
export async function getConfig(options: { env?: NodeJS.ProcessEnv; now?: () => number } = {}): Promise<AppConfig> {
  const env = options.env ?? process.env;
  const now = options.now ?? Date.now;
  const secretId = secretIdFrom(env);
  const hit = cache.get(secretId);
  if (hit && now() - hit.fetchedAt < ttlMs(env)) return hit.value;
  const entry: CacheEntry = { value: fetchConfig(secretId), fetchedAt: now() };
  cache.set(secretId, entry);
  entry.value.catch(() => {
    if (cache.get(secretId) === entry) cache.delete(secretId);
  });
  return entry.value;
}

/** Forget cached values (tests). */
export function clearConfigCache(): void {
  cache.clear();
}
