/** harness/deploy: read, validate and deploy a SAM / CloudFormation / CDK template (see deploy.ts, validate.ts, resources/registry.ts). */
export { deploy } from './deploy.ts';
export { templateStateMachines } from './template-state-machines.ts';
export type { DeployOptions, DeployResult, DeployChange, ChangeAction } from './deploy.ts';
export { validateTemplate, validatePaths, validateDefinitionFile, substitute, VALIDATION_CONTEXT } from './validate.ts';
export type { ValidationReport, ValidateOptions } from './validate.ts';
export { loadTemplate } from './model.ts';
export type { TemplateModel, FunctionSpec, StateMachineSpec } from './model.ts';
export type { ProjectOptions } from './resources/types.ts';
export { formatProblem, problemText } from './problems.ts';
export type { Problem } from './problems.ts';
export { buildFunctionZip } from './package.ts';
export type { FunctionZip } from './package.ts';
