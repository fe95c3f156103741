/**
 * The `# yaml-language-server: $schema=…` line a generated scenario starts
 * with (init, replay), so editors complete and check it: the schema the
 * installed package ships (node_modules/rehearse-aws/scenarios/scenario.schema.json,
 * found upward from the scenario's folder), else this very package's copy —
 * both as a path relative to the scenario, as the YAML language server reads it.
 */
import { existsSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { upward } from './config.ts';

export const PACKAGE_NAME = 'rehearse-aws';
const SCHEMA_IN_PACKAGE = join('scenarios', 'scenario.schema.json');
/** dist/project/ and harness/project/ are both two folders below the package root. */
const OWN_SCHEMA = fileURLToPath(new URL(`../../${SCHEMA_IN_PACKAGE.split(sep).join('/')}`, import.meta.url));

export function schemaFileFor(scenarioDir: string): string {
  for (const dir of upward(scenarioDir)) {
    const installed = join(dir, 'node_modules', PACKAGE_NAME, SCHEMA_IN_PACKAGE);
    if (existsSync(installed)) return installed;
  }
  return OWN_SCHEMA;
}

export function schemaComment(scenarioDir: string): string {
  const rel = relative(scenarioDir, schemaFileFor(scenarioDir)).split(sep).join('/');
  return `# yaml-language-server: $schema=${rel.startsWith('.') ? rel : `./${rel}`}`;
}
