/**
 * AWS::Serverless::StateMachine and AWS::StepFunctions::StateMachine: the
 * definition from wherever the template gives it — inline `Definition` (YAML
 * or JSON, intrinsics such as `!Sub "arn:${AWS::Partition}:…"` resolved like
 * any property), `DefinitionString` (after Fn::Sub / Fn::Join), a
 * `DefinitionUri` file (`.json`, `.yaml`, `.asl.json`, `.asl.yaml`), or an S3
 * location the project maps to a local file — then DefinitionSubstitutions
 * applied, checked (state-machine-check.ts) and created with
 * CreateStateMachine / UpdateStateMachine.
 * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-resource-statemachine.html
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-stepfunctions-statemachine.html
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CreateStateMachineCommand, DescribeStateMachineCommand, ListStateMachinesCommand, SFNClient, UpdateStateMachineCommand } from '@aws-sdk/client-sfn';
import type { PhysicalResource, ResolveContext } from '../intrinsics.ts';
import { checkStateMachine, substitute } from '../state-machine-check.ts';
import { parseTemplateText } from '../template-text.ts';
import { isObj } from '../template.ts';
import { RULE_EVENT_TYPES, samRuleWiring } from '../events/eventbridge.ts';
import { samScheduleWiring } from '../events/scheduler.ts';
import { samEventNotDeployedReason } from '../events/registry.ts';
import type { DeployScope, ResourceInput, ResourceModule, Wiring } from './types.ts';
import { everyName } from './listing.ts';

export interface StateMachineSpec {
  logicalId: string;
  type: string;
  name: string;
  machineType: 'STANDARD' | 'EXPRESS';
  /** The definition file (DefinitionUri, or the local file an S3 location maps to); undefined for an inline definition. */
  definitionFile?: string;
  /** The definition as JSON text, before DefinitionSubstitutions; undefined when it could not be read. */
  definition?: string;
  /** DefinitionSubstitutions, resolved to text. */
  substitutions: Record<string, string>;
  /** Where each substitution is written (for problems), by key. */
  substitutionFields: Record<string, string>;
}

/** Reads a definition file: JSON, or YAML for `.yaml`/`.yml` (SAM accepts both); returns JSON text. */
export function readDefinitionFile(file: string): { text?: string; problem?: string; line?: number } {
  const raw = readFileSync(file, 'utf8');
  if (/\.ya?ml$/i.test(file)) {
    const { value, problem } = parseTemplateText(raw);
    if (problem) return { problem: `definition is not valid YAML: ${problem.message.replace(/^YAML: /, '')}`, ...(problem.line ? { line: problem.line } : {}) };
    return { text: JSON.stringify(value, null, 2) };
  }
  return { text: raw };
}

function locationOf(v: unknown): { bucket?: string; key?: string } {
  if (typeof v === 'string') {
    const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(v);
    return m ? { bucket: m[1]!, key: m[2]! } : {};
  }
  if (isObj(v)) return { ...(typeof v.Bucket === 'string' ? { bucket: v.Bucket } : {}), ...(typeof v.Key === 'string' ? { key: v.Key } : {}) };
  return {};
}

