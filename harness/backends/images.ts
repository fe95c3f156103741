/**
 * Pinned Docker images (DESIGN.md style 12): docker/images.json is the one
 * place versions live. Code reads it here; docker/sync-images.ts writes the
 * same values into docker-compose.yml and the Dockerfile's NODE_IMAGE arg, and
 * test/docker/images.test.ts fails while they disagree.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const IMAGES_FILE = join(REPO_ROOT, 'docker', 'images.json');
export const COMPOSE_FILE = join(REPO_ROOT, 'docker-compose.yml');
export const DOCKERFILE = join(REPO_ROOT, 'docker', 'rehearse', 'Dockerfile');
export const DEFAULT_MOCK_CONFIG = join(REPO_ROOT, 'docker', 'mocks', 'MockConfigFile.json');

export type ImageKey = 'localstack' | 'stepfunctions-local' | 'node' | 'rehearse';
export type PinnedImages = Record<ImageKey, string>;

const KEYS: readonly ImageKey[] = ['localstack', 'stepfunctions-local', 'node', 'rehearse'];

/** `repo/name:tag` with an explicit tag that is not `latest`: pinned means pinned. */
const PINNED = /^[a-z0-9]+(?:[._/-][a-z0-9]+)*:(?!latest$)[\w][\w.-]{0,127}$/;

export function parseImages(text: string, where = IMAGES_FILE): PinnedImages {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`${where}: not valid JSON (${(e as Error).message})`, { cause: e });
  }
  if (typeof raw !== 'object' || raw === null) throw new Error(`${where}: expected an object of image references`);
  const record = raw as Record<string, unknown>;
  const out = {} as PinnedImages;
  for (const key of KEYS) {
    const value = record[key];
    if (typeof value !== 'string') throw new Error(`${where}: "${key}" must be an image reference string`);
    if (!PINNED.test(value)) throw new Error(`${where}: "${key}" is ${JSON.stringify(value)}; pin an explicit tag (not latest), e.g. name:1.2.3`);
    out[key] = value;
  }
  return out;
}

let cached: PinnedImages | undefined;

export function pinnedImages(): PinnedImages {
  cached ??= parseImages(readFileSync(IMAGES_FILE, 'utf8'));
  return cached;
}

/** Compose service → the images.json key its `image:` must equal. */
export const SERVICE_IMAGES: Record<'rehearse' | 'localstack' | 'stepfunctions-local', ImageKey> = {
  rehearse: 'rehearse',
  localstack: 'localstack',
  'stepfunctions-local': 'stepfunctions-local',
};

/**
 * Rewrites the `image:` line of each service and the rehearse build arg
 * `NODE_IMAGE` in docker-compose.yml text, keeping comments and layout.
 */
export function syncComposeText(text: string, images: PinnedImages): string {
  const lines = text.split('\n');
  let service: string | undefined;
  let inServices = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^services:\s*$/.test(line)) {
      inServices = true;
      continue;
    }
    if (/^\S/.test(line)) inServices = false;
    const svc = /^ {2}([\w.-]+):\s*$/.exec(line);
    if (inServices && svc) {
      service = svc[1];
      continue;
    }
    if (!inServices || !service) continue;
    const key = SERVICE_IMAGES[service as keyof typeof SERVICE_IMAGES];
    const image = /^( {4}image:\s*)\S+(.*)$/.exec(line);
    if (image && key) lines[i] = `${image[1]}${images[key]}${image[2]}`;
    const arg = /^( {8}NODE_IMAGE:\s*)\S+(.*)$/.exec(line);
    if (arg) lines[i] = `${arg[1]}${images.node}${arg[2]}`;
  }
  return lines.join('\n');
}

/** Rewrites the Dockerfile's `ARG NODE_IMAGE=` default. */
export function syncDockerfileText(text: string, images: PinnedImages): string {
  return text.replace(/^ARG NODE_IMAGE=\S+$/m, `ARG NODE_IMAGE=${images.node}`);
}
