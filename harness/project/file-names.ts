/** The names of a project's own files (no imports: the scenario loader reads this too). */
import { basename } from 'node:path';

export const CONFIG_FILE_NAMES = ['rehearse.config.yaml', 'rehearse.config.yml', 'rehearse.config.json'] as const;

/** SAM CLI's configuration files, in the order it looks for them. */
export const SAMCONFIG_FILE_NAMES = ['samconfig.toml', 'samconfig.yaml', 'samconfig.yml'] as const;

/** Whether a file is one of the project's own files rather than a scenario (scenario discovery skips them). */
export function isProjectFile(file: string): boolean {
  const name = basename(file);
  return (CONFIG_FILE_NAMES as readonly string[]).includes(name) || (SAMCONFIG_FILE_NAMES as readonly string[]).includes(name);
}
