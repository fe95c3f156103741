/**
 * `rehearse validate`: checks a template and every definition it deploys
 * before anything is deployed — the pre-merge check (DESIGN.md use 4). It
 * reads the template exactly as deploy does (interpret.ts): YAML/JSON,
 * parameters, conditions, intrinsics, each resource by its module (code
 * folders and handler modules, runtimes, definitions and their
 * substitutions, event sources), and names every resource type and event the
 * endpoint cannot honour (a warning: it is not deployed, the rest is).
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { BackendName } from '../backends/backend.ts';
import { unrunnableTasks } from '../backends/integrations.ts';
import { checkDefinition } from './definition-check.ts';
import { TemplateInterpreter } from './interpret.ts';
import { deployOrder } from './order.ts';
import { lineOfKey } from './problems.ts';
import type { Problem } from './problems.ts';
import { notDeployedWarning } from './resources/not-deployed.ts';
import { readDefinitionFile } from './resources/state-machine.ts';
import type { ProjectOptions, ValidateScope } from './resources/types.ts';
import { lineOfState, placeholdersIn, substitute } from './state-machine-check.ts';
import { readTemplate } from './template.ts';

export { placeholdersIn, substitute } from './state-machine-check.ts';

/** Region and account that template-only work (validation, planning) resolves names and ARNs in: only the names matter. */
export const VALIDATION_CONTEXT = { region: 'us-east-1', accountId: '123456789012' };

export interface ValidationReport {
  problems: Problem[];
  /** Files that were checked (templates and definitions). */
  checked: string[];
}

export interface ValidateOptions extends ProjectOptions {
  /** The backend Tasks are checked against (default embedded). */
  backend?: BackendName;
  /** Region and account to resolve in (default VALIDATION_CONTEXT). */
  region?: string;
  accountId?: string;
}

/** The transforms rehearse applies itself (SAM's, and the language extensions' functions). */
const KNOWN_TRANSFORMS = new Set(['AWS::Serverless-2016-10-31', 'AWS::LanguageExtensions']);

export async function validateTemplate(file: string, options: ValidateOptions = {}): Promise<ValidationReport> {
  const read = readTemplate(file);
  const report: ValidationReport = { problems: read.problems, checked: [path.resolve(file)] };
  const template = read.template;
  if (!template) return report;
  const interp = new TemplateInterpreter(template, { ...options, region: options.region ?? VALIDATION_CONTEXT.region, accountId: options.accountId ?? VALIDATION_CONTEXT.accountId });
  const add = (p: Problem) => interp.report(p);
  for (const p of read.problems) add(p);
  for (const t of template.transforms) {
    if (!KNOWN_TRANSFORMS.has(t)) add({ severity: 'WARNING', file: template.file, field: 'Transform', message: `Transform ${t} is a macro rehearse cannot run; the template is read as written` });
  }
  const sam = template.transforms.includes('AWS::Serverless-2016-10-31');
  for (const [id, raw] of Object.entries(template.resources)) {
    if (!sam && raw.Type.startsWith('AWS::Serverless::')) {
      add({ severity: 'ERROR', file: template.file, field: `Resources.${id}.Type`, message: `${raw.Type} needs Transform: AWS::Serverless-2016-10-31 at the top of the template`, ...lineAt(template.lineOf(id)) });
    }
  }
  for (const [name, p] of Object.entries(template.parameters)) {
    if (p.default === undefined && options.parameters?.[name] === undefined) add({ severity: 'WARNING', file: template.file, field: `Parameters.${name}`, message: 'parameter has no Default: pass a value when deploying (parameter overrides)' });
  }
  const { order, cycle } = deployOrder(interp);
  if (cycle) add({ severity: 'ERROR', file: template.file, field: 'Resources', message: `Circular dependency between resources: [${cycle.join(', ')}]` });
  const resources = interp.all();
  const scope: ValidateScope = { template, backend: options.backend ?? 'embedded', ctx: interp.ctx, project: options, report: add, resources };
  for (const r of resources) {
    if (r.module.validate) await r.module.validate(r.spec, scope);
    const definitionFile = (r.spec as { definitionFile?: string }).definitionFile;
    if (definitionFile && existsSync(definitionFile) && !report.checked.includes(definitionFile)) report.checked.push(definitionFile);
  }
  for (const id of order) {
    const loaded = interp.load(id);
    if (!loaded?.module.wiring) continue;
    loaded.module.wiring(loaded.spec, interp.lateProperties(id), interp.input(id, template.resources[id]!, loaded.module), loaded.module.physical(loaded.spec, interp.ctx));
  }
  for (const [id, type] of interp.notDeployed().unsupported) {
    add(notDeployedWarning(template, id, type));
  }
  report.problems = interp.problems;
  return report;
}

function lineAt(line: number | undefined): { line?: number } {
  return line === undefined ? {} : { line };
}

