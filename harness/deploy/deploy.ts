/**
 * Deploys a template onto any Backend through the AWS SDK only (DESIGN.md
 * principle 1), the way CloudFormation would: resources in dependency order
 * (order.ts), each by its type's module (resources/registry.ts) with Ref and
 * Fn::GetAtt giving the values the backend returned; then the event sources
 * (bucket notifications, subscriptions) once every resource exists. A type
 * no module handles is named — skipped as having no local effect (IAM, log
 * groups), or one warning saying it is not deployed — and the rest deploys.
 * Redeploying is idempotent: each resource is read first and only created or
 * updated when it is missing or differs.
 */
import type { Backend } from '../backends/backend.ts';
import { RehearseError, trace } from '../core/index.ts';
import { eventSourceOfKind } from './events/registry.ts';
import { namingFailure } from './failure.ts';
import { TemplateInterpreter } from './interpret.ts';
import type { PhysicalResource } from './intrinsics.ts';
import { deployOrder } from './order.ts';
import { formatProblem, type Problem } from './problems.ts';
import { notDeployedReason, notDeployedWarning } from './resources/not-deployed.ts';
import type { StateMachineSpec } from './resources/state-machine.ts';
import type { ClientConfig, DeployChange, DeployScope, ProjectOptions, Wiring } from './resources/types.ts';
import { placeholdersIn } from './state-machine-check.ts';
import { readTemplate, type TemplateFile } from './template.ts';
import { validateTemplate } from './validate.ts';

export type { ChangeAction, DeployChange } from './resources/types.ts';

export interface DeployOptions extends ProjectOptions {
  /** Secret values by secret name (objects are stored as JSON text). */
  secrets?: Record<string, unknown>;
  /** Extra environment variables for every function (e.g. CONFIG_CACHE_TTL_SECONDS=0 in tests). */
  environment?: Record<string, string>;
  /** Execution role for functions and state machines (emulators accept any ARN). Default: a role ARN named after the resource. */
  roleArn?: string;
  /**
   * Definition text to deploy instead of a state machine's own, by state
   * machine name, with that state machine's DefinitionSubstitutions applied —
   * an edited definition run against the template's functions, bucket and
   * secrets. A name the template does not define is an error.
   */
  definitionOverrides?: Record<string, string>;
  /** Skip the validation pass (it already ran). */
  skipValidation?: boolean;
  /** Progress lines (created/updated/unchanged/skipped, warnings). */
  log?: (line: string) => void;
}

export interface DeployResult {
  region: string;
  accountId: string;
  /** Bucket names by logical id. */
  buckets: Record<string, string>;
  /** Topic ARNs by logical id. */
  topics: Record<string, string>;
  /** DynamoDB table names by logical id. */
  tables: Record<string, string>;
  /** SQS queue URLs by logical id. */
  queues: Record<string, string>;
  /** Secret ARNs by logical id (secrets given a value). */
  secrets: Record<string, string>;
  functions: Record<string, { name: string; arn: string }>;
  /** State machine ARNs by logical id and by name. */
  stateMachines: Record<string, string>;
  changes: DeployChange[];
  /** What was not deployed or only approximated (warnings), each naming where. */
  warnings: Problem[];
}

/** Backends may serve some services elsewhere (Step Functions Local); see harness/backends. */
function endpointFor(backend: Backend, service: string): string {
  const extra = (backend as Backend & { serviceEndpoints?: Partial<Record<string, string>> }).serviceEndpoints;
  return extra?.[service] ?? backend.endpoint;
}

