/**
 * CloudFormation's intrinsic functions and pseudo parameters, resolved the way
 * CloudFormation resolves them: Ref, Fn::GetAtt, Fn::Sub (both forms), Fn::Join,
 * Fn::Select, Fn::Split, Fn::If / Fn::Equals / Fn::And / Fn::Or / Fn::Not with
 * Conditions, Fn::FindInMap (with the language extensions' DefaultValue),
 * Fn::Base64, Fn::GetAZs, Fn::Cidr, Fn::ImportValue, and the
 * AWS::LanguageExtensions Fn::Length and Fn::ToJsonString.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/pseudo-parameter-reference.html
 */

export class ResolveError extends Error {
  /** Where inside the value being resolved it failed (map keys and list indexes), outermost first. */
  path: Array<string | number> = [];
  constructor(message: string) {
    super(message);
    this.name = 'ResolveError';
  }
}

/** Runs `f`, adding `segment` to the path of a ResolveError it throws. */
function at<T>(segment: string | number, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof ResolveError) e.path.unshift(segment);
    throw e;
  }
}

/** What a resource resolves to: its Ref value and its Fn::GetAtt attributes. */
export interface PhysicalResource {
  ref: string;
  attributes: Record<string, unknown>;
  /**
   * Set when rehearse does not know this resource type's attributes: any
   * attribute resolves to a placeholder, and this text explains why (a warning).
   */
  unknownAttributes?: string;
}

export interface ResolveContext {
  region: string;
  accountId: string;
  partition: string;
  urlSuffix: string;
  stackName: string;
  /** Parameter values (list parameters as their comma-separated text). */
  parameters: Record<string, string>;
  /** Parameter types (`CommaDelimitedList` and `List<…>` resolve to lists). */
  parameterTypes: Record<string, string>;
  conditions: Record<string, unknown>;
  mappings: Record<string, unknown>;
  /** Values for Fn::ImportValue, by export name (from the project's configuration). */
  imports: Record<string, string>;
  /** The resource by logical id; undefined when the template has none by that name. */
  resource(logicalId: string): PhysicalResource | undefined;
  /** A value resolved to something approximate (an attribute of a type rehearse does not model). */
  warn?(message: string): void;
}

/** `Ref: AWS::NoValue`: the property (or list item) it stands for is removed. */
export const NO_VALUE: unique symbol = Symbol('AWS::NoValue');

/** https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html — partitions by region prefix. */
export function partitionOf(region: string): { partition: string; urlSuffix: string } {
  if (region.startsWith('cn-')) return { partition: 'aws-cn', urlSuffix: 'amazonaws.com.cn' };
  if (region.startsWith('us-gov-')) return { partition: 'aws-us-gov', urlSuffix: 'amazonaws.com' };
  if (region.startsWith('us-iso-')) return { partition: 'aws-iso', urlSuffix: 'c2s.ic.gov' };
  if (region.startsWith('us-isob-')) return { partition: 'aws-iso-b', urlSuffix: 'sc2s.sgov.gov' };
  return { partition: 'aws', urlSuffix: 'amazonaws.com' };
}

const PSEUDO: Record<string, (c: ResolveContext) => unknown> = {
  'AWS::Region': (c) => c.region,
  'AWS::AccountId': (c) => c.accountId,
  'AWS::Partition': (c) => c.partition,
  'AWS::URLSuffix': (c) => c.urlSuffix,
  'AWS::StackName': (c) => c.stackName,
  'AWS::StackId': (c) => `arn:${c.partition}:cloudformation:${c.region}:${c.accountId}:stack/${c.stackName}/00000000-0000-0000-0000-000000000000`,
  'AWS::NotificationARNs': () => [],
  'AWS::NoValue': () => NO_VALUE,
};

export function isListParameter(type: string | undefined): boolean {
  return type !== undefined && (type === 'CommaDelimitedList' || /^List<.*>$/.test(type) || /^AWS::SSM::Parameter::Value<List<.*>>$/.test(type));
}