/** A definition file on its own (no template names it): checked with its placeholders left as they are. */
export async function validateDefinitionFile(file: string, options: ValidateOptions = {}): Promise<ValidationReport> {
  const abs = path.resolve(file);
  const source = readFileSync(abs, 'utf8');
  const problems: Problem[] = [];
  const read = readDefinitionFile(abs);
  const text = read.text ?? source;
  let parsedOk = read.text !== undefined;
  if (read.problem) problems.push({ severity: 'ERROR', file: abs, message: read.problem, ...lineAt(read.line) });
  else {
    try {
      JSON.parse(text);
    } catch (e) {
      parsedOk = false;
      const msg = (e as Error).message;
      const pos = /position (\d+)/.exec(msg);
      const p: Problem = { severity: 'ERROR', file: abs, message: `definition is not valid JSON: ${msg}` };
      if (pos) p.line = text.slice(0, Number(pos[1])).split('\n').length;
      problems.push(p);
    }
  }
  const yaml = /\.ya?ml$/i.test(abs);
  if (parsedOk) {
    // Placeholders become a syntactically valid Lambda ARN so the schema's ARN checks pass.
    const placeholders = placeholdersIn(text);
    const values = Object.fromEntries(placeholders.map((n) => [n, `arn:aws:lambda:us-east-1:123456789012:function:${n.replace(/[^A-Za-z0-9-_]/g, '')}`]));
    if (placeholders.length > 0) {
      problems.push({ severity: 'WARNING', file: abs, message: `not deployed by any template found next to it: placeholders ${placeholders.map((p) => `\${${p}}`).join(', ')} were not checked against DefinitionSubstitutions` });
    }
    const substituted = substitute(text, values);
    const issues: Array<{ severity: Problem['severity']; state?: string; field?: string; message: string }> = await checkDefinition(substituted);
    const parsed = issues.some((d) => d.severity === 'ERROR' && /not valid JSON/.test(d.message)) ? undefined : (JSON.parse(substituted) as unknown);
    for (const t of unrunnableTasks(parsed, options.backend ?? 'embedded')) issues.push({ severity: 'WARNING', state: t.state, field: 'Resource', message: t.message });
    for (const d of issues) {
      const p: Problem = { severity: d.severity, file: abs, message: d.message };
      if (d.state !== undefined) {
        p.state = d.state;
        const line = yaml ? lineOfState(source, d.state, true) : lineOfKey(text, d.state);
        if (line) p.line = line;
      }
      if (d.field !== undefined) p.field = d.field;
      else if ('location' in d && typeof d.location === 'string' && d.location) p.field = d.location;
      problems.push(p);
    }
  }
  return { problems, checked: [abs] };
}

const TEMPLATE_NAMES = ['template.yaml', 'template.yml', 'template.json'];
/** Definition files a folder holds (`*.asl.json`, `*.asl.yaml`, `*.asl.yml`). */
const DEFINITION_FILE = /\.asl\.(json|ya?ml)$/;

/**
 * Validates paths: templates (with everything they deploy), definition files
 * (in the context of the template next to them that deploys them, if any) and
 * directories (their template plus any definition it does not deploy).
 */
export async function validatePaths(paths: string[], cwd: string, options: ValidateOptions = {}): Promise<ValidationReport> {
  const report: ValidationReport = { problems: [], checked: [] };
  const done = new Set<string>();
  const add = (r: ValidationReport) => {
    for (const p of r.problems) {
      const key = JSON.stringify([p.file, p.line, p.state, p.field, p.message]);
      if (!done.has(key)) {
        done.add(key);
        report.problems.push(p);
      }
    }
    for (const c of r.checked) if (!report.checked.includes(c)) report.checked.push(c);
  };
  for (const input of paths) {
    const abs = path.resolve(cwd, input);
    if (!existsSync(abs)) {
      report.problems.push({ severity: 'ERROR', file: abs, message: 'no such file or directory' });
      continue;
    }
    if (statSync(abs).isDirectory()) {
      const entries = readdirSync(abs);
      const template = TEMPLATE_NAMES.map((n) => path.join(abs, n)).find((f) => existsSync(f));
      if (template) add(await validateTemplate(template, options));
      for (const e of entries.filter((n) => DEFINITION_FILE.test(n)).sort()) {
        const f = path.join(abs, e);
        if (!report.checked.includes(f)) add(await validateDefinitionFile(f, options));
      }
      if (!template && !entries.some((n) => DEFINITION_FILE.test(n))) {
        report.problems.push({ severity: 'ERROR', file: abs, message: `no ${TEMPLATE_NAMES.join('/')} and no *.asl.json / *.asl.yaml files here` });
      }
    } else if ((/\.(ya?ml|json)$/.test(abs) && !DEFINITION_FILE.test(abs) && isTemplateFile(abs)) || TEMPLATE_NAMES.includes(path.basename(abs))) {
      add(await validateTemplate(abs, options));
    } else {
      const template = TEMPLATE_NAMES.map((n) => path.join(path.dirname(abs), n)).find((f) => existsSync(f));
      if (template) {
        const r = await validateTemplate(template, options);
        if (r.checked.includes(abs)) {
          // Keep only what concerns this file (and the template's own problems about it).
          add({ problems: r.problems.filter((p) => p.file === abs || p.file === template), checked: [abs] });
          continue;
        }
      }
      add(await validateDefinitionFile(abs, options));
    }
  }
  return report;
}

/** A YAML/JSON file with a Resources section (a template), as opposed to a definition (StartAt + States). */
function isTemplateFile(file: string): boolean {
  const text = readFileSync(file, 'utf8');
  return /^\s*["']?Resources["']?\s*:/m.test(text) || !/^\s*["']?States["']?\s*:/m.test(text);
}
