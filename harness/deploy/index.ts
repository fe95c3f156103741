/** harness/deploy: read, validate and deploy a SAM template (see deploy.ts, validate.ts). */
export { deploy } from './deploy.ts';
export { templateStateMachines } from './template-state-machines.ts';
export type { DeployOptions, DeployResult, DeployChange, ChangeAction } from './deploy.ts';
export { validateTemplate, validatePaths, validateDefinitionFile, substitute, VALIDATION_CONTEXT } from './validate.ts';
export type { ValidationReport } from './validate.ts';
export { loadTemplate } from './model.ts';
export type { TemplateModel, FunctionSpec, StateMachineSpec, BucketSpec, SecretSpec, TopicSpec } from './model.ts';
export { formatProblem } from './problems.ts';
export type { Problem } from './problems.ts';
export { buildFunctionZip } from './package.ts';
export type { FunctionZip } from './package.ts';
