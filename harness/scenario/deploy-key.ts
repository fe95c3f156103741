/**
 * What a deploy creates depends on its inputs only: the template file (its
 * path and stamp), the parameter values, the definitions put in place of the
 * template's, the secrets given to it and the project's imports, local S3
 * files, stack name and function environments. The deploy key is all of them
 * as one canonical JSON text, so two scenarios with equal keys would deploy
 * exactly the same resources — and the second may start from a snapshot of
 * the first one's deploy instead (deployed-states.ts).
 */
import { statSync } from 'node:fs';
import { canonicalJson } from '../emulator/faults.ts';
import type { DeployInput } from './runner.ts';

/** A file's modification time and size (an edit changes them), undefined when it cannot be read. */
export function fileStamp(file: string): { mtimeMs: number; size: number } | undefined {
  try {
    const { mtimeMs, size } = statSync(file);
    return { mtimeMs, size };
  } catch {
    return undefined; // the deploy names a missing file
  }
}

/** The canonical JSON of everything that changes what deploying `input` creates. */
export function deployKey(input: DeployInput): string {
  const project = input.project;
  return canonicalJson({
    template: input.template,
    stamp: fileStamp(input.template) ?? null,
    parameters: input.parameters ?? {},
    definitionOverrides: input.definitionOverrides ?? {},
    secrets: input.secrets ?? {},
    project: project
      ? {
          imports: project.imports,
          s3Files: Object.fromEntries(Object.entries(project.s3Files).map(([uri, file]) => [uri, { file, stamp: fileStamp(file) ?? null }])),
          stackName: project.stackName?.value ?? null,
          environment: project.environment,
        }
      : null,
  });
}