export async function deploy(templateFile: string, backend: Backend, options: DeployOptions = {}): Promise<DeployResult> {
  const log = options.log ?? (() => {});
  trace(`deploy ${templateFile}`);
  if (!options.skipValidation) {
    const report = await validateTemplate(templateFile, { ...options, region: backend.region, ...(backend.accountId ? { accountId: backend.accountId } : {}) });
    const errors = report.problems.filter((p) => p.severity === 'ERROR');
    if (errors.length > 0) {
      throw new RehearseError('ERR_BAD_INPUT', `${templateFile} has ${errors.length} problem${errors.length === 1 ? '' : 's'}:\n${errors.map((p) => `  ${formatProblem(p)}`).join('\n')}`, { location: { file: templateFile } });
    }
    trace('template validated');
  }
  const read = readTemplate(templateFile);
  if (!read.template) throw new RehearseError('ERR_BAD_INPUT', read.problems.map((p) => formatProblem(p)).join('\n'), { location: { file: templateFile } });
  const template: TemplateFile = read.template;
  const accountId = backend.accountId ?? '000000000000';
  const interp = new TemplateInterpreter(template, { ...options, region: backend.region, accountId });
  const { order, cycle } = deployOrder(interp);
  if (cycle) throw new RehearseError('ERR_BAD_INPUT', `${templateFile}: Circular dependency between resources: [${cycle.join(', ')}]`, { location: { file: templateFile } });

  const clients = new Map<string, { destroy(): void }>();
  const held = new Map<string, Promise<unknown>>();
  const changes: DeployChange[] = [];
  const scope: DeployScope = {
    backend,
    template,
    region: backend.region,
    accountId,
    ctx: interp.ctx,
    options,
    client<T extends { destroy(): void }>(service: string, make: (config: ClientConfig) => T): T {
      let c = clients.get(service) as T | undefined;
      if (!c) {
        c = make({ endpoint: endpointFor(backend, service), region: backend.region, credentials: backend.credentials });
        clients.set(service, c);
      }
      return c;
    },
    change(c) {
      changes.push(c);
      log(`${c.action.padEnd(9)} ${c.type} ${c.logicalId} (${c.physicalId})${c.detail ? `: ${c.detail}` : ''}`);
    },
    log,
    roleFor: (name) => options.roleArn ?? `arn:${interp.ctx.partition}:iam::${accountId}:role/${name}-role`,
    before<T>(key: string, read: () => Promise<T>): Promise<T> {
      let known = held.get(key) as Promise<T> | undefined;
      if (!known) {
        known = read();
        held.set(key, known);
      }
      return known;
    },
  };
  try {
    checkOverrides(interp, order, options.definitionOverrides ?? {}, templateFile);
    const physical = new Map<string, PhysicalResource>();
    for (const id of order) {
      const loaded = interp.load(id);
      if (!loaded) {
        const mine = interp.problems.filter((p) => p.field?.startsWith(`Resources.${id}`) && p.severity === 'ERROR');
        throw new RehearseError('ERR_BAD_INPUT', `${templateFile}: ${id} cannot be deployed:\n${mine.map((p) => `  ${formatProblem(p)}`).join('\n') || '  (see rehearse validate)'}`, { location: { file: templateFile } });
      }
      const deployResource = loaded.module.deploy;
      const p = deployResource
        ? await namingFailure(template, `Resources.${id}`, `${id} (${loaded.type})`, () => deployResource(loaded.spec, scope))
        : loaded.module.physical(loaded.spec, interp.ctx);
      trace(`deployed ${loaded.type} ${id}`);
      physical.set(id, p);
      interp.deployed(id, p);
    }
    const { noLocalEffect, unsupported } = interp.notDeployed();
    for (const [id, type] of noLocalEffect) scope.change({ type, logicalId: id, physicalId: id, action: 'skipped', detail: 'no local effect (the endpoint grants every permission and keeps no log configuration)' });
    for (const [id, type] of unsupported) scope.change({ type, logicalId: id, physicalId: id, action: 'skipped', detail: `not deployed: ${notDeployedReason(type)}` });

    // Event sources, now that every resource exists.
    const wirings = new Map<string, Wiring[]>();
    for (const id of order) {
      const loaded = interp.load(id)!;
      if (!loaded.module.wiring) continue;
      const raw = template.resources[id]!;
      const items = loaded.module.wiring(loaded.spec, interp.lateProperties(id), interp.input(id, raw, loaded.module), physical.get(id)!);
      for (const w of items) wirings.set(w.kind, [...(wirings.get(w.kind) ?? []), w]);
    }
    for (const [kind, items] of wirings) {
      // Each source alone, so a refusal names the one it was (a module may deploy several in one call: S3 per bucket).
      const module = eventSourceOfKind(kind)!;
      const groups = module.independent ? items.map((w) => [w]) : [items];
      for (const group of groups) {
        const where = group[0]!.source;
        await namingFailure(template, where, group.length === 1 ? 'the event source' : `the event sources ${group.map((w) => w.source).join(', ')}`, () => module.deploy(group, scope));
      }
    }
    trace('deployed event sources');

    // A resource left out is a warning of the deploy's too, so a run that deploys says it (not only validate).
    const warnings = [...unsupported.map(([id, type]) => notDeployedWarning(template, id, type)), ...interp.problems.filter((p) => p.severity === 'WARNING')];
    for (const w of warnings) log(formatProblem(w));
    return result(interp, order, physical, changes, warnings, backend.region, accountId);
  } finally {
    for (const c of clients.values()) c.destroy();
  }
}

