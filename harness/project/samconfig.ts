/**
 * What Rehearse takes from the SAM CLI's configuration file (samconfig.toml,
 * .yaml or .yml): `parameter_overrides`, `template_file` and `stack_name`, from the chosen
 * environment (default `default`), its `global` section first, then `deploy`,
 * then `local_invoke` (the later wins, as a more specific command section does
 * for the SAM CLI).
 * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/serverless-sam-cli-config.html
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { requireCommonJs } from '../core/commonjs.ts';
import { parse as parseYaml } from 'yaml';
import { RehearseError } from '../core/index.ts';
import { SAMCONFIG_FILE_NAMES } from './file-names.ts';
import { parseParameterOverrides } from './parameter-overrides.ts';

const { parse: parseToml } = requireCommonJs('smol-toml') as typeof import('smol-toml');

/** Command sections read, least specific first. */
const SECTIONS = ['global', 'deploy', 'local_invoke'] as const;

export interface SamConfig {
  file: string;
  env: string;
  parameterOverrides: Record<string, string>;
  /** Absolute path of `template_file`, when it names one. */
  templateFile?: string;
  stackName?: string;
}

type Table = Record<string, unknown>;
const isTable = (v: unknown): v is Table => v !== null && typeof v === 'object' && !Array.isArray(v);

export function readSamConfig(file: string, env = 'default'): SamConfig {
  const abs = resolve(file);
  let doc: unknown;
  try {
    const text = readFileSync(abs, 'utf8');
    doc = abs.endsWith('.toml') ? parseToml(text) : parseYaml(text);
  } catch (e) {
    throw new RehearseError('ERR_BAD_INPUT', `${abs}: cannot read it as SAM CLI configuration: ${(e as Error).message.split('\n')[0]}`, { location: { file: abs }, cause: e });
  }
  const out: SamConfig = { file: abs, env, parameterOverrides: {} };
  const environment = isTable(doc) ? doc[env] : undefined;
  if (!isTable(environment)) return out;
  for (const section of SECTIONS) {
    const command = environment[section];
    const params = isTable(command) ? command.parameters : undefined;
    if (!isTable(params)) continue;
    const overrides = params.parameter_overrides;
    if (typeof overrides === 'string' || (Array.isArray(overrides) && overrides.every((x) => typeof x === 'string'))) {
      Object.assign(out.parameterOverrides, parseParameterOverrides(overrides, `${abs} [${env}.${section}.parameters] parameter_overrides`));
    } else if (overrides !== undefined) {
      throw new RehearseError('ERR_BAD_INPUT', `${abs} [${env}.${section}.parameters] parameter_overrides: expected a string or a list of strings`, { location: { file: abs } });
    }
    if (typeof params.template_file === 'string') out.templateFile = resolve(dirname(abs), params.template_file);
    if (typeof params.stack_name === 'string') out.stackName = params.stack_name;
  }
  return out;
}

/** The samconfig file in `dir`, in the SAM CLI's order, or undefined. */
export function samConfigIn(dir: string): string | undefined {
  for (const name of SAMCONFIG_FILE_NAMES) {
    const f = join(dir, name);
    if (existsSync(f)) return f;
  }
  return undefined;
}
