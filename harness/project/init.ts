/**
 * `rehearse init`: what it writes into an existing repository — a
 * rehearse.config.yaml naming the template it found, and one starter scenario
 * per state machine (started with an input the template gives it, else `{}`,
 * expecting SUCCEEDED) — never replacing a file that exists unless forced.
 * The command (harness/cli/commands/init.ts) prints; this module decides.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { stringify } from 'yaml';
import type { TemplateModel } from '../deploy/index.ts';
import { RehearseError } from '../core/index.ts';
import { schemaComment } from './schema-path.ts';
import { readSamConfig, samConfigIn, type SamConfig } from './samconfig.ts';
import { CDK_MANIFEST, scanTemplates, templateFileOf } from './templates.ts';

export interface InitOptions {
  /** The repository root (where rehearse.config.yaml goes). */
  root: string;
  /** A template chosen on the command line (relative to root); otherwise the one found. */
  template?: string;
  /** Where the starter scenarios go (relative to root; default scenarios). */
  scenarios?: string;
  /** Replace files that exist. */
  force?: boolean;
}

export interface InitFile {
  path: string;
  action: 'written' | 'replaced' | 'kept';
}

export interface InitResult {
  /** Every template found, the chosen one first. */
  found: string[];
  template: string;
  /** How it was chosen: `--template`, `samconfig.toml template_file`, `found`. */
  chosenBy: string;
  samconfig?: SamConfig;
  stateMachines: string[];
  functions: string[];
  files: InitFile[];
}

/** The templates a repository holds, and the one init uses. */
function chooseTemplate(o: InitOptions): { template: string; found: string[]; chosenBy: string; samconfig?: SamConfig } {
  const samFile = samConfigIn(o.root);
  const samconfig = samFile ? readSamConfig(samFile) : undefined;
  const found = scanTemplates(o.root);
  if (o.template !== undefined) {
    const t = templateFileOf(resolve(o.root, o.template), '--template');
    return { template: t, found: [t, ...found.filter((f) => f !== t)], chosenBy: '--template', ...(samconfig ? { samconfig } : {}) };
  }
  if (samconfig?.templateFile && existsSync(samconfig.templateFile)) {
    const t = samconfig.templateFile;
    return { template: t, found: [t, ...found.filter((f) => f !== t)], chosenBy: `${relative(o.root, samconfig.file)} template_file`, samconfig };
  }
  if (found.length === 0) {
    throw new RehearseError('ERR_BAD_INPUT', `no template found in ${o.root}: no template.yaml|yml|json, no file that reads as a CloudFormation template (a few folders deep), no ${CDK_MANIFEST}`, {
      hint: 'name it: rehearse init --template path/to/template.yaml (for CDK, run cdk synth first)',
    });
  }
  // A synthesized CDK app: the stacks come last in `found`; with only stacks, the first is as good a guess as any.
  return { template: found[0]!, found, chosenBy: 'found', ...(samconfig ? { samconfig } : {}) };
}

/** The first event of a state machine that carries an `Input` (Schedule, EventBridge rule…), parsed; else {}. */
function starterInput(model: TemplateModel, logicalId: string): unknown {
  const raw = model.template.resources[logicalId];
  const events = raw?.Properties && typeof raw.Properties.Events === 'object' && raw.Properties.Events ? (raw.Properties.Events as Record<string, unknown>) : {};
  for (const ev of Object.values(events)) {
    const props = (ev as { Properties?: { Input?: unknown } })?.Properties;
    if (typeof props?.Input === 'string') {
      try {
        return JSON.parse(props.Input) as unknown;
      } catch {
        /* not JSON: keep looking */
      }
    } else if (props?.Input && typeof props.Input === 'object') return props.Input;
  }
  return {};
}

function slug(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'workflow';
}

