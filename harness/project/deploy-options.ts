/**
 * A resolved project as harness/deploy takes it (ProjectOptions): parameter
 * values, Fn::ImportValue values, local files for S3 objects, the stack name,
 * and each function's environment with the config's and `--env-vars`'
 * variables applied (environment.ts says how).
 */
import type { ProjectOptions } from '../deploy/index.ts';
import { applyEnvironment } from './environment.ts';
import { parameterValues, type Project } from './resolve.ts';

/**
 * `parameters` replaces the project's own values (a scenario's given.parameters
 * on top of them). `warn` hears each variable an env.json sets that the
 * template does not declare.
 */
export async function projectDeployOptions(project: Project, parameters: Record<string, string> = parameterValues(project), warn?: (message: string) => void): Promise<ProjectOptions> {
  const out: ProjectOptions = {
    ...(Object.keys(parameters).length > 0 ? { parameters } : {}),
    ...(Object.keys(project.imports).length > 0 ? { imports: project.imports } : {}),
    ...(Object.keys(project.s3Files).length > 0 ? { s3Files: project.s3Files } : {}),
    ...(project.stackName ? { stackName: project.stackName.value } : {}),
  };
  const env = project.environment;
  if ((env.config || env.envVars) && project.template) {
    // The template's own variables (resolved with these parameters) decide what an env.json may replace.
    const { loadTemplate } = await import('../deploy/index.ts');
    const functions = loadTemplate(project.template.value, out).model?.functions ?? [];
    out.functionEnvironment = Object.fromEntries(
      functions.map((f) => [f.logicalId, applyEnvironment({ logicalId: f.logicalId, functionName: f.name, environment: f.environment }, env, warn)]),
    );
  }
  return out;
}