function refValue(name: unknown, c: ResolveContext): unknown {
  if (typeof name !== 'string') throw new ResolveError(`Ref needs the name of a parameter or resource, got ${JSON.stringify(name)}`);
  const pseudo = PSEUDO[name];
  if (pseudo) return pseudo(c);
  if (name.startsWith('AWS::')) throw new ResolveError(`Ref ${name}: there is no pseudo parameter named ${name}`);
  if (Object.hasOwn(c.parameters, name)) {
    const v = c.parameters[name]!;
    // CommaDelimitedList members are space-trimmed (AWS's parameters reference).
    return isListParameter(c.parameterTypes[name]) ? (v === '' ? [] : v.split(',').map((s) => s.trim())) : v;
  }
  if (Object.hasOwn(c.parameterTypes, name)) throw new ResolveError(`Ref ${name}: parameter ${name} has no Default and no value was given (parameter overrides)`);
  const r = c.resource(name);
  if (r) return r.ref;
  throw new ResolveError(`Ref ${name}: no parameter or resource named ${name}`);
}

function getAtt(args: unknown, c: ResolveContext): unknown {
  let list = args;
  if (typeof list === 'string') {
    const dot = list.indexOf('.');
    list = dot < 0 ? [list] : [list.slice(0, dot), list.slice(dot + 1)];
  }
  if (!Array.isArray(list) || list.length !== 2 || typeof list[0] !== 'string') {
    throw new ResolveError(`Fn::GetAtt needs [LogicalId, AttributeName], got ${JSON.stringify(args)}`);
  }
  const id = list[0];
  // The attribute name may itself be a Ref (to a parameter).
  const attr = resolveValue(list[1], c);
  if (typeof attr !== 'string') throw new ResolveError(`Fn::GetAtt ${id}: the attribute name must be a string, got ${JSON.stringify(attr)}`);
  const r = c.resource(id);
  if (!r) throw new ResolveError(`Fn::GetAtt ${id}.${attr}: no resource named ${id}`);
  if (Object.hasOwn(r.attributes, attr)) return r.attributes[attr];
  if (r.unknownAttributes !== undefined) {
    c.warn?.(`Fn::GetAtt ${id}.${attr}: ${r.unknownAttributes}; it resolves to a placeholder`);
    return `${id}.${attr}`;
  }
  const known = Object.keys(r.attributes);
  throw new ResolveError(`Fn::GetAtt ${id}.${attr}: ${id} has no attribute ${attr} (its attributes: ${known.join(', ') || 'none'})`);
}

/** `${Name}`, `${Res.Attr}`, `${!Literal}` in a Fn::Sub string. */
const SUB_VARIABLE = /\$\{([^}]*)\}/g;

function sub(args: unknown, c: ResolveContext): string {
  let text: unknown = args;
  let vars: Record<string, unknown> = {};
  if (Array.isArray(args)) {
    if (args.length !== 2 || args[1] === null || typeof args[1] !== 'object' || Array.isArray(args[1])) {
      throw new ResolveError(`Fn::Sub needs a string or [string, {variables}], got ${JSON.stringify(args)}`);
    }
    text = resolveValue(args[0], c);
    vars = args[1] as Record<string, unknown>;
  }
  if (typeof text !== 'string') throw new ResolveError(`Fn::Sub needs a string, got ${JSON.stringify(args)}`);
  return text.replace(SUB_VARIABLE, (_m, inner: string) => {
    // `${!Literal}` is written out as `${Literal}`.
    if (inner.startsWith('!')) return `\${${inner.slice(1)}}`;
    const name = inner.trim();
    if (Object.hasOwn(vars, name)) return toText(resolveValue(vars[name], c), `Fn::Sub variable ${name}`);
    const dot = name.indexOf('.');
    if (dot > 0 && !name.startsWith('AWS::')) return toText(getAtt([name.slice(0, dot), name.slice(dot + 1)], c), `Fn::Sub \${${name}}`);
    return toText(refValue(name, c), `Fn::Sub \${${name}}`);
  });
}

/** Names a Fn::Sub string refers to (resources and parameters), for dependency ordering. */
export function subReferences(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(SUB_VARIABLE)) {
    const inner = m[1]!;
    if (inner.startsWith('!')) continue;
    const name = inner.trim();
    if (name.startsWith('AWS::')) continue;
    out.push(name.includes('.') ? name.slice(0, name.indexOf('.')) : name);
  }
  return out;
}

