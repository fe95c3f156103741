/**
 * docker-compose.yml names the services, ports, healthchecks and variables the
 * backends (harness/backends/*.ts) rely on. Parsed with `yaml`; no engine needed.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { COMPOSE_FILE, DEFAULT_MOCK_CONFIG, DOCKERFILE } from '../../harness/backends/images.ts';
import { localStackVariables } from '../../harness/backends/localstack.ts';
import { stepFunctionsLocalVariables } from '../../harness/backends/stepfunctions-local.ts';

interface Service {
  image: string;
  profiles: string[];
  ports: string[];
  environment: Record<string, string>;
  volumes?: string[];
  healthcheck: { test: string[]; interval: string; retries: number };
  depends_on?: Record<string, { condition: string }>;
  build?: { context: string; dockerfile: string; args: Record<string, string> };
  command?: string[];
}

const compose = parse(readFileSync(COMPOSE_FILE, 'utf8')) as { name: string; services: Record<string, Service> };
const svc = (name: string): Service => {
  const s = compose.services[name];
  if (!s) throw new Error(`docker-compose.yml has no service ${name}`);
  return s;
};

/** `127.0.0.1:${VAR:-default}:container` → its parts. */
function portMapping(spec: string): { bind: string; variable: string; fallback: string; container: number } {
  const m = /^(127\.0\.0\.1):\$\{(\w+):-(\d+)\}:(\d+)$/.exec(spec);
  if (!m) throw new Error(`port ${spec} is not 127.0.0.1:\${VAR:-default}:port`);
  return { bind: m[1]!, variable: m[2]!, fallback: m[3]!, container: Number(m[4]) };
}

/** `${VAR:-default}:/path:ro` → its parts. */
function mount(spec: string): { variable?: string; source: string; target: string; mode?: string } {
  const m = /^(?:\$\{(\w+):-([^}]+)\}|([^:]+)):([^:]+)(?::(ro|rw))?$/.exec(spec);
  if (!m) throw new Error(`volume ${spec} not understood`);
  return { variable: m[1], source: m[2] ?? m[3]!, target: m[4]!, mode: m[5] };
}

