/**
 * Every local path a project's run depends on, for `rehearse run --watch`:
 * the template and each path it names (CodeUri, ContentUri of layers,
 * DefinitionUri, Code of a plain Lambda function, CDK asset folders), the config, the samconfig file and the `--env-vars` file.
 */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { readTemplate } from '../deploy/template.ts';
import type { Project } from './resolve.ts';

/** Property names whose string value is a local path relative to the template (esbuild entry points lie inside CodeUri). */
const PATH_KEYS = new Set(['CodeUri', 'ContentUri', 'DefinitionUri', 'Code', 'DefinitionS3Location', 'aws:asset:path']);

/** The local paths a template names (those that exist), the template itself first. */
export function templatePaths(templateFile: string): string[] {
  const out = new Set<string>([templateFile]);
  // Unreadable: watching the file itself is what helps.
  const doc = readTemplate(templateFile).template?.raw;
  if (doc === undefined) return [...out];
  const base = dirname(templateFile);
  const add = (v: unknown) => {
    if (typeof v !== 'string' || v.includes('://') || v.length === 0) return;
    const p = isAbsolute(v) ? v : resolve(base, v);
    if (existsSync(p)) out.add(p);
  };
  const walk = (v: unknown, key: string | undefined, depth: number): void => {
    if (depth > 12 || v === null || typeof v !== 'object') {
      if (key !== undefined && PATH_KEYS.has(key)) add(v);
      return;
    }
    if (Array.isArray(v)) {
      for (const x of v) walk(x, undefined, depth + 1);
      return;
    }
    for (const [k, x] of Object.entries(v)) walk(x, k, depth + 1);
  };
  walk(doc, undefined, 0);
  return [...out];
}

/** What a project's runs read besides the scenarios. */
export function projectPaths(project: Project): string[] {
  const out = new Set<string>();
  if (project.config) out.add(project.config.file);
  if (project.samconfig) out.add(project.samconfig.file);
  if (project.environment.envVars) out.add(project.environment.envVars.file);
  if (project.template) for (const p of templatePaths(project.template.value)) out.add(p);
  return [...out];
}