function toText(v: unknown, what: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new ResolveError(`${what} must resolve to a string, got ${v === NO_VALUE ? 'AWS::NoValue' : JSON.stringify(v)}`);
}

function list(v: unknown, what: string): unknown[] {
  if (!Array.isArray(v)) throw new ResolveError(`${what} must be a list, got ${JSON.stringify(v)}`);
  return v;
}

/** Evaluates a named condition of the Conditions section. */
export function evaluateCondition(name: unknown, c: ResolveContext, seen: Set<string> = new Set()): boolean {
  if (typeof name !== 'string' || !Object.hasOwn(c.conditions, name)) throw new ResolveError(`Condition ${JSON.stringify(name)} is not defined in Conditions`);
  if (seen.has(name)) throw new ResolveError(`Condition ${name} refers to itself`);
  seen.add(name);
  try {
    const v = resolveValue(c.conditions[name], c);
    if (typeof v !== 'boolean') throw new ResolveError(`Condition ${name} must be a condition function (Fn::Equals, Fn::And, …), got ${JSON.stringify(c.conditions[name])}`);
    return v;
  } finally {
    seen.delete(name);
  }
}

function conditionArg(x: unknown, c: ResolveContext, fn: string): boolean {
  const v = resolveValue(x, c);
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 'false') return v === 'true';
  throw new ResolveError(`${fn} takes conditions, got ${JSON.stringify(x)}`);
}

function scalarText(v: unknown): string {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
}

/** `us-east-1` → its Availability Zones (the six of us-east-1, three elsewhere; `a` onwards). */
function availabilityZones(region: string): string[] {
  const count = region === 'us-east-1' ? 6 : region === 'us-west-2' ? 4 : 3;
  return Array.from({ length: count }, (_, i) => `${region}${String.fromCharCode(97 + i)}`);
}

/** Fn::Cidr for IPv4: `count` consecutive blocks of 2^cidrBits addresses each from ipBlock. */
function cidr(a: unknown, c: ResolveContext): string[] {
  const [block, count, bits] = list(a, 'Fn::Cidr').map((x) => resolveValue(x, c));
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(String(block));
  if (!m) throw new ResolveError(`Fn::Cidr: ${JSON.stringify(block)} is not an IPv4 CIDR block (IPv6 blocks are not supported by rehearse)`);
  const n = Number(count);
  const hostBits = Number(bits);
  const prefix = Number(m[5]);
  if (!Number.isInteger(n) || n < 1 || n > 256) throw new ResolveError(`Fn::Cidr: count must be 1–256, got ${JSON.stringify(count)}`);
  if (!Number.isInteger(hostBits) || hostBits < 1 || 32 - hostBits < prefix) throw new ResolveError(`Fn::Cidr: cidrBits ${JSON.stringify(bits)} does not fit in /${prefix}`);
  const base = m.slice(1, 5).reduce((acc, o) => acc * 256 + Number(o), 0);
  const size = 2 ** hostBits;
  if (n * size > 2 ** (32 - prefix)) throw new ResolveError(`Fn::Cidr: ${n} blocks of /${32 - hostBits} do not fit in ${String(block)}`);
  const start = base - (base % 2 ** (32 - prefix));
  return Array.from({ length: n }, (_, i) => {
    const addr = start + i * size;
    return `${[24, 16, 8, 0].map((s) => Math.floor(addr / 2 ** s) % 256).join('.')}/${32 - hostBits}`;
  });
}

