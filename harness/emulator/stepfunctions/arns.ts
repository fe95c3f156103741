/**
 * Step Functions ARNs and names.
 * https://docs.aws.amazon.com/step-functions/latest/apireference/API_CreateStateMachine.html (name rules)
 */

// No whitespace, brackets, wildcards, the listed punctuation, or control characters.
// eslint-disable-next-line no-control-regex
const FORBIDDEN = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/u;

export function isValidName(name: string): boolean {
  return name.length >= 1 && name.length <= 80 && !FORBIDDEN.test(name);
}

export interface Partition {
  region: string;
  accountId: string;
}

export function stateMachineArn(p: Partition, name: string): string {
  return `arn:aws:states:${p.region}:${p.accountId}:stateMachine:${name}`;
}

export function executionArn(p: Partition, machineName: string, name: string): string {
  return `arn:aws:states:${p.region}:${p.accountId}:execution:${machineName}:${name}`;
}

/** Express executions carry a third part so names need not be unique. */
export function expressExecutionArn(p: Partition, machineName: string, name: string, id: string): string {
  return `arn:aws:states:${p.region}:${p.accountId}:express:${machineName}:${name}:${id}`;
}

/** `arn:aws:states:<region>:<account>:<kind>:<rest>` → its parts, or undefined when not a Step Functions ARN. */
export function parseArn(arn: string): { kind: string; rest: string[] } | undefined {
  const parts = arn.split(':');
  if (parts.length < 7 || parts[0] !== 'arn' || parts[2] !== 'states') return undefined;
  return { kind: parts[5]!, rest: parts.slice(6) };
}