/** An override must name a state machine of the template, and use only placeholders its DefinitionSubstitutions define. */
function checkOverrides(interp: TemplateInterpreter, order: string[], overrides: Record<string, string>, file: string): void {
  const byName = new Map<string, StateMachineSpec>();
  for (const id of order) {
    const l = interp.load(id);
    if (l && (l.type === 'AWS::Serverless::StateMachine' || l.type === 'AWS::StepFunctions::StateMachine')) byName.set((l.spec as StateMachineSpec).name, l.spec as StateMachineSpec);
  }
  for (const [name, text] of Object.entries(overrides)) {
    const sm = byName.get(name);
    if (!sm) {
      throw new RehearseError('ERR_BAD_INPUT', `a definition was given for state machine ${name}, which ${file} does not define (it defines: ${[...byName.keys()].join(', ') || 'none'})`, { location: { file } });
    }
    const unknown = placeholdersIn(text).filter((p) => !Object.hasOwn(sm.substitutions, p));
    if (unknown.length) {
      throw new RehearseError(
        'ERR_BAD_INPUT',
        `the definition given for state machine ${name} has placeholders its DefinitionSubstitutions in ${file} do not define: ${unknown.map((p) => `\${${p}}`).join(', ')} (defined: ${Object.keys(sm.substitutions).join(', ') || 'none'})`,
        { location: { file } },
      );
    }
  }
}

function result(interp: TemplateInterpreter, order: string[], physical: Map<string, PhysicalResource>, changes: DeployChange[], warnings: Problem[], region: string, accountId: string): DeployResult {
  const out: DeployResult = { region, accountId, buckets: {}, topics: {}, tables: {}, queues: {}, secrets: {}, functions: {}, stateMachines: {}, changes, warnings };
  const created = new Set(changes.filter((c) => c.action !== 'skipped').map((c) => c.logicalId));
  for (const id of order) {
    const type = interp.template.resources[id]!.Type;
    const p = physical.get(id)!;
    if (type === 'AWS::S3::Bucket') out.buckets[id] = p.ref;
    else if (type === 'AWS::SNS::Topic') out.topics[id] = p.ref;
    else if (type === 'AWS::SQS::Queue' && created.has(id)) out.queues[id] = p.ref;
    else if ((type === 'AWS::DynamoDB::Table' || type === 'AWS::Serverless::SimpleTable') && created.has(id)) out.tables[id] = p.ref;
    else if (type === 'AWS::SecretsManager::Secret' && created.has(id)) out.secrets[id] = p.ref;
    else if ((type === 'AWS::Serverless::Function' || type === 'AWS::Lambda::Function') && created.has(id)) out.functions[id] = { name: p.ref, arn: String(p.attributes.Arn) };
    else if (type === 'AWS::Serverless::StateMachine' || type === 'AWS::StepFunctions::StateMachine') {
      out.stateMachines[id] = p.ref;
      out.stateMachines[String(p.attributes.Name)] = p.ref;
    }
  }
  return out;
}
