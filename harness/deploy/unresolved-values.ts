/**
 * Values CloudFormation reads from services at deploy time, which a local
 * deploy has nowhere to read from: SSM parameter types (the parameter's value
 * is the name of a Parameter Store parameter, whose value CloudFormation
 * uses) and dynamic references (`{{resolve:ssm:…}}`, `{{resolve:ssm-secure:…}}`,
 * `{{resolve:secretsmanager:…}}`, resolved by CloudFormation when it creates
 * the resource). Both are passed on as written; these warnings say so, where.
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/parameters-section-structure.html#aws-ssm-parameter-types
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/dynamic-references.html
 */
import { referencesIn } from './intrinsics.ts';
import type { Problem } from './problems.ts';
import { isObj, type TemplateFile } from './template.ts';

const DYNAMIC_REFERENCE = /\{\{resolve:(ssm|ssm-secure|secretsmanager):[^}]*\}\}/g;

/**
 * An SSM parameter type with no value given, that the resources use: its
 * Default, a Parameter Store name, is what Ref gives here. (The CDK's
 * `BootstrapVersion`, read only by its Rules, is left alone.)
 */
export function ssmParameterWarnings(template: TemplateFile, given: Record<string, string> | undefined): Problem[] {
  const out: Problem[] = [];
  // What the resources' properties and the conditions refer to (Ref, Fn::Sub…), found once.
  const used = referencesIn([template.conditions, ...Object.values(template.resources).map((r) => r.Properties)]);
  for (const [name, p] of Object.entries(template.parameters)) {
    if (!p.type.startsWith('AWS::SSM::Parameter::') || given?.[name] !== undefined || p.default === undefined || !used.has(name)) continue;
    out.push({
      severity: 'WARNING',
      file: template.file,
      field: `Parameters.${name}`,
      message: `type ${p.type}: CloudFormation would use the value of the Parameter Store parameter ${p.default}; there is no Parameter Store here, so Ref ${name} is the name ${JSON.stringify(p.default)} itself: give the value as a parameter override (${name}=…)`,
    });
  }
  return out;
}

/** Every dynamic reference in the resources' properties, with the property it is in. */
export function dynamicReferenceWarnings(template: TemplateFile): Problem[] {
  const out: Problem[] = [];
  const walk = (value: unknown, field: string, line: number | undefined): void => {
    if (typeof value === 'string') {
      for (const m of value.matchAll(DYNAMIC_REFERENCE)) {
        const service = m[1] === 'secretsmanager' ? 'Secrets Manager' : 'Parameter Store';
        out.push({
          severity: 'WARNING',
          file: template.file,
          field,
          ...(line !== undefined ? { line } : {}),
          message: `dynamic reference ${m[0]} is passed on as written: CloudFormation resolves it from ${service} at deploy, which a local deploy does not (give the value as a parameter, or have the function read it at run time)`,
        });
      }
    } else if (Array.isArray(value)) value.forEach((v, i) => walk(v, `${field}[${i}]`, line));
    else if (isObj(value)) for (const [k, v] of Object.entries(value)) walk(v, `${field}.${k}`, line);
  };
  for (const [id, r] of Object.entries(template.resources)) walk(r.Properties, `Resources.${id}.Properties`, template.lineOf(id));
  return out;
}
