/**
 * The order CloudFormation creates resources in: a resource after every
 * resource its properties refer to (Ref, Fn::GetAtt, Fn::Sub) and every one
 * it DependsOn. A cycle is the error CloudFormation reports for it.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-dependson.html
 */
import { effectiveProperties } from './interpret.ts';
import type { TemplateInterpreter } from './interpret.ts';
import { referencesIn } from './intrinsics.ts';
import { moduleFor } from './resources/registry.ts';

export function deployOrder(interp: TemplateInterpreter): { order: string[]; cycle?: string[] } {
  const { template } = interp;
  const ids = Object.keys(template.resources).filter((id) => moduleFor(template.resources[id]!.Type) && interp.included(id));
  const deployable = new Set(ids);
  const deps = new Map<string, string[]>();
  for (const id of ids) {
    const raw = template.resources[id]!;
    const module = moduleFor(raw.Type)!;
    const props = effectiveProperties(template, raw);
    const refs = new Set(raw.DependsOn);
    for (const name of module.properties) referencesIn(props[name], refs);
    deps.set(id, [...refs].filter((r) => r !== id && deployable.has(r)));
  }
  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  let cycle: string[] | undefined;
  const visit = (id: string): void => {
    if (cycle || state.get(id) === 'done') return;
    if (state.get(id) === 'visiting') {
      cycle = stack.slice(stack.indexOf(id));
      return;
    }
    state.set(id, 'visiting');
    stack.push(id);
    for (const d of deps.get(id) ?? []) visit(d);
    stack.pop();
    state.set(id, 'done');
    order.push(id);
  };
  for (const id of ids) visit(id);
  return cycle ? { order, cycle } : { order };
}
