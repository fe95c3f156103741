/**
 * `rehearse.config.yaml` (or `.yml`, `.json`): where a project's template is,
 * where its scenarios are, and what a local run changes about it — parameter
 * overrides, Lambda environment variables, values for `Fn::ImportValue`,
 * local files for the S3 objects a template names, the stack name. Found by walking up from a scenario file (or
 * the working directory) to the repository root. Paths in it are relative to
 * the file. docs/configuration.md is the reference.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { RehearseError } from '../core/index.ts';
import { parseYamlWithSchema } from '../scenario/loader.ts';

import { CONFIG_FILE_NAMES } from './file-names.ts';

export { CONFIG_FILE_NAMES };

const Scalar = z.union([z.string(), z.number(), z.boolean()]);

export const ProjectConfigSchema = z
  .strictObject({
    $schema: z.string().optional(),
    template: z
      .string()
      .optional()
      .describe('The SAM or CloudFormation template (or a synthesized CDK app: cdk.out/ or one of its *.template.json), relative to this file'),
    scenarios: z.string().optional().describe('The folder `rehearse run` runs when given no paths (default: scenarios)'),
    parameters: z.record(z.string(), Scalar).optional().describe('Template parameter overrides (over samconfig.toml parameter_overrides and the template defaults)'),
    environment: z
      .record(z.string(), z.record(z.string(), Scalar))
      .optional()
      .describe("Lambda environment variables by function logical id or FunctionName ('*': every function); they add to or replace the template's"),
    imports: z.record(z.string(), Scalar).optional().describe('Values for Fn::ImportValue, by export name (another stack\'s outputs)'),
    s3Files: z
      .record(z.string().regex(/^s3:\/\/[^/]+\/.+/, 's3://bucket/key'), z.string())
      .optional()
      .describe('Local files standing in for S3 objects the template names (DefinitionS3Location, CodeUri: s3://…): s3://bucket/key → path relative to this file'),
    stackName: z.string().optional().describe('The stack name AWS::StackName resolves to (default: samconfig stack_name, else rehearse)'),
    samconfig: z
      .union([z.literal(false), z.string()])
      .optional()
      .describe('The samconfig file whose parameter_overrides apply (default: samconfig.toml beside the template or this file); false: none'),
    samconfigEnv: z.string().optional().describe('The samconfig environment (default: default)'),
  })
  .describe('Rehearse project configuration (rehearse.config.yaml)');

export type ProjectConfig = z.output<typeof ProjectConfigSchema>;

export interface LoadedConfig {
  /** Absolute path of the file. */
  file: string;
  config: ProjectConfig;
}

/** Reads and validates a config file; problems name the file, line and key. */
export function loadConfig(file: string): LoadedConfig {
  const abs = resolve(file);
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (e) {
    throw new RehearseError('ERR_BAD_INPUT', `cannot read config ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, { location: { file: abs } });
  }
  // JSON is YAML: one parser, the same positions in messages.
  const config = parseYamlWithSchema(text, abs, ProjectConfigSchema, 'rehearse.config is a mapping (template, scenarios, parameters, environment, …)');
  return { file: abs, config };
}

/**
 * Directories from `from` upward, ending at the repository root (the first
 * folder holding `.git`) or the filesystem root: how far a project's files
 * are looked for.
 */
export function upward(from: string): string[] {
  const out: string[] = [];
  let dir = resolve(from);
  for (;;) {
    out.push(dir);
    if (existsSync(join(dir, '.git'))) break;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return out;
}

/** The nearest rehearse.config.* at or above `from`, or undefined. */
export function findConfigFile(from: string): string | undefined {
  for (const dir of upward(from)) {
    for (const name of CONFIG_FILE_NAMES) {
      const f = join(dir, name);
      if (existsSync(f)) return f;
    }
  }
  return undefined;
}
