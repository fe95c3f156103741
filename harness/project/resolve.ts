/**
 * What a run deploys, and why: the template and the values a local run gives
 * it, each taken from the first of (docs/configuration.md)
 *
 *   1. command-line flags: --template, --config, --parameter-overrides, --env-vars
 *   2. rehearse.config.* — the nearest one at or above the scenario (or --config)
 *   3. samconfig.toml (or .yaml/.yml): template_file and parameter_overrides
 *   4. the template itself: the usual file names, found upward; its parameter defaults
 *
 * and a scenario's own `given.parameters` on top. Every value carries where
 * it came from, so each run can say it.
 */
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { RehearseError } from '../core/index.ts';
import { findConfigFile, loadConfig, upward, type LoadedConfig } from './config.ts';
import { readEnvVarsFile, type EnvironmentOverrides } from './environment.ts';
import { parseParameterOverrides } from './parameter-overrides.ts';
import { readSamConfig, samConfigIn, type SamConfig } from './samconfig.ts';
import { CDK_MANIFEST, templateFileOf, USUAL_TEMPLATE_NAMES, usualTemplateIn } from './templates.ts';

/** The command-line part of the resolution (paths relative to the working directory). */
export interface ProjectFlags {
  template?: string;
  config?: string;
  /** Each `--parameter-overrides` value (`Key=Value …`). */
  parameterOverrides?: string[];
  envVars?: string;
}

export interface Sourced<T> {
  value: T;
  /** Where it came from, for people: `--template`, `rehearse.config.yaml`, `samconfig.toml template_file`, `found in .`. */
  from: string;
}

export interface Project {
  /** The directory resolution started from. */
  from: string;
  config?: LoadedConfig;
  samconfig?: SamConfig;
  /** The template file, when there is one. */
  template?: Sourced<string>;
  /** What was looked for, when no template was found. */
  templateMissing?: string;
  /** The folder `rehearse run` runs when given no paths. */
  scenariosDir: string;
  /** Parameter overrides (the template's defaults are not listed: deploy applies them). */
  parameters: Record<string, Sourced<string>>;
  environment: EnvironmentOverrides;
  /** Fn::ImportValue values, by export name. */
  imports: Record<string, string>;
  /** s3://bucket/key → absolute local path. */
  s3Files: Record<string, string>;
  stackName?: Sourced<string>;
}

/** A path as a person reads it: relative to the working directory when inside it or a folder or two above, else absolute. */
export function shownPath(file: string, cwd: string): string {
  const r = relative(cwd, file);
  if (r === '') return '.';
  const ups = r.split(/[\\/]/).filter((seg) => seg === '..').length;
  return ups > 2 || isAbsolute(r) ? file : r;
}
const shown = shownPath;

function findTemplate(startDirs: string[], cwd: string): { template?: Sourced<string>; samconfig?: string; looked: string } {
  for (const dir of startDirs) {
    const sam = samConfigIn(dir);
    if (sam) {
      const t = readSamConfig(sam).templateFile;
      if (t) return { template: { value: templateFileOf(t, `${shown(sam, cwd)} template_file`), from: `${shown(sam, cwd)} template_file` }, samconfig: sam, looked: '' };
    }
    const usual = usualTemplateIn(dir);
    if (usual) return { template: { value: templateFileOf(usual, shown(usual, cwd)), from: `found in ${shown(dir, cwd)}` }, looked: '' };
  }
  const names = ['rehearse.config.yaml', 'samconfig.toml template_file', ...USUAL_TEMPLATE_NAMES, CDK_MANIFEST].join(', ');
  return { looked: `none was found (looked for ${names} in ${shown(startDirs[0]!, cwd)} and each folder up to ${shown(startDirs.at(-1)!, cwd)})` };
}

