/**
 * Writes scenarios/scenario.schema.json from the zod schema (the one source of
 * truth). Run: `npx tsx harness/scenario/export-schema.ts`; a test checks the
 * committed file is up to date.
 */
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scenarioJsonSchema } from './schema.ts';

export const SCHEMA_FILE = join(dirname(fileURLToPath(import.meta.url)), '../../scenarios/scenario.schema.json');

export function renderSchema(): string {
  return `${JSON.stringify(scenarioJsonSchema(), null, 2)}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await writeFile(SCHEMA_FILE, renderSchema());
  process.stdout.write(`wrote ${SCHEMA_FILE}\n`);
}