function configText(model: TemplateModel, template: string, scenarios: string, root: string, samconfig: SamConfig | undefined): string {
  const lines = [
    '# Rehearse configuration: what `npx rehearse run` deploys and where its scenarios are.',
    '# Reference: node_modules/rehearse-aws/docs/configuration.md — precedence: command-line',
    '# flags > this file > samconfig.toml parameter_overrides > the template\'s defaults.',
    `template: ${relative(root, template)}`,
    `scenarios: ${scenarios}`,
  ];
  const params = Object.entries(model.template.parameters);
  const given = samconfig?.parameterOverrides ?? {};
  const required = params.filter(([k, p]) => p.default === undefined && given[k] === undefined);
  const optional = params.filter(([k, p]) => !(p.default === undefined && given[k] === undefined));
  if (params.length > 0) {
    lines.push('', '# Template parameters for local runs.');
    if (required.length > 0) {
      lines.push('parameters:');
      for (const [k] of required) lines.push(`  ${k}: ''   # required: the template has no Default (and samconfig sets none)`);
    } else lines.push('# parameters:');
    for (const [k, p] of optional) {
      const from = given[k] !== undefined ? `samconfig: ${given[k]}` : `default: ${p.default}`;
      lines.push(`#   ${k}: ${JSON.stringify(given[k] ?? p.default)}   # ${from}`);
    }
  }
  const withEnv = model.functions.filter((f) => Object.keys(f.environment).length > 0);
  lines.push('', "# Lambda environment variables, by function logical id or FunctionName ('*': every function).", '# environment:');
  for (const f of (withEnv.length > 0 ? withEnv : model.functions).slice(0, 20)) {
    lines.push(`#   ${f.logicalId}:`);
    const vars = Object.entries(f.environment).slice(0, 5);
    if (vars.length === 0) lines.push('#     LOG_LEVEL: debug');
    for (const [k, v] of vars) lines.push(`#     ${k}: ${JSON.stringify(v)}`);
  }
  return `${lines.join('\n')}\n`;
}

function scenarioText(name: string, input: unknown, schemaLine: string): string {
  const doc = {
    name: `${name} succeeds`,
    workflow: name,
    when: [{ start: { input } }],
    then: { execution: { status: 'SUCCEEDED' } },
  };
  return `${schemaLine}\n# A starter: start ${name} and expect it to succeed. Add what it should do —\n# given (secrets, objects, faults), more steps, then (output, path, states, objects).\n${stringify(doc, { flowCollectionPadding: true })}`;
}

/** Writes what init writes; `loadModel` reads the template (harness/deploy's loadTemplate). */
export async function initProject(o: InitOptions, loadModel: (file: string, parameters: Record<string, string>) => TemplateModel | undefined): Promise<InitResult> {
  const chosen = chooseTemplate(o);
  const model = loadModel(chosen.template, chosen.samconfig?.parameterOverrides ?? {});
  if (!model) throw new RehearseError('ERR_BAD_INPUT', `${relative(o.root, chosen.template)} cannot be read as a template (rehearse validate ${relative(o.root, chosen.template)} says why)`);
  const scenarios = o.scenarios ?? 'scenarios';
  const files: InitFile[] = [];
  const write = (file: string, text: string) => {
    const exists = existsSync(file);
    if (exists && !o.force) return files.push({ path: file, action: 'kept' });
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
    files.push({ path: file, action: exists ? 'replaced' : 'written' });
  };
  write(join(o.root, 'rehearse.config.yaml'), configText(model, chosen.template, scenarios, o.root, chosen.samconfig));
  const scenarioDir = resolve(o.root, scenarios);
  const schemaLine = schemaComment(scenarioDir);
  for (const sm of model.stateMachines) {
    write(join(scenarioDir, `${slug(sm.name)}.yaml`), scenarioText(sm.name, starterInput(model, sm.logicalId), schemaLine));
  }
  return {
    found: chosen.found,
    template: chosen.template,
    chosenBy: chosen.chosenBy,
    ...(chosen.samconfig ? { samconfig: chosen.samconfig } : {}),
    stateMachines: model.stateMachines.map((s) => s.name),
    functions: model.functions.map((f) => f.logicalId),
    files,
  };
}

