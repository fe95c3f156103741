/** docker/images.json is the one source of truth; the compose file and the Dockerfile must agree with it. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  COMPOSE_FILE,
  DOCKERFILE,
  IMAGES_FILE,
  parseImages,
  pinnedImages,
  SERVICE_IMAGES,
  syncComposeText,
  syncDockerfileText,
} from '../../harness/backends/images.ts';

const composeText = readFileSync(COMPOSE_FILE, 'utf8');
const dockerfileText = readFileSync(DOCKERFILE, 'utf8');

describe('pinned images', () => {
  it('images.json pins every image to an explicit, non-latest tag', () => {
    const images = pinnedImages();
    for (const ref of Object.values(images)) expect(ref).toMatch(/:[\w][\w.-]*$/);
    expect(images['stepfunctions-local']).toMatch(/^amazon\/aws-stepfunctions-local:/);
    expect(images.localstack).toMatch(/^localstack\/localstack:/);
  });

  it('docker-compose.yml uses exactly the images in images.json', () => {
    const compose = parse(composeText) as { services: Record<string, { image: string; build?: { args?: Record<string, string> } }> };
    const images = pinnedImages();
    for (const [service, key] of Object.entries(SERVICE_IMAGES)) expect(compose.services[service]?.image, service).toBe(images[key]);
    expect(compose.services.rehearse?.build?.args?.NODE_IMAGE).toBe(images.node);
  });

  it("the Dockerfile's NODE_IMAGE default is images.json's node", () => {
    expect(/^ARG NODE_IMAGE=(\S+)$/m.exec(dockerfileText)?.[1]).toBe(pinnedImages().node);
  });

  it('sync-images is a no-op on the committed files (they are in sync)', () => {
    expect(syncComposeText(composeText, pinnedImages())).toBe(composeText);
    expect(syncDockerfileText(dockerfileText, pinnedImages())).toBe(dockerfileText);
  });

  it('sync-images rewrites a bumped pin everywhere and nothing else', () => {
    const bumped = { ...pinnedImages(), localstack: 'localstack/localstack:2099.01.0', node: 'node:20.99.0-bookworm-slim' };
    const compose = syncComposeText(composeText, bumped);
    const parsed = parse(compose) as { services: Record<string, { image: string; build?: { args?: Record<string, string> } }> };
    expect(parsed.services.localstack?.image).toBe('localstack/localstack:2099.01.0');
    expect(parsed.services.rehearse?.build?.args?.NODE_IMAGE).toBe('node:20.99.0-bookworm-slim');
    expect(parsed.services['stepfunctions-local']?.image).toBe(pinnedImages()['stepfunctions-local']);
    expect(compose.split('\n').length).toBe(composeText.split('\n').length);
    expect(syncDockerfileText(dockerfileText, bumped)).toContain('ARG NODE_IMAGE=node:20.99.0-bookworm-slim');
  });

  it('rejects unpinned or malformed entries with the file and key named', () => {
    const base = JSON.parse(readFileSync(IMAGES_FILE, 'utf8')) as Record<string, string>;
    expect(() => parseImages(JSON.stringify({ ...base, localstack: 'localstack/localstack:latest' }), 'x.json')).toThrow(/x\.json: "localstack".*pin an explicit tag/);
    expect(() => parseImages(JSON.stringify({ ...base, node: 'node' }), 'x.json')).toThrow(/"node"/);
    expect(() => parseImages(JSON.stringify({ ...base, rehearse: undefined }), 'x.json')).toThrow(/"rehearse" must be/);
    expect(() => parseImages('{', 'x.json')).toThrow(/x\.json: not valid JSON/);
  });
});
