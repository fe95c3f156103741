/**
 * `rehearse init [--template FILE] [--scenarios DIR] [--force]`: set Rehearse
 * up in an existing repository — find its template(s), write
 * rehearse.config.yaml and a starter scenario per state machine, say what it
 * found and what to run next. Never replaces a file without --force.
 */
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { RehearseError } from '../../core/index.ts';
import { initProject } from '../../project/init.ts';
import type { CliIo } from '../io.ts';

const HELP = `usage: rehearse init [--template FILE] [--scenarios DIR] [--force]

Finds the project's template — samconfig.toml's template_file, template.yaml|yml|json,
any CloudFormation template a few folders deep, a synthesized CDK app (cdk.out/) —
and writes rehearse.config.yaml and one starter scenario per state machine
(without state machines: per function, started as its SQS or S3 event starts it, else invoked).

  --template FILE    use this template (or cdk.out/) instead of the one found
  --scenarios DIR    where the starter scenarios go (default: scenarios)
  --force            replace files that exist (otherwise they are kept)`;

export async function run(argv: string[], io: CliIo): Promise<number> {
  let v;
  try {
    v = parseArgs({
      args: argv,
      strict: true,
      options: { template: { type: 'string' }, scenarios: { type: 'string' }, force: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    }).values;
  } catch (e) {
    throw new RehearseError('ERR_BAD_INPUT', `${(e as Error).message.split('\n')[0]} (rehearse init --help)`);
  }
  if (v.help) {
    io.stdout.write(`${HELP}\n`);
    return 0;
  }
  const { loadTemplate } = await import('../../deploy/index.ts');
  const r = await initProject(
    { root: io.cwd, ...(v.template !== undefined ? { template: v.template } : {}), ...(v.scenarios !== undefined ? { scenarios: v.scenarios } : {}), force: v.force ?? false },
    (file, parameters, stackName) => loadTemplate(file, { parameters, ...(stackName !== undefined ? { stackName } : {}) }).model,
  );
  const rel = (f: string) => relative(io.cwd, f) || '.';
  const say = (line = '') => io.stdout.write(`${line}\n`);
  say(`found ${r.found.length} template${r.found.length === 1 ? '' : 's'}: ${r.found.map(rel).join(', ')}`);
  say(`using ${rel(r.template)} (${r.chosenBy}): ${r.stateMachines.length} state machine${r.stateMachines.length === 1 ? '' : 's'}${r.stateMachines.length ? ` (${r.stateMachines.join(', ')})` : ''}, ${r.functions.length} function${r.functions.length === 1 ? '' : 's'}`);
  if (r.samconfig) {
    const n = Object.keys(r.samconfig.parameterOverrides).length;
    if (n > 0) say(`${rel(r.samconfig.file)}: its parameter_overrides (${n}) apply to every run; rehearse.config.yaml parameters win over them`);
  }
  if (r.found.length > 1) say(`another template? rehearse init --template ${rel(r.found[1]!)} --force`);
  for (const f of r.files) say(`  ${f.action === 'kept' ? 'kept   ' : f.action === 'replaced' ? 'replaced' : 'wrote  '} ${rel(f.path)}${f.action === 'kept' ? ' (exists; --force replaces it)' : ''}`);
  if (r.stateMachines.length === 0) say('the template defines no state machine: a starter per function, started as its events start it (a message, an upload, else an invoke)');
  say();
  say('next: npx rehearse run');
  return 0;
}
