/**
 * `rehearse validate [paths…]`: check workflows and the SAM template before
 * merging. Prints each problem as `error: FILE:LINE, state "S", field F: what`
 * and exits 2 when there is any error (warnings alone exit 0).
 */
import path from 'node:path';
import { EXIT_CODES } from '../../core/index.ts';
import { formatProblem } from '../../deploy/problems.ts';
import { validatePaths } from '../../deploy/validate.ts';
import type { CliIo } from '../io.ts';

const HELP = `usage: rehearse validate [paths…] [--quiet]

Validates SAM templates (template.yaml), the state machine definitions they
deploy (*.asl.json) and the Lambda code they name. A directory means its
template.yaml plus every *.asl.json in it. Default: workflows/

  --quiet   print only problems (no summary line)

exit codes: 0 no errors (warnings allowed), 2 errors found`;

export async function run(argv: string[], io: CliIo): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout.write(`${HELP}\n`);
    return 0;
  }
  const unknown = argv.filter((a) => a.startsWith('-') && a !== '--quiet');
  if (unknown.length > 0) {
    io.stderr.write(`rehearse validate: unknown option ${unknown[0]}\n${HELP}\n`);
    return EXIT_CODES.ERR_BAD_INPUT;
  }
  const quiet = argv.includes('--quiet');
  const paths = argv.filter((a) => !a.startsWith('-'));
  const report = await validatePaths(paths.length > 0 ? paths : ['workflows'], io.cwd);
  for (const p of report.problems) (p.severity === 'ERROR' ? io.stderr : io.stdout).write(`${formatProblem(p, io.cwd)}\n`);
  const errors = report.problems.filter((p) => p.severity === 'ERROR').length;
  const warnings = report.problems.length - errors;
  if (!quiet) {
    const files = report.checked.map((f) => path.relative(io.cwd, f) || f);
    const summary = `${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'} in ${files.length} file${files.length === 1 ? '' : 's'}`;
    (errors > 0 ? io.stderr : io.stdout).write(`${errors > 0 ? '✗' : '✓'} ${summary}\n`);
  }
  return errors > 0 ? EXIT_CODES.ERR_BAD_INPUT : 0;
}
