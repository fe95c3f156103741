/**
 * `rehearse validate [paths…]`: check a project's template, the state machine
 * definitions it deploys and the Lambda code it names before merging. Prints
 * each problem as `error: FILE:LINE, state "S", field F: what` — an error that
 * only follows from another one indented under it — and exits 2 when there is
 * any error (warnings alone exit 0).
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { EXIT_CODES, RehearseError } from '../../core/index.ts';
import { groupFollowOns } from '../../deploy/follow-ons.ts';
import { formatProblem } from '../../deploy/problems.ts';
import { validatePaths } from '../../deploy/validate.ts';
import { projectDeployOptions } from '../../project/deploy-options.ts';
import { resolveProject, shownPath } from '../../project/resolve.ts';
import type { CliIo } from '../io.ts';

const HELP = `usage: rehearse validate [paths…] [options]

Validates SAM/CloudFormation templates, the state machine definitions they
deploy (*.asl.json, *.asl.yaml) and the Lambda code they name. A directory
means its template plus every definition file in it. Default: the project's
template (rehearse.config.yaml's, else samconfig's template_file, else
template.yaml|yml|json found upward, else cdk.out/) and the definition files
beside it.

  --template FILE                 the template to validate (as rehearse run takes it)
  --config FILE                   the rehearse.config.yaml to use
  --parameter-overrides 'K=V …'   template parameters (repeatable)
  --quiet                         print only problems (no summary line)

exit codes: 0 no errors (warnings allowed), 2 errors found`;

const DEFINITION_FILE = /\.asl\.(json|ya?ml)$/;

export async function run(argv: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        template: { type: 'string' },
        config: { type: 'string' },
        'parameter-overrides': { type: 'string', multiple: true },
        quiet: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    io.stderr.write(`rehearse validate: ${(e as Error).message.split('\n')[0]}\n${HELP}\n`);
    return EXIT_CODES.ERR_BAD_INPUT;
  }
  const v = parsed.values;
  if (v.help) {
    io.stdout.write(`${HELP}\n`);
    return 0;
  }
  const project = resolveProject(io.cwd, {
    ...(v.template !== undefined ? { template: v.template } : {}),
    ...(v.config !== undefined ? { config: v.config } : {}),
    ...(v['parameter-overrides'] !== undefined ? { parameterOverrides: v['parameter-overrides'] } : {}),
  }, io.cwd);
  let paths = parsed.positionals;
  if (paths.length === 0) {
    if (!project.template) {
      throw new RehearseError('ERR_BAD_INPUT', `nothing to validate: ${project.templateMissing}`, {
        hint: 'name a template or folder (rehearse validate template.yaml), give --template FILE, or run `npx rehearse init`',
      });
    }
    const template = project.template.value;
    const dir = path.dirname(template);
    paths = [template, ...readdirSync(dir).filter((n) => DEFINITION_FILE.test(n)).sort().map((n) => path.join(dir, n))];
    if (!v.quiet) io.stdout.write(`validating ${shownPath(template, io.cwd)} (${project.template.from})\n`);
  }
  const report = await validatePaths(paths, io.cwd, await projectDeployOptions(project));
  let errors = 0;
  let followOns = 0;
  for (const { problem, followOns: after } of groupFollowOns(report.problems)) {
    const out = problem.severity === 'ERROR' ? io.stderr : io.stdout;
    if (problem.severity === 'ERROR') errors++;
    followOns += after.length;
    out.write(`${formatProblem(problem, io.cwd)}\n`);
    for (const f of after) out.write(`  ↳ and so: ${formatProblem(f, io.cwd).replace(/^error: /, '')}\n`);
  }
  const warnings = report.problems.filter((p) => p.severity === 'WARNING').length;
  if (!v.quiet) {
    const files = report.checked.map((f) => path.relative(io.cwd, f) || f);
    const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
    const summary = `${plural(errors, 'error')}${followOns ? ` (and ${followOns} following from them)` : ''}, ${plural(warnings, 'warning')} in ${plural(files.length, 'file')}`;
    (errors > 0 ? io.stderr : io.stdout).write(`${errors > 0 ? '✗' : '✓'} ${summary}\n`);
  }
  return errors > 0 ? EXIT_CODES.ERR_BAD_INPUT : 0;
}