/** Resolves every intrinsic inside `value`; throws a ResolveError naming the one that failed. May return NO_VALUE. */
export function resolveValue(value: unknown, c: ResolveContext): unknown {
  if (Array.isArray(value)) return value.map((v, i) => at(i, () => resolveValue(v, c))).filter((v) => v !== NO_VALUE);
  if (value === null || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj);
  if (keys.length === 1) {
    const k = keys[0]!;
    const a = obj[k];
    switch (k) {
      case 'Ref':
        return refValue(a, c);
      case 'Fn::GetAtt':
        return getAtt(a, c);
      case 'Fn::Sub':
        return sub(a, c);
      case 'Fn::Join': {
        if (!Array.isArray(a) || a.length !== 2) throw new ResolveError(`Fn::Join needs [delimiter, [values]], got ${JSON.stringify(a)}`);
        const delimiter = resolveValue(a[0], c);
        if (typeof delimiter !== 'string') throw new ResolveError(`Fn::Join's delimiter must be a string, got ${JSON.stringify(a[0])}`);
        return list(resolveValue(a[1], c), 'Fn::Join values').map((v) => toText(v, 'Fn::Join value')).join(delimiter);
      }
      case 'Fn::Select': {
        if (!Array.isArray(a) || a.length !== 2) throw new ResolveError(`Fn::Select needs [index, list], got ${JSON.stringify(a)}`);
        const index = resolveValue(a[0], c);
        const items = list(resolveValue(a[1], c), 'Fn::Select list');
        const i = Number(index);
        if (!Number.isInteger(i) || i < 0 || i >= items.length) throw new ResolveError(`Fn::Select index ${JSON.stringify(index)} is outside the list (${items.length} item${items.length === 1 ? '' : 's'})`);
        return items[i];
      }
      case 'Fn::Split': {
        if (!Array.isArray(a) || a.length !== 2 || typeof a[0] !== 'string') throw new ResolveError(`Fn::Split needs [delimiter, text], got ${JSON.stringify(a)}`);
        return toText(resolveValue(a[1], c), 'Fn::Split source').split(a[0]);
      }
      case 'Fn::Base64':
        return Buffer.from(toText(resolveValue(a, c), 'Fn::Base64 input')).toString('base64');
      case 'Fn::GetAZs': {
        const region = resolveValue(a, c);
        return availabilityZones(region === '' || region === undefined || region === null ? c.region : toText(region, 'Fn::GetAZs region'));
      }
      case 'Fn::Cidr':
        return cidr(a, c);
      case 'Fn::ImportValue': {
        const name = toText(resolveValue(a, c), 'Fn::ImportValue name');
        if (Object.hasOwn(c.imports, name)) return c.imports[name];
        throw new ResolveError(`Fn::ImportValue ${name}: another stack's export, which rehearse cannot read; give its value under imports: in rehearse.config.yaml (imports: { ${JSON.stringify(name)}: … })`);
      }
      case 'Fn::FindInMap': {
        if (!Array.isArray(a) || (a.length !== 3 && a.length !== 4)) throw new ResolveError(`Fn::FindInMap needs [MapName, TopLevelKey, SecondLevelKey], got ${JSON.stringify(a)}`);
        const [m, k1, k2] = a.slice(0, 3).map((x) => toText(resolveValue(x, c), 'Fn::FindInMap key'));
        const map = c.mappings[m!] as Record<string, Record<string, unknown>> | undefined;
        const v = map?.[k1!]?.[k2!];
        if (v !== undefined) return resolveValue(v, c);
        // AWS::LanguageExtensions: [map, key, key, {DefaultValue: x}].
        const fallback = a[3] as { DefaultValue?: unknown } | undefined;
        if (fallback && typeof fallback === 'object' && 'DefaultValue' in fallback) return resolveValue(fallback.DefaultValue, c);
        if (!map) throw new ResolveError(`Fn::FindInMap: there is no mapping named ${m} in Mappings`);
        if (!map[k1!]) throw new ResolveError(`Fn::FindInMap: mapping ${m} has no key ${k1} (keys: ${Object.keys(map).join(', ')})`);
        throw new ResolveError(`Fn::FindInMap: mapping ${m}.${k1} has no key ${k2} (keys: ${Object.keys(map[k1!]!).join(', ')})`);
      }
      case 'Fn::If': {
        if (!Array.isArray(a) || a.length !== 3) throw new ResolveError(`Fn::If needs [ConditionName, ValueIfTrue, ValueIfFalse], got ${JSON.stringify(a)}`);
        return resolveValue(evaluateCondition(a[0], c) ? a[1] : a[2], c);
      }
      case 'Fn::Equals': {
        if (!Array.isArray(a) || a.length !== 2) throw new ResolveError(`Fn::Equals needs two values, got ${JSON.stringify(a)}`);
        return scalarText(resolveValue(a[0], c)) === scalarText(resolveValue(a[1], c));
      }
      case 'Fn::Not': {
        if (!Array.isArray(a) || a.length !== 1) throw new ResolveError(`Fn::Not needs [condition], got ${JSON.stringify(a)}`);
        return !conditionArg(a[0], c, 'Fn::Not');
      }
      case 'Fn::And':
      case 'Fn::Or': {
        if (!Array.isArray(a) || a.length < 2 || a.length > 10) throw new ResolveError(`${k} needs 2 to 10 conditions, got ${JSON.stringify(a)}`);
        const values = a.map((x) => conditionArg(x, c, k));
        return k === 'Fn::And' ? values.every(Boolean) : values.some(Boolean);
      }
      case 'Condition':
        return evaluateCondition(a, c);
      case 'Fn::Length':
        return list(resolveValue(a, c), 'Fn::Length').length;
      case 'Fn::ToJsonString': {
        const v = resolveValue(a, c);
        if (v === null || typeof v !== 'object') throw new ResolveError(`Fn::ToJsonString needs an object or a list, got ${JSON.stringify(a)}`);
        return JSON.stringify(v);
      }
      case 'Fn::Transform':
        throw new ResolveError(`Fn::Transform (${JSON.stringify((a as { Name?: unknown })?.Name ?? a)}) runs a CloudFormation macro, which rehearse cannot run`);
      default:
        if (k.startsWith('Fn::')) throw new ResolveError(`${k} is not an intrinsic function rehearse knows`);
    }
  }
  const out: Record<string, unknown> = {};
  for (const key of keys) {
    const v = at(key, () => resolveValue(obj[key], c));
    if (v !== NO_VALUE) out[key] = v;
  }
  return out;
}