function readStateMachine(input: ResourceInput): StateMachineSpec {
  const p = input.properties;
  const sam = input.type === 'AWS::Serverless::StateMachine';
  const nameProp = sam ? 'Name' : 'StateMachineName';
  const typeProp = sam ? 'Type' : 'StateMachineType';
  const spec: StateMachineSpec = {
    logicalId: input.logicalId,
    type: input.type,
    name: typeof p[nameProp] === 'string' ? (p[nameProp] as string) : input.logicalId,
    machineType: p[typeProp] === 'EXPRESS' ? 'EXPRESS' : 'STANDARD',
    substitutions: {},
    substitutionFields: {},
  };
  if (p[typeProp] !== undefined && p[typeProp] !== 'STANDARD' && p[typeProp] !== 'EXPRESS') input.problem(`${typeProp} must be STANDARD or EXPRESS, got ${JSON.stringify(p[typeProp])}`, `Properties.${typeProp}`);
  if (isObj(p.DefinitionSubstitutions)) {
    for (const [k, v] of Object.entries(p.DefinitionSubstitutions)) {
      spec.substitutions[k] = typeof v === 'string' ? v : JSON.stringify(v);
      spec.substitutionFields[k] = `Resources.${input.logicalId}.Properties.DefinitionSubstitutions.${k}`;
    }
  }
  const sources = (sam ? ['Definition', 'DefinitionUri'] : ['Definition', 'DefinitionString', 'DefinitionS3Location']).filter((k) => input.raw.Properties[k] !== undefined);
  if (sources.length === 0) {
    input.problem(sam ? 'a state machine needs Definition or DefinitionUri' : 'a state machine needs Definition, DefinitionString or DefinitionS3Location', 'Properties');
    return spec;
  }
  if (sources.length > 1) input.problem(`give only one of ${sources.join(', ')}`, 'Properties');
  const source = sources[0]!;
  if (input.unresolved.has(source)) return spec;
  const value = p[source];
  if (source === 'Definition') {
    if (!isObj(value)) input.problem('Definition must be a mapping (the state machine in YAML or JSON)', 'Properties.Definition');
    else spec.definition = JSON.stringify(value, null, 2);
    return spec;
  }
  if (source === 'DefinitionString') {
    if (typeof value !== 'string') input.problem(`DefinitionString must resolve to text, got ${JSON.stringify(value)}`, 'Properties.DefinitionString');
    else spec.definition = value;
    return spec;
  }
  const field = `Properties.${source}`;
  let file: string | undefined;
  const s3 = locationOf(value);
  if (s3.bucket !== undefined || source === 'DefinitionS3Location') {
    const uri = `s3://${s3.bucket ?? '?'}/${s3.key ?? '?'}`;
    const local = input.project.s3Files?.[uri];
    if (local === undefined) {
      input.problem(`${source} ${uri} is in S3; map it to a local file under s3Files: in rehearse.config.yaml`, field);
      return spec;
    }
    file = path.resolve(input.template.dir, local);
  } else if (typeof value === 'string') {
    file = path.resolve(input.template.dir, value);
  } else {
    input.problem(`${source} must be a path relative to the template or an S3 location, got ${JSON.stringify(value)}`, field);
    return spec;
  }
  spec.definitionFile = file;
  if (!existsSync(file)) {
    input.problem(`${source} ${JSON.stringify(typeof value === 'string' ? value : file)} does not exist (resolved to ${file})`, field);
    return spec;
  }
  const read = readDefinitionFile(file);
  if (read.text !== undefined) spec.definition = read.text;
  // A file that does not parse is reported by validate, against the file.
  else spec.definition = readFileSync(file, 'utf8');
  return spec;
}

/** The definition as deploy creates it: `override` (a replacement text) or the template's, with DefinitionSubstitutions applied. */
export function deployedDefinition(spec: StateMachineSpec, override?: string): string | undefined {
  const text = override ?? spec.definition;
  return text === undefined ? undefined : substitute(text, spec.substitutions);
}

function stateMachinePhysical(arn: string, name: string): PhysicalResource {
  return { ref: arn, attributes: { Arn: arn, Name: name, StateMachineName: name, StateMachineRevisionId: 'INITIAL' } };
}

function normaliseJson(text: string | undefined): string {
  try {
    return JSON.stringify(JSON.parse(text ?? ''));
  } catch {
    return text ?? '';
  }
}

