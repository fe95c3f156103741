/**
 * Copies the pins in docker/images.json into docker-compose.yml and
 * docker/rehearse/Dockerfile.  Run: npx tsx docker/sync-images.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import {
  COMPOSE_FILE,
  DOCKERFILE,
  IMAGES_FILE,
  parseImages,
  syncComposeText,
  syncDockerfileText,
} from '../harness/backends/images.ts';

const images = parseImages(readFileSync(IMAGES_FILE, 'utf8'));
for (const [file, sync] of [
  [COMPOSE_FILE, syncComposeText],
  [DOCKERFILE, syncDockerfileText],
] as const) {
  const before = readFileSync(file, 'utf8');
  const after = sync(before, images);
  if (after !== before) writeFileSync(file, after);
  process.stdout.write(`${after === before ? 'unchanged' : 'updated  '} ${file}\n`);
}
