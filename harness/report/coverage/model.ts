/**
 * What coverage counts in one ASL definition: every state (those inside
 * Parallel branches and Map item processors too, keyed by their path), every
 * transition a state can take (its `Next`, each Choice rule, the Choice's
 * `Default`, each Catch's `Next`), every retrier, and each Parallel branch or
 * Map item processor. Pure; reads the definition as JSON, nothing else.
 * https://docs.aws.amazon.com/step-functions/latest/dg/concepts-amazon-states-language.html
 */
import type { LocationPart } from '../../asl/validation/location.ts';

export type TransitionKind = 'next' | 'choice' | 'default' | 'catch';

export interface CoverableState {
  /** `Name` at the top level; `Parallel/Branches[1]/Name`, `Map/ItemProcessor/Name` inside containers. */
  path: string;
  name: string;
  type: string;
  /** Where the state is in the definition: `['States', 'P', 'Branches', 1, 'States', 'Name']`. */
  at: LocationPart[];
}

export interface CoverableTransition {
  /** The source state's path and the field: `IsValid.Choices[0]`, `IsValid.Default`, `Resize.Catch[1]`, `Resize.Next`. */
  id: string;
  /** Path of the state it leaves. */
  from: string;
  fromName: string;
  /** Name of the state it enters (names are unique across a definition). */
  to: string;
  kind: TransitionKind;
  /** The rule's or catcher's position in its list (choice, catch). */
  index?: number;
  /** A catcher's `ErrorEquals` (which catcher caught an error when two lead to the same state). */
  errorEquals?: string[];
  /** Where the rule is written: the Choice rule or catcher object, or the `Next`/`Default` field. */
  at: LocationPart[];
}

export interface CoverableRetrier {
  /** `Resize.Retry[0]`. */
  id: string;
  state: string;
  stateName: string;
  index: number;
  errorEquals: string[];
  at: LocationPart[];
}

export interface CoverableContainer {
  path: string;
  name: string;
  type: 'Parallel' | 'Map';
  /** A Parallel's branches; a Map's one item processor (its `StartAt`). */
  branches: Array<{ index: number; startAt: string }>;
  /** A distributed Map: its item processor's states are not counted (they run as child executions). */
  distributed?: true;
}

export interface CoverageModel {
  startAt: string;
  states: CoverableState[];
  transitions: CoverableTransition[];
  retriers: CoverableRetrier[];
  containers: CoverableContainer[];
}

type Json = Record<string, unknown>;

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The model of a definition (JSON text or the parsed object); undefined when it has no `States` to count. */
export function coverageModel(definition: string | unknown): CoverageModel | undefined {
  let root: unknown = definition;
  if (typeof definition === 'string') {
    try {
      root = JSON.parse(definition) as unknown;
    } catch {
      return undefined;
    }
  }
  if (!isObj(root) || !isObj(root.States)) return undefined;
  const model: CoverageModel = { startAt: typeof root.StartAt === 'string' ? root.StartAt : '', states: [], transitions: [], retriers: [], containers: [] };
  walk(root, [], '', model);
  return model;
}

function errorsOf(handler: unknown): string[] {
  return isObj(handler) && Array.isArray(handler.ErrorEquals) ? handler.ErrorEquals.filter((e): e is string => typeof e === 'string') : [];
}

function walk(machine: Json, at: LocationPart[], prefix: string, model: CoverageModel): void {
  const states = isObj(machine.States) ? machine.States : {};
  for (const [name, raw] of Object.entries(states)) {
    if (!isObj(raw)) continue;
    const path = `${prefix}${name}`;
    const stateAt = [...at, 'States', name];
    const type = typeof raw.Type === 'string' ? raw.Type : '?';
    model.states.push({ path, name, type, at: stateAt });
    const transition = (field: string, to: unknown, kind: TransitionKind, where: LocationPart[], index?: number, errorEquals?: string[]) => {
      if (typeof to !== 'string') return;
      model.transitions.push({ id: `${path}.${field}`, from: path, fromName: name, to, kind, ...(index !== undefined ? { index } : {}), ...(errorEquals ? { errorEquals } : {}), at: where });
    };
    if (Array.isArray(raw.Choices)) {
      raw.Choices.forEach((rule, i) => transition(`Choices[${i}]`, isObj(rule) ? rule.Next : undefined, 'choice', [...stateAt, 'Choices', i], i));
      transition('Default', raw.Default, 'default', [...stateAt, 'Default']);
    }
    transition('Next', raw.Next, 'next', [...stateAt, 'Next']);
    if (Array.isArray(raw.Catch)) raw.Catch.forEach((c, i) => transition(`Catch[${i}]`, isObj(c) ? c.Next : undefined, 'catch', [...stateAt, 'Catch', i], i, errorsOf(c)));
    if (Array.isArray(raw.Retry)) {
      raw.Retry.forEach((r, i) => {
        const errorEquals = errorsOf(r);
        model.retriers.push({ id: `${path}.Retry[${i}]`, state: path, stateName: name, index: i, errorEquals, at: [...stateAt, 'Retry', i] });
      });
    }
    if (type === 'Parallel' && Array.isArray(raw.Branches)) {
      const branches: CoverableContainer['branches'] = [];
      raw.Branches.forEach((b, i) => {
        if (!isObj(b)) return;
        branches.push({ index: i, startAt: typeof b.StartAt === 'string' ? b.StartAt : '' });
        walk(b, [...stateAt, 'Branches', i], `${path}/Branches[${i}]/`, model);
      });
      model.containers.push({ path, name, type: 'Parallel', branches });
    }
    if (type === 'Map') {
      // `Iterator` is the older name of `ItemProcessor` (still accepted by Step Functions).
      const field = isObj(raw.ItemProcessor) ? 'ItemProcessor' : isObj(raw.Iterator) ? 'Iterator' : undefined;
      const processor = field ? (raw[field] as Json) : undefined;
      // A distributed Map runs its item processor as child executions, whose histories are not the parent's: not counted here.
      const distributed = isObj(processor?.ProcessorConfig) && processor.ProcessorConfig.Mode === 'DISTRIBUTED';
      if (field && processor && !distributed) walk(processor, [...stateAt, field], `${path}/${field}/`, model);
      const branches = processor && !distributed ? [{ index: 0, startAt: typeof processor.StartAt === 'string' ? processor.StartAt : '' }] : [];
      model.containers.push({ path, name, type: 'Map', branches, ...(distributed ? { distributed: true as const } : {}) });
    }
  }
}
