/**
 * Resolves the CloudFormation intrinsics a SAM template of this kind uses:
 * Ref (parameters, pseudo parameters, resources), Fn::GetAtt, Fn::Sub (both
 * forms), Fn::Join, Fn::Select, Fn::Split, Fn::If/Equals/Not/And/Or (with
 * Conditions), Fn::FindInMap, Fn::Base64.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html
 */

export class ResolveError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResolveError';
  }
}

/** What a resource resolves to: its Ref value and its GetAtt attributes. */
export interface PhysicalResource {
  ref: string;
  attributes: Record<string, string>;
}

export interface ResolveContext {
  region: string;
  accountId: string;
  partition: string;
  stackName: string;
  parameters: Record<string, string>;
  conditions: Record<string, unknown>;
  mappings: Record<string, unknown>;
  /** The resource by logical id, or undefined when the template has none by that name. */
  resource(logicalId: string): PhysicalResource | undefined;
}

const PSEUDO: Record<string, (c: ResolveContext) => string> = {
  'AWS::Region': (c) => c.region,
  'AWS::AccountId': (c) => c.accountId,
  'AWS::Partition': (c) => c.partition,
  'AWS::StackName': (c) => c.stackName,
  'AWS::StackId': (c) => `arn:${c.partition}:cloudformation:${c.region}:${c.accountId}:stack/${c.stackName}/rehearse`,
  'AWS::URLSuffix': () => 'amazonaws.com',
  'AWS::NoValue': () => '',
};

function refValue(name: unknown, c: ResolveContext): string {
  if (typeof name !== 'string') throw new ResolveError(`Ref needs a name, got ${JSON.stringify(name)}`);
  const pseudo = PSEUDO[name];
  if (pseudo) return pseudo(c);
  if (Object.hasOwn(c.parameters, name)) return c.parameters[name]!;
  const r = c.resource(name);
  if (r) return r.ref;
  throw new ResolveError(`Ref ${name}: no parameter or resource named ${name}`);
}

function getAtt(args: unknown, c: ResolveContext): string {
  if (!Array.isArray(args) || args.length !== 2 || typeof args[0] !== 'string' || typeof args[1] !== 'string') {
    throw new ResolveError(`Fn::GetAtt needs [LogicalId, Attribute], got ${JSON.stringify(args)}`);
  }
  const [id, attr] = args as [string, string];
  const r = c.resource(id);
  if (!r) throw new ResolveError(`Fn::GetAtt ${id}.${attr}: no resource named ${id}`);
  const v = r.attributes[attr];
  if (v === undefined) throw new ResolveError(`Fn::GetAtt ${id}.${attr}: ${id} has no attribute ${attr} (known: ${Object.keys(r.attributes).join(', ') || 'none'})`);
  return v;
}

function sub(args: unknown, c: ResolveContext): string {
  let text: unknown = args;
  let vars: Record<string, unknown> = {};
  if (Array.isArray(args)) {
    text = args[0];
    vars = (args[1] ?? {}) as Record<string, unknown>;
  }
  if (typeof text !== 'string') throw new ResolveError(`Fn::Sub needs a string, got ${JSON.stringify(args)}`);
  // `${!Literal}` stays as `${Literal}`.
  return text.replace(/\$\{([^}]*)\}/g, (_m, inner: string) => {
    if (inner.startsWith('!')) return `\${${inner.slice(1)}}`;
    const name = inner.trim();
    if (Object.hasOwn(vars, name)) return toText(resolveValue(vars[name], c), `Fn::Sub variable ${name}`);
    const dot = name.indexOf('.');
    if (dot > 0 && !name.startsWith('AWS::')) return getAtt([name.slice(0, dot), name.slice(dot + 1)], c);
    return refValue(name, c);
  });
}

function toText(v: unknown, what: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new ResolveError(`${what} must resolve to a string, got ${JSON.stringify(v)}`);
}

function condition(name: unknown, c: ResolveContext): boolean {
  if (typeof name !== 'string' || !Object.hasOwn(c.conditions, name)) throw new ResolveError(`unknown condition ${JSON.stringify(name)}`);
  return Boolean(resolveValue(c.conditions[name], c));
}

/** Resolves every intrinsic inside `value`; throws ResolveError naming the one that failed. */
export function resolveValue(value: unknown, c: ResolveContext): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveValue(v, c));
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
        if (!Array.isArray(a) || a.length !== 2 || typeof a[0] !== 'string') throw new ResolveError(`Fn::Join needs [delimiter, [values]], got ${JSON.stringify(a)}`);
        const list = resolveValue(a[1], c);
        if (!Array.isArray(list)) throw new ResolveError('Fn::Join needs a list of values');
        return list.map((v) => toText(v, 'Fn::Join item')).join(a[0]);
      }
      case 'Fn::Select': {
        if (!Array.isArray(a) || a.length !== 2) throw new ResolveError(`Fn::Select needs [index, list], got ${JSON.stringify(a)}`);
        const i = Number(resolveValue(a[0], c));
        const list = resolveValue(a[1], c);
        if (!Array.isArray(list) || !Number.isInteger(i) || i < 0 || i >= list.length) throw new ResolveError(`Fn::Select index ${i} is outside the list`);
        return list[i];
      }
      case 'Fn::Split': {
        if (!Array.isArray(a) || a.length !== 2 || typeof a[0] !== 'string') throw new ResolveError(`Fn::Split needs [delimiter, text], got ${JSON.stringify(a)}`);
        return toText(resolveValue(a[1], c), 'Fn::Split source').split(a[0]);
      }
      case 'Fn::Base64':
        return Buffer.from(toText(resolveValue(a, c), 'Fn::Base64 input')).toString('base64');
      case 'Fn::FindInMap': {
        if (!Array.isArray(a) || a.length !== 3) throw new ResolveError(`Fn::FindInMap needs [map, key, key], got ${JSON.stringify(a)}`);
        const [m, k1, k2] = (a as unknown[]).map((x) => toText(resolveValue(x, c), 'Fn::FindInMap key'));
        const v = ((c.mappings[m!] as Record<string, Record<string, unknown>> | undefined)?.[k1!] ?? {})[k2!];
        if (v === undefined) throw new ResolveError(`Fn::FindInMap: ${m}.${k1}.${k2} is not in Mappings`);
        return v;
      }
      case 'Fn::If': {
        if (!Array.isArray(a) || a.length !== 3) throw new ResolveError(`Fn::If needs [condition, then, else], got ${JSON.stringify(a)}`);
        return resolveValue(condition(a[0], c) ? a[1] : a[2], c);
      }
      case 'Fn::Equals': {
        if (!Array.isArray(a) || a.length !== 2) throw new ResolveError('Fn::Equals needs two values');
        return JSON.stringify(resolveValue(a[0], c)) === JSON.stringify(resolveValue(a[1], c));
      }
      case 'Fn::Not':
        return !(Array.isArray(a) && resolveValue(a[0], c));
      case 'Fn::And':
        return Array.isArray(a) && a.every((x) => Boolean(resolveValue(x, c)));
      case 'Fn::Or':
        return Array.isArray(a) && a.some((x) => Boolean(resolveValue(x, c)));
      case 'Condition':
        return condition(a, c);
      default:
        if (k.startsWith('Fn::')) throw new ResolveError(`${k} is not supported by rehearse deploy`);
    }
  }
  return Object.fromEntries(keys.map((k) => [k, resolveValue(obj[k], c)]));
}
