/** harness/project: a project's configuration — which template a run deploys, and what a local run changes about it. */
export { loadConfig, findConfigFile, upward, ProjectConfigSchema, CONFIG_FILE_NAMES, type ProjectConfig, type LoadedConfig } from './config.ts';
export { isProjectFile, SAMCONFIG_FILE_NAMES } from './file-names.ts';
export { readSamConfig, samConfigIn, type SamConfig } from './samconfig.ts';
export { parseParameterOverrides } from './parameter-overrides.ts';
export { readEnvVarsFile, applyEnvironment, unknownEnvironmentTargets, type EnvVarsFile, type EnvironmentOverrides, type FunctionIdentity } from './environment.ts';
export { cdkStacks, templateFileOf, usualTemplateIn, findTemplateUpward, scanTemplates, looksLikeTemplate, USUAL_TEMPLATE_NAMES, CDK_MANIFEST, type CdkStack } from './templates.ts';
export { resolveProject, parameterValues, describeProject, ProjectResolver, type Project, type ProjectFlags, type Sourced } from './resolve.ts';