describe('docker-compose.yml', () => {
  it('is valid against the Compose Specification JSON Schema', () => {
    // The schema ships with testcontainers' docker-compose dependency; ajv with asl-validator.
    const require = createRequire(import.meta.url);
    const schemaPath = createRequire(require.resolve('testcontainers')).resolve('docker-compose/schema/compose-spec.json');
    const AjvModule = createRequire(require.resolve('asl-validator'))('ajv') as { default: AjvClass };
    type AjvClass = new (o: object) => { compile(schema: unknown): ((doc: unknown) => boolean) & { errors?: unknown[] | null } };
    const validate = new AjvModule.default({ allErrors: true, strict: false, validateSchema: false }).compile(JSON.parse(readFileSync(schemaPath, 'utf8')));
    expect(validate(compose), JSON.stringify(validate.errors)).toBe(true);
    // …and the check has teeth: a misspelt key is rejected.
    const broken = structuredClone(compose) as unknown as { services: { rehearse: { healthcheck: Record<string, unknown> } } };
    broken.services.rehearse.healthcheck.intervall = '5s';
    expect(validate(broken)).toBe(false);
  });

  it('defines exactly the three services, each under the profile its backend passes', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['localstack', 'rehearse', 'stepfunctions-local']);
    expect(svc('localstack').profiles).toEqual(['localstack']);
    expect(svc('stepfunctions-local').profiles).toEqual(['stepfunctions-local']);
    // stepfunctions-local needs the rehearse container too.
    expect(svc('rehearse').profiles).toEqual(expect.arrayContaining(['rehearse', 'stepfunctions-local']));
  });

  it('publishes the container ports the backends ask `docker compose port` for, on loopback, through the variables they set', () => {
    const rehearse = portMapping(svc('rehearse').ports[0]!);
    const localstack = portMapping(svc('localstack').ports[0]!);
    const sfn = portMapping(svc('stepfunctions-local').ports[0]!);
    expect(rehearse).toMatchObject({ bind: '127.0.0.1', container: 4566, variable: 'REHEARSE_PORT' });
    expect(localstack).toMatchObject({ bind: '127.0.0.1', container: 4566, variable: 'REHEARSE_LOCALSTACK_PORT', fallback: '4566' });
    expect(sfn).toMatchObject({ bind: '127.0.0.1', container: 8083, variable: 'REHEARSE_SFN_PORT', fallback: '8083' });
    // Two services may run at once (`rehearse up --backend rehearse --backend localstack`): default host ports must differ.
    expect(new Set([rehearse.fallback, localstack.fallback, sfn.fallback]).size).toBe(3);
    // The variables the backend code sets are exactly the ones interpolated here.
    expect(Object.keys(localStackVariables('tok', '/tmp/m.json'))).toEqual(expect.arrayContaining([localstack.variable]));
    expect(Object.keys(stepFunctionsLocalVariables('/tmp/m.json'))).toEqual(expect.arrayContaining([rehearse.variable, sfn.variable]));
  });

  it('has a healthcheck on every service that probes the right thing', () => {
    expect(svc('rehearse').healthcheck.test.join(' ')).toContain('http://127.0.0.1:4566/_rehearse/health');
    expect(svc('localstack').healthcheck.test.join(' ')).toContain('http://127.0.0.1:4566/_localstack/health');
    expect(svc('stepfunctions-local').healthcheck.test.join(' ')).toContain('/dev/tcp/127.0.0.1/8083');
    for (const name of Object.keys(compose.services)) {
      const hc = svc(name).healthcheck;
      expect(['CMD', 'CMD-SHELL'], `${name} healthcheck form`).toContain(hc.test[0]);
      expect(hc.retries).toBeGreaterThan(0);
    }
    // Ours and LocalStack's images are known: exec form. Step Functions Local's tools are not: a shell chain of fallbacks.
    expect(svc('rehearse').healthcheck.test[0]).toBe('CMD');
    expect(svc('localstack').healthcheck.test[0]).toBe('CMD');
    expect(svc('stepfunctions-local').healthcheck.test[1]).toMatch(/\/dev\/tcp.*\|\| curl .*\|\| nc -z 127\.0\.0\.1 8083/);
  });

  it('configures LocalStack: services, auth token passed through, docker socket, SFN_MOCK_CONFIG mounted', () => {
    const ls = svc('localstack');
    expect(ls.environment.SERVICES!.split(',').sort()).toEqual(['lambda', 's3', 'secretsmanager', 'sns', 'stepfunctions']);
    // Passed through from the caller's environment, never written into the file.
    expect(ls.environment.LOCALSTACK_AUTH_TOKEN).toBe('${LOCALSTACK_AUTH_TOKEN:-}');
    const volumes = (ls.volumes ?? []).map(mount);
    expect(volumes).toContainEqual(expect.objectContaining({ source: '/var/run/docker.sock', target: '/var/run/docker.sock' }));
    const mock = volumes.find((v) => v.target === ls.environment.SFN_MOCK_CONFIG);
    expect(mock).toMatchObject({ variable: 'REHEARSE_SFN_MOCK_CONFIG', mode: 'ro' });
    expect(localStackVariables('tok', '/x.json')).toMatchObject({ LOCALSTACK_AUTH_TOKEN: 'tok', REHEARSE_SFN_MOCK_CONFIG: '/x.json' });
  });

  it('points Step Functions Local at the rehearse service for Lambda and SNS, after rehearse is healthy', () => {
    const sfn = svc('stepfunctions-local');
    expect(sfn.environment.LAMBDA_ENDPOINT).toBe('http://rehearse:4566');
    expect(sfn.environment.SNS_ENDPOINT).toBe('http://rehearse:4566');
    expect(sfn.environment.DYNAMODB_ENDPOINT).toBe('http://rehearse:4566');
    expect(sfn.depends_on).toEqual({ rehearse: { condition: 'service_healthy' } });
    const mock = (sfn.volumes ?? []).map(mount).find((v) => v.target === sfn.environment.SFN_MOCK_CONFIG);
    expect(mock).toMatchObject({ variable: 'REHEARSE_SFN_MOCK_CONFIG', mode: 'ro' });
    expect(sfn.environment.AWS_ACCOUNT_ID).toMatch(/^\d{12}$/);
  });

  it("mounts a default MockConfigFile that exists and is valid when no scenario needs mocks", () => {
    const sfn = svc('stepfunctions-local');
    const mock = (sfn.volumes ?? []).map(mount).find((v) => v.target === sfn.environment.SFN_MOCK_CONFIG)!;
    expect(mock.source).toBe('./docker/mocks/MockConfigFile.json');
    expect(JSON.parse(readFileSync(DEFAULT_MOCK_CONFIG, 'utf8'))).toEqual({ StateMachines: {}, MockedResponses: {} });
  });

  it('builds the rehearse service from docker/rehearse/Dockerfile and runs its CMD plus the clock', () => {
    const r = svc('rehearse');
    expect(r.build).toMatchObject({ context: '.', dockerfile: 'docker/rehearse/Dockerfile' });
    const cmd = JSON.parse(/^CMD\s+(\[.*\])$/m.exec(readFileSync(DOCKERFILE, 'utf8'))![1]!) as string[];
    expect(r.command).toEqual([...cmd, '--clock', '${REHEARSE_CLOCK:-real}']);
    // Next to Step Functions Local (real timers) the backend pins the real clock.
    expect(stepFunctionsLocalVariables('/m.json').REHEARSE_CLOCK).toBe('real');
  });
});