/** Every state machine's ARN by name, all pages of ListStateMachines. */
async function stateMachineArns(sfn: SFNClient): Promise<Map<string, string>> {
  const arns = await everyName((nextToken) => sfn.send(new ListStateMachinesCommand({ nextToken })), (p) => p.nextToken, (p) => p.stateMachines?.map((m) => m.stateMachineArn));
  // arn:aws:states:<region>:<account>:stateMachine:<name>
  return new Map([...arns].map((arn) => [arn.slice(arn.lastIndexOf(':') + 1), arn]));
}

async function deployStateMachine(spec: StateMachineSpec, scope: DeployScope): Promise<PhysicalResource> {
  const sfn = scope.client('states', (config) => new SFNClient(config));
  const definition = deployedDefinition(spec, scope.options.definitionOverrides?.[spec.name]);
  if (definition === undefined) throw new Error(`${spec.logicalId}: no definition (see rehearse validate)`);
  const roleArn = scope.roleFor(`StepFunctions-${spec.name}`);
  const arn = (await scope.before('states:state-machines', () => stateMachineArns(sfn))).get(spec.name);
  if (!arn) {
    const out = await sfn.send(new CreateStateMachineCommand({ name: spec.name, definition, roleArn, type: spec.machineType }));
    scope.change({ type: spec.type, logicalId: spec.logicalId, physicalId: out.stateMachineArn ?? '', action: 'created' });
    return stateMachinePhysical(out.stateMachineArn ?? '', spec.name);
  }
  const current = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: arn }));
  if (normaliseJson(current.definition) === normaliseJson(definition)) {
    scope.change({ type: spec.type, logicalId: spec.logicalId, physicalId: arn, action: 'unchanged' });
  } else {
    await sfn.send(new UpdateStateMachineCommand({ stateMachineArn: arn, definition, roleArn }));
    scope.change({ type: spec.type, logicalId: spec.logicalId, physicalId: arn, action: 'updated', detail: 'definition changed' });
  }
  return stateMachinePhysical(arn, spec.name);
}

export const stateMachine: ResourceModule<StateMachineSpec> = {
  types: ['AWS::Serverless::StateMachine', 'AWS::StepFunctions::StateMachine'],
  properties: ['Name', 'StateMachineName', 'Type', 'StateMachineType', 'Definition', 'DefinitionString', 'DefinitionUri', 'DefinitionS3Location', 'DefinitionSubstitutions'],
  lateProperties: ['Events'],
  read: readStateMachine,
  physical: (spec, c: ResolveContext) => stateMachinePhysical(`arn:${c.partition}:states:${c.region}:${c.accountId}:stateMachine:${spec.name}`, spec.name),
  validate: (spec, v) => checkStateMachine(spec, v),
  deploy: deployStateMachine,
  wiring(spec, late, input, physical): Wiring[] {
    // State machine events start executions: EventBridge rules and schedules (events/eventbridge.ts), Scheduler schedules (events/scheduler.ts); the others are not deployed.
    if (!isObj(late.Events)) return [];
    const out: Wiring[] = [];
    for (const [eventId, ev] of Object.entries(late.Events)) {
      const type = isObj(ev) && typeof ev.Type === 'string' ? ev.Type : '?';
      const field = `Properties.Events.${eventId}`;
      if ((RULE_EVENT_TYPES as readonly string[]).includes(type) && isObj(ev)) {
        const target = { logicalId: spec.logicalId, arn: String(physical.attributes.Arn), suffix: 'StepFunctionsTarget' as const };
        out.push(...samRuleWiring(target, eventId, type, isObj(ev.Properties) ? ev.Properties : {}, field, input.problem));
        continue;
      }
      if (type === 'ScheduleV2' && isObj(ev)) {
        out.push(...samScheduleWiring({ logicalId: spec.logicalId, arn: String(physical.attributes.Arn) }, eventId, isObj(ev.Properties) ? ev.Properties : {}, field, input.problem));
        continue;
      }
      input.problem(`event ${eventId} (Type ${type}) is not deployed: ${samEventNotDeployedReason(type)}`, field, 'WARNING');
    }
    return out;
  },
};
