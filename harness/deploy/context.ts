/**
 * Physical names and ARNs of a template's resources in one region/account,
 * computed the way AWS forms them, so substitutions and environment variables
 * resolve before (and independently of) deployment. Deploy overrides entries
 * with the ARNs the backend actually returned.
 */
import { ResolveError, resolveValue } from './intrinsics.ts';
import type { PhysicalResource, ResolveContext } from './intrinsics.ts';
import type { TemplateModel } from './model.ts';

export interface ContextOptions {
  region: string;
  accountId: string;
  partition?: string;
  stackName?: string;
  parameters?: Record<string, string>;
  /** Physical resources already known (from a deployment), by logical id. */
  known?: Map<string, PhysicalResource>;
}

export function createContext(model: TemplateModel, options: ContextOptions): ResolveContext {
  const parameters: Record<string, string> = {};
  for (const [name, p] of Object.entries(model.parameters)) if (p.default !== undefined) parameters[name] = p.default;
  Object.assign(parameters, options.parameters ?? {});
  const memo = new Map<string, PhysicalResource | undefined>(options.known ?? []);
  const resolving = new Set<string>();
  const { region, accountId } = options;
  const partition = options.partition ?? 'aws';
  const ctx: ResolveContext = {
    region,
    accountId,
    partition,
    stackName: options.stackName ?? 'rehearse',
    parameters,
    conditions: model.conditions,
    mappings: model.mappings,
    resource(id: string): PhysicalResource | undefined {
      if (memo.has(id)) return memo.get(id);
      if (resolving.has(id)) throw new ResolveError(`circular reference through ${id}`);
      resolving.add(id);
      try {
        const r = physical(id);
        memo.set(id, r);
        return r;
      } finally {
        resolving.delete(id);
      }
    },
  };
  const nameOf = (raw: unknown, what: string): string => {
    const v = resolveValue(raw, ctx);
    if (typeof v !== 'string' || !v) throw new ResolveError(`${what} must resolve to a non-empty string, got ${JSON.stringify(v)}`);
    return v;
  };
  function physical(id: string): PhysicalResource | undefined {
    const b = model.buckets.find((x) => x.logicalId === id);
    if (b) {
      const name = nameOf(b.name, `${id}.BucketName`);
      return { ref: name, attributes: { Arn: `arn:${partition}:s3:::${name}`, DomainName: `${name}.s3.amazonaws.com` } };
    }
    const t = model.topics.find((x) => x.logicalId === id);
    if (t) {
      const name = nameOf(t.name, `${id}.TopicName`);
      const arn = `arn:${partition}:sns:${region}:${accountId}:${name}`;
      return { ref: arn, attributes: { TopicArn: arn, TopicName: name } };
    }
    const s = model.secrets.find((x) => x.logicalId === id);
    if (s) {
      // The real ARN ends in a random 6-character suffix; a partial ARN (no suffix) is
      // accepted wherever a SecretId is, which is all this template needs it for.
      const name = nameOf(s.name, `${id}.Name`);
      const arn = `arn:${partition}:secretsmanager:${region}:${accountId}:secret:${name}`;
      return { ref: arn, attributes: { Id: arn } };
    }
    const f = model.functions.find((x) => x.logicalId === id);
    if (f) {
      const name = nameOf(f.name, `${id}.FunctionName`);
      return { ref: name, attributes: { Arn: `arn:${partition}:lambda:${region}:${accountId}:function:${name}` } };
    }
    const sm = model.stateMachines.find((x) => x.logicalId === id);
    if (sm) {
      const name = nameOf(sm.name, `${id}.Name`);
      const arn = `arn:${partition}:states:${region}:${accountId}:stateMachine:${name}`;
      return { ref: arn, attributes: { Arn: arn, Name: name, StateMachineName: name } };
    }
    const other = (model.raw.Resources as Record<string, unknown>)[id];
    if (other !== undefined) return { ref: id, attributes: { Arn: `arn:${partition}:unknown:${region}:${accountId}:${id}` } };
    return undefined;
  }
  return ctx;
}
