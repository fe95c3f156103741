/**
 * Load-time checks of scenarios against the template they deploy, so a typo
 * stops the run before anything starts instead of surfacing as a missing
 * execution: a `workflow` the template does not define (with the closest
 * name), and config or `--env-vars` entries that name no function.
 */
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { closest, distance } from 'fastest-levenshtein';
import { unknownEnvironmentTargets } from '../project/environment.ts';
import type { ProjectOptions } from '../deploy/index.ts';
import { projectDeployOptions } from '../project/deploy-options.ts';
import { parameterValues, shownPath, type Project, type ProjectResolver } from '../project/resolve.ts';
import type { LoadedScenario } from './loader.ts';

interface TemplateNames {
  stateMachines: string[];
  functions: Array<{ logicalId: string; functionName: string }>;
}

async function templateNames(file: string, options: ProjectOptions): Promise<TemplateNames | undefined> {
  const { loadTemplate } = await import('../deploy/index.ts');
  const model = loadTemplate(file, options).model;
  if (!model) return undefined; // unreadable: deploy (and validate) say why
  return {
    stateMachines: model.stateMachines.map((sm) => sm.name),
    functions: model.functions.map((f) => ({ logicalId: f.logicalId, functionName: f.name })),
  };
}

/** Whether the scenario deploys its template and runs the template's `workflow` (not a definition of its own). */
function runsTemplateWorkflow(l: LoadedScenario): boolean {
  return l.spec.workflow !== undefined && l.spec.deploy !== false && l.spec.definition === undefined;
}

function lineOf(file: string, key: string): number {
  try {
    const lines = readFileSync(file, 'utf8').split('\n');
    const i = lines.findIndex((x) => x.startsWith(`${key}:`));
    return i >= 0 ? i + 1 : 1;
  } catch {
    return 1;
  }
}

function suggestion(name: string, names: string[]): string {
  if (names.length === 0) return '';
  const best = closest(name, names);
  return distance(name.toLowerCase(), best.toLowerCase()) <= Math.max(2, Math.ceil(name.length / 3)) ? ` (did you mean '${best}'?)` : '';
}

/** Every problem, one line each (`file:line:col key: what`); empty when all is well. */
export async function checkAgainstTemplates(scenarios: LoadedScenario[], projects: ProjectResolver, cwd: string): Promise<string[]> {
  const problems: string[] = [];
  const names = new Map<string, Promise<TemplateNames | undefined>>();
  const namesOf = async (project: Project) => {
    const file = project.template!.value;
    const key = `${file}\0${JSON.stringify(parameterValues(project))}`;
    if (!names.has(key)) names.set(key, projectDeployOptions({ ...project, environment: {} }).then((o) => templateNames(file, o)));
    return names.get(key)!;
  };
  const checkedEnvironment = new Set<string>();
  for (const l of scenarios) {
    const needsTemplate = runsTemplateWorkflow(l) || l.spec.deploy === true;
    if (!needsTemplate) continue;
    const project = projects.at(dirname(l.file));
    if (!project.template) {
      problems.push(`${l.file}:${lineOf(l.file, l.spec.workflow ? 'workflow' : 'deploy')}:1 ${l.spec.workflow ? 'workflow' : 'deploy'}: the scenario deploys a template, but ${project.templateMissing} (give --template FILE, or run \`npx rehearse init\`)`);
      continue;
    }
    const template = project.template.value;
    const t = await namesOf(project);
    if (!t) continue;
    if (runsTemplateWorkflow(l) && !t.stateMachines.includes(l.spec.workflow!)) {
      const shown = shownPath(template, cwd);
      problems.push(
        `${l.file}:${lineOf(l.file, 'workflow')}:1 workflow: '${l.spec.workflow}' is not a state machine of ${shown} (${project.template.from})${suggestion(l.spec.workflow!, t.stateMachines)}; it defines ${t.stateMachines.map((n) => `'${n}'`).join(', ') || 'none'}`,
      );
    }
    const envKey = `${template}\0${project.config?.file ?? ''}`;
    if (!checkedEnvironment.has(envKey)) {
      checkedEnvironment.add(envKey);
      for (const target of unknownEnvironmentTargets(project.environment, t.functions)) {
        const fns = t.functions.map((f) => f.logicalId);
        problems.push(`${target}: no function of ${shownPath(template, cwd)} has that logical id or FunctionName${suggestion(target.split(' ')[0]!.replace(/^environment\./, ''), fns)}`);
      }
    }
  }
  return problems;
}
