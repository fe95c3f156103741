/**
 * Lambda environment variables a local run changes: the config's
 * `environment` (by function logical id or FunctionName, `'*'` for every
 * function; it adds or replaces variables), then an `--env-vars` file in the
 * SAM CLI's env.json format, which — as `sam local` does — only replaces
 * variables the template declares for that function: one it does not declare
 * is ignored, with a warning saying so.
 * https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/serverless-sam-cli-using-invoke.html#serverless-sam-cli-using-invoke-environment-file
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { RehearseError } from '../core/index.ts';

export type EnvironmentMap = Record<string, Record<string, string>>;

/** env.json: `Parameters` for every function, any other key a function's logical id or name. */
export interface EnvVarsFile {
  file: string;
  global: Record<string, string>;
  functions: EnvironmentMap;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function variables(value: unknown, where: string): Record<string, string> {
  if (!isObject(value)) throw new RehearseError('ERR_BAD_INPUT', `${where}: expected an object of VARIABLE: value`);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (v !== null && typeof v === 'object') throw new RehearseError('ERR_BAD_INPUT', `${where}.${k}: an environment variable is a string, number or boolean`);
    out[k] = v === null ? '' : String(v);
  }
  return out;
}

export function readEnvVarsFile(file: string): EnvVarsFile {
  const abs = resolve(file);
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(abs, 'utf8'));
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
    throw new RehearseError('ERR_BAD_INPUT', `--env-vars ${file}: cannot read it as JSON (${why})`, { location: { file: abs }, cause: e });
  }
  if (!isObject(doc)) throw new RehearseError('ERR_BAD_INPUT', `--env-vars ${file}: expected { "Parameters": {…}, "<FunctionLogicalId>": {…} }`, { location: { file: abs } });
  const out: EnvVarsFile = { file: abs, global: {}, functions: {} };
  for (const [key, value] of Object.entries(doc)) {
    if (key === 'Parameters') out.global = variables(value, `${file} Parameters`);
    else out.functions[key] = variables(value, `${file} ${key}`);
  }
  return out;
}

export interface FunctionIdentity {
  logicalId: string;
  /** The deployed FunctionName. */
  functionName: string;
  /** The template's resolved variables. */
  environment: Record<string, string>;
}

export interface EnvironmentOverrides {
  /** The config's `environment`. */
  config?: EnvironmentMap;
  envVars?: EnvVarsFile;
}

/** The entry for a function: its logical id first, then its name (the SAM CLI's order). */
function entryFor(map: EnvironmentMap | undefined, fn: FunctionIdentity): Record<string, string> | undefined {
  return map?.[fn.logicalId] ?? map?.[fn.functionName];
}

/**
 * A function's final environment and what was ignored. `warn` is told once
 * per ignored variable.
 */
export function applyEnvironment(fn: FunctionIdentity, o: EnvironmentOverrides, warn: (message: string) => void = () => {}): Record<string, string> {
  const env = { ...fn.environment, ...(o.config?.['*'] ?? {}), ...(entryFor(o.config, fn) ?? {}) };
  if (o.envVars) {
    const fromFile = { ...o.envVars.global, ...(entryFor(o.envVars.functions, fn) ?? {}) };
    for (const [k, v] of Object.entries(fromFile)) {
      if (k in env) env[k] = v;
      else if (k in (entryFor(o.envVars.functions, fn) ?? {})) {
        warn(`--env-vars ${o.envVars.file}: ${fn.logicalId}.${k} is ignored: the template does not declare ${k} for ${fn.logicalId} (sam local ignores it too; declare it under Environment.Variables, or set it in rehearse.config.yaml environment)`);
      }
    }
  }
  return env;
}

/** Entries that name no function of the template: a typo, said before anything runs. */
export function unknownEnvironmentTargets(o: EnvironmentOverrides, functions: Array<Pick<FunctionIdentity, 'logicalId' | 'functionName'>>): string[] {
  const known = new Set(functions.flatMap((f) => [f.logicalId, f.functionName]));
  const out: string[] = [];
  for (const k of Object.keys(o.config ?? {})) if (k !== '*' && !known.has(k)) out.push(`environment.${k} (rehearse.config)`);
  for (const k of Object.keys(o.envVars?.functions ?? {})) if (!known.has(k)) out.push(`${k} (--env-vars ${o.envVars!.file})`);
  return out;
}