export function resolveProject(from: string, flags: ProjectFlags, cwd: string): Project {
  const configFile = flags.config !== undefined ? resolve(cwd, flags.config) : findConfigFile(from);
  const config = configFile ? loadConfig(configFile) : undefined;
  const configDir = config ? dirname(config.file) : undefined;
  const configName = config ? shown(config.file, cwd) : '';
  const project: Project = {
    from,
    ...(config ? { config } : {}),
    scenariosDir: resolve(configDir ?? cwd, config?.config.scenarios ?? 'scenarios'),
    parameters: {},
    environment: {},
    imports: Object.fromEntries(Object.entries(config?.config.imports ?? {}).map(([k, v]) => [k, String(v)])),
    s3Files: Object.fromEntries(Object.entries(config?.config.s3Files ?? {}).map(([k, v]) => [k, resolve(configDir!, v)])),
  };

  let samconfigFile: string | undefined;
  if (flags.template !== undefined) {
    project.template = { value: templateFileOf(resolve(cwd, flags.template), '--template'), from: '--template' };
  } else if (config?.config.template !== undefined) {
    project.template = { value: templateFileOf(resolve(configDir!, config.config.template), `${configName} template`), from: configName };
  } else {
    const found = findTemplate(upward(configDir ?? from), cwd);
    if (found.template) project.template = found.template;
    else project.templateMissing = found.looked;
    samconfigFile = found.samconfig;
  }

  const samSetting = config?.config.samconfig;
  if (samSetting !== false) {
    samconfigFile =
      typeof samSetting === 'string'
        ? resolve(configDir!, samSetting)
        : (samconfigFile ?? (project.template ? samConfigIn(dirname(project.template.value)) : undefined) ?? (configDir ? samConfigIn(configDir) : undefined));
    if (samconfigFile) project.samconfig = readSamConfig(samconfigFile, config?.config.samconfigEnv);
  }

  const set = (values: Record<string, string>, from: string) => {
    for (const [k, v] of Object.entries(values)) project.parameters[k] = { value: v, from };
  };
  if (project.samconfig) set(project.samconfig.parameterOverrides, `${shown(project.samconfig.file, cwd)} parameter_overrides`);
  if (config?.config.parameters) set(Object.fromEntries(Object.entries(config.config.parameters).map(([k, v]) => [k, String(v)])), configName);
  if (flags.parameterOverrides?.length) set(parseParameterOverrides(flags.parameterOverrides, '--parameter-overrides'), '--parameter-overrides');

  if (config?.config.environment) {
    project.environment.config = Object.fromEntries(
      Object.entries(config.config.environment).map(([fn, vars]) => [fn, Object.fromEntries(Object.entries(vars).map(([k, v]) => [k, String(v)]))]),
    );
  }
  if (flags.envVars !== undefined) project.environment.envVars = readEnvVarsFile(resolve(cwd, flags.envVars));
  if (config?.config.stackName !== undefined) project.stackName = { value: config.config.stackName, from: configName };
  else if (project.samconfig?.stackName !== undefined) project.stackName = { value: project.samconfig.stackName, from: `${shown(project.samconfig.file, cwd)} stack_name` };
  return project;
}

/** The parameter values alone. */
export function parameterValues(project: Project): Record<string, string> {
  return Object.fromEntries(Object.entries(project.parameters).map(([k, p]) => [k, p.value]));
}

/** One line a run prints before deploying: the template and where it came from, and each override with its source. */
export function describeProject(project: Project, cwd: string): string {
  if (!project.template) return `template: ${project.templateMissing ?? 'none'}`;
  const params = Object.entries(project.parameters);
  const bySource = new Map<string, string[]>();
  for (const [k, p] of params) bySource.set(p.from, [...(bySource.get(p.from) ?? []), `${k}=${p.value}`]);
  const overrides = [...bySource].map(([from, kv]) => `${kv.join(' ')} (${from})`).join(', ');
  const env = [project.environment.config ? `${shown(project.config!.file, cwd)} environment` : '', project.environment.envVars ? `--env-vars ${shown(project.environment.envVars.file, cwd)}` : '']
    .filter(Boolean)
    .join(', ');
  return `template: ${shown(project.template.value, cwd)} (${project.template.from})${overrides ? `; parameters: ${overrides}` : ''}${env ? `; environment: ${env}` : ''}`;
}

/** Resolution per starting directory, once per run (a run reads each config once). */
export class ProjectResolver {
  private readonly cache = new Map<string, Project>();
  constructor(
    readonly flags: ProjectFlags = {},
    readonly cwd: string = process.cwd(),
  ) {}

  at(dir: string): Project {
    const key = resolve(dir);
    let p = this.cache.get(key);
    if (!p) {
      p = resolveProject(key, this.flags, this.cwd);
      this.cache.set(key, p);
    }
    return p;
  }

  /** Every project resolved so far (one per distinct template and overrides). */
  projects(): Project[] {
    return [...this.cache.values()];
  }

  /** The template a scenario needs, or a load error saying what was looked for. */
  requireTemplate(dir: string, why: string): string {
    const p = this.at(dir);
    if (p.template) return p.template.value;
    throw new RehearseError('ERR_BAD_INPUT', `${why}, but ${p.templateMissing}`, {
      hint: 'give --template FILE, or run `npx rehearse init` to write rehearse.config.yaml',
    });
  }
}