/** `Environment.Variables.X`, `Layers[0]`: a ResolveError's path as a field suffix. */
export function pathSuffix(path: ReadonlyArray<string | number>): string {
  return path.map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`)).join('');
}

/** The logical id (and attribute) a value that is exactly `!Ref X` or `!GetAtt X.Attr` names; undefined for anything else. */
export function referencedResource(value: unknown): { id: string; attribute?: string } | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const obj = value as Record<string, unknown>;
  if (typeof obj.Ref === 'string') return { id: obj.Ref };
  const a = obj['Fn::GetAtt'];
  if (typeof a === 'string') {
    // `X.Outputs.Y` is resource X's attribute `Outputs.Y`, as the short form `!GetAtt` reads it (template-text.ts).
    const dot = a.indexOf('.');
    return dot > 0 ? { id: a.slice(0, dot), attribute: a.slice(dot + 1) } : undefined;
  }
  const [id, attribute] = Array.isArray(a) ? a : [];
  return typeof id === 'string' && typeof attribute === 'string' ? { id, attribute } : undefined;
}

/** Every logical id (resource or parameter) a value refers to through Ref, Fn::GetAtt or Fn::Sub. */
export function referencesIn(value: unknown, out: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) {
    for (const v of value) referencesIn(v, out);
  } else if (value !== null && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj);
    if (keys.length === 1) {
      const a = obj[keys[0]!];
      if (keys[0] === 'Ref' && typeof a === 'string' && !a.startsWith('AWS::')) out.add(a);
      if (keys[0] === 'Fn::GetAtt') {
        const id = typeof a === 'string' ? a.split('.')[0] : Array.isArray(a) ? a[0] : undefined;
        if (typeof id === 'string') out.add(id);
      }
      if (keys[0] === 'Fn::Sub') {
        const text = Array.isArray(a) ? a[0] : a;
        const vars = Array.isArray(a) && a[1] && typeof a[1] === 'object' ? (a[1] as Record<string, unknown>) : {};
        if (typeof text === 'string') for (const name of subReferences(text)) if (!Object.hasOwn(vars, name)) out.add(name);
        referencesIn(vars, out);
        return out;
      }
    }
    for (const v of Object.values(obj)) referencesIn(v, out);
  }
  return out;
}
