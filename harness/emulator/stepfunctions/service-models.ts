/**
 * AWS API models (the JSON service descriptions botocore ships: shapes with
 * `required`, `enum`, `min`/`max`), which TestState validates mocked results
 * against. They are read from a botocore installation on this machine
 * (python3-botocore / boto3 / AWS CLI v1) or from the folder
 * REHEARSE_SERVICE_MODELS names; without one, no model is known and mocked
 * results are not validated (docs/teststate.md says so).
 * https://docs.aws.amazon.com/step-functions/latest/apireference/API_MockInput.html
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

export interface Shape {
  type: string;
  members?: Record<string, { shape: string }>;
  member?: { shape: string };
  value?: { shape: string };
  required?: string[];
  enum?: string[];
  min?: number;
  max?: number;
}

export interface ServiceModel {
  operations: Record<string, { output?: { shape: string } }>;
  shapes: Record<string, Shape>;
}

export interface ServiceModels {
  /** The model of a service as Step Functions names it in `aws-sdk:<service>:…` (`sfn`, `eventbridge`, `s3`…), if known. */
  service(name: string): ServiceModel | undefined;
  /** Where the models come from (for messages and docs), or undefined when none were found. */
  readonly source: string | undefined;
}

/** Step Functions' aws-sdk service names that botocore names otherwise (most differ only by dashes). */
const ALIASES: Record<string, string> = {
  sfn: 'stepfunctions',
  eventbridge: 'events',
  cloudwatchlogs: 'logs',
  elasticloadbalancing: 'elb',
  elasticloadbalancingv2: 'elbv2',
  databasemigration: 'dms',
  costexplorer: 'ce',
  lexmodelbuilding: 'lex-models',
  lexruntime: 'lex-runtime',
  cognitoidentityprovider: 'cognito-idp',
  iotdataplane: 'iot-data',
  sesv2: 'sesv2',
};

function botocoreDataDir(): string | undefined {
  const explicit = process.env.REHEARSE_SERVICE_MODELS;
  if (explicit !== undefined) return existsSync(explicit) ? explicit : undefined;
  for (const dir of ['/usr/lib/python3/dist-packages/botocore/data', '/usr/local/aws-cli/v2/current/dist/awscli/botocore/data']) {
    if (existsSync(dir)) return dir;
  }
  try {
    const out = execFileSync('python3', ['-c', 'import botocore, os; print(os.path.dirname(botocore.__file__))'], { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'ignore'] });
    const dir = join(out.trim(), 'data');
    return existsSync(dir) ? dir : undefined;
  } catch {
    return undefined;
  }
}

function readModel(serviceDir: string): ServiceModel | undefined {
  if (!existsSync(serviceDir)) return undefined;
  const versions = readdirSync(serviceDir).filter((v) => /^\d{4}-\d{2}-\d{2}$/.test(v)).sort();
  const latest = versions.at(-1);
  if (latest === undefined) return undefined;
  const plain = join(serviceDir, latest, 'service-2.json');
  if (existsSync(plain)) return JSON.parse(readFileSync(plain, 'utf8')) as ServiceModel;
  const gz = `${plain}.gz`;
  if (existsSync(gz)) return JSON.parse(gunzipSync(readFileSync(gz)).toString('utf8')) as ServiceModel;
  return undefined;
}

/** Models found lazily (the first validating mock pays for the lookup), each parsed once. */
export function createServiceModels(): ServiceModels {
  let dir: string | null | undefined;
  const cache = new Map<string, ServiceModel | undefined>();
  const root = (): string | undefined => {
    if (dir === undefined) dir = botocoreDataDir() ?? null;
    return dir ?? undefined;
  };
  return {
    get source() {
      return root();
    },
    service(name: string) {
      const key = name.toLowerCase();
      if (cache.has(key)) return cache.get(key);
      const base = root();
      let model: ServiceModel | undefined;
      if (base !== undefined) {
        const candidates = [ALIASES[key], key, ...readdirSync(base).filter((d) => d.replaceAll('-', '') === key)];
        for (const c of candidates) {
          if (c === undefined) continue;
          model = readModel(join(base, c));
          if (model) break;
        }
      }
      cache.set(key, model);
      return model;
    },
  };
}
