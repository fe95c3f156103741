/**
 * A template read without a backend (in VALIDATION_CONTEXT, or the region and
 * account given): each resource as its module reads it. What planning, the
 * runner and `rehearse init` need to know about a project — its functions and
 * state machines — without deploying it.
 */
import { TemplateInterpreter } from './interpret.ts';
import type { Problem } from './problems.ts';
import type { FunctionSpec } from './resources/lambda-function.ts';
import type { StateMachineSpec } from './resources/state-machine.ts';
import type { LoadedResource } from './resources/types.ts';
import { readTemplate, type TemplateFile } from './template.ts';
import { VALIDATION_CONTEXT, type ValidateOptions } from './validate.ts';

export type { FunctionSpec } from './resources/lambda-function.ts';
export type { StateMachineSpec } from './resources/state-machine.ts';

export interface TemplateModel {
  file: string;
  dir: string;
  template: TemplateFile;
  resources: LoadedResource[];
  functions: FunctionSpec[];
  stateMachines: StateMachineSpec[];
}

const FUNCTION_TYPES = new Set(['AWS::Serverless::Function', 'AWS::Lambda::Function']);
const STATE_MACHINE_TYPES = new Set(['AWS::Serverless::StateMachine', 'AWS::StepFunctions::StateMachine']);

/** Reads and interprets a template; problems (the same as validate's reading part) come back as values, not exceptions. */
export function loadTemplate(file: string, options: ValidateOptions = {}): { model?: TemplateModel; problems: Problem[] } {
  const read = readTemplate(file);
  if (!read.template) return { problems: read.problems };
  const template = read.template;
  const interp = new TemplateInterpreter(template, { ...options, region: options.region ?? VALIDATION_CONTEXT.region, accountId: options.accountId ?? VALIDATION_CONTEXT.accountId });
  const resources = interp.all();
  return {
    model: {
      file: template.file,
      dir: template.dir,
      template,
      resources,
      functions: resources.filter((r) => FUNCTION_TYPES.has(r.type)).map((r) => r.spec as FunctionSpec),
      stateMachines: resources.filter((r) => STATE_MACHINE_TYPES.has(r.type)).map((r) => r.spec as StateMachineSpec),
    },
    problems: [...read.problems, ...interp.problems],
  };
}
