/**
 * What each backend can honour, and why not when it cannot (issue 7: "where a
 * check or fault cannot be honoured, the scenario is reported as skipped with
 * that reason — never passed"). The scenario runner lists what a scenario needs
 * (`Need`) and asks `unsupported(backend, needs)` before running it.
 */
import type { Backend, BackendName, Capabilities } from './backend.ts';

/** Things a scenario may rely on that AWS itself has no API for, or that only some engines support. */
export type Need =
  /** Waits/back-off finish at once; `clock.advance`; exact virtual timestamps. */
  | 'virtual-time'
  | 'function-fault.throw'
  | 'function-fault.timeout'
  | 'function-fault.crash'
  | 'function-fault.latency'
  /** A function call answered with a given payload, the handler not run (a MockConfigFile `Return`). */
  | 'function-fault.return'
  /** A function fault that picks calls by their event payload (`input`), not only by call number. */
  | 'function-fault.input'
  /** S3 / Secrets Manager / SNS operation faults. */
  | 'operation-fault'
  | 'observation.invocations'
  | 'observation.cold-starts'
  | 'observation.function-concurrency'
  | 'observation.map-concurrency'
  | 'observation.secret-reads'
  | 'observation.sns-messages'
  /** Messages that reached SQS queues, and those moved to dead-letter queues. */
  | 'observation.sqs-messages'
  /** Events EventBridge buses accepted, and what their rules delivered to targets. */
  | 'observation.events'
  | 'observation.logs'
  | 'local-code-directories'
  /** `given.faults: - { state: … }`: Task states answered by the engine's fault plan. */
  | 'state-fault'
  /** `QueryLanguage: JSONata` definitions. */
  | 'jsonata'
  /** `arn:aws:states:::aws-sdk:*` task resources. */
  | 'aws-sdk-integrations'
  /** The TestState API with mocks, stateName and stateConfiguration (AWS, November 2025). */
  | 'test-state';

export const NEEDS: readonly Need[] = [
  'virtual-time',
  'function-fault.throw',
  'function-fault.timeout',
  'function-fault.crash',
  'function-fault.latency',
  'function-fault.return',
  'function-fault.input',
  'operation-fault',
  'state-fault',
  'observation.invocations',
  'observation.cold-starts',
  'observation.function-concurrency',
  'observation.map-concurrency',
  'observation.secret-reads',
  'observation.sns-messages',
  'observation.sqs-messages',
  'observation.events',
  'observation.logs',
  'local-code-directories',
  'jsonata',
  'aws-sdk-integrations',
  'test-state',
];

/** The capabilities each backend kind starts with (`endpoint=URL` is probed instead; see endpoint.ts). */
export const BACKEND_CAPABILITIES: Record<Exclude<BackendName, 'endpoint'>, Capabilities> = {
  embedded: { virtualTime: true, functionFaults: 'control-api', operationFaults: true, observations: true, localCodeDirectories: true },
  // LocalStack has no fault or observation API we can drive; function faults
  // become a MockConfigFile it reads through SFN_MOCK_CONFIG (LocalStack ≥ 4.4).
  // Its nodejs runtime cannot load our TypeScript handler dirs, so code is zipped.
  localstack: { virtualTime: false, functionFaults: 'mock-config', operationFaults: false, observations: false, localCodeDirectories: false },
  // Step Functions Local calls the rehearse container for Lambda and SNS, and the
  // harness uses rehearse for S3/Secrets/Lambda — so its control API serves
  // faults and observations; only the state machine engine is AWS's.
  'stepfunctions-local': { virtualTime: false, functionFaults: 'control-api', operationFaults: true, observations: true, localCodeDirectories: false },
};

/** Whether a backend kind injects function faults as MockConfigFile test cases read at boot (LocalStack). */
export function functionFaultsAsMocks(backendName: string): boolean {
  return Object.hasOwn(BACKEND_CAPABILITIES, backendName) && BACKEND_CAPABILITIES[backendName as keyof typeof BACKEND_CAPABILITIES].functionFaults === 'mock-config';
}

const EMBEDDED_HINT = 'run it with `--backend embedded`';

function label(name: BackendName): string {
  return name === 'stepfunctions-local' ? 'Step Functions Local' : name === 'localstack' ? 'LocalStack' : name === 'endpoint' ? 'this endpoint' : 'the embedded endpoint';
}

/** Why `backend` cannot honour `need`, or undefined when it can. */
export function unsupportedReason(backend: Pick<Backend, 'name' | 'capabilities'>, need: Need): string | undefined {
  const { name, capabilities: c } = backend;
  const who = label(name);
  switch (need) {
    case 'virtual-time':
      if (c.virtualTime) return undefined;
      return name === 'embedded'
        ? 'virtual time is off (--real-time)'
        : `${who} runs on wall-clock time; virtual time exists only on the embedded endpoint (${EMBEDDED_HINT})`;
    case 'function-fault.throw':
    case 'function-fault.timeout':
    case 'function-fault.crash':
    case 'function-fault.return':
      if (c.functionFaults === 'none') return `${who} has no way to inject function faults (no /_rehearse control API, no mock config)`;
      return undefined;
    case 'function-fault.latency':
      if (c.functionFaults === 'control-api') return undefined;
      if (c.functionFaults === 'mock-config') return `${who} injects function faults through a MockConfigFile, which can only Return or Throw — added latency cannot be mocked (${EMBEDDED_HINT})`;
      return `${who} has no way to inject function latency`;
    case 'function-fault.input':
      if (c.functionFaults === 'control-api') return undefined;
      // A MockConfigFile answers a Task state's N-th call; it never sees the payload, so it cannot pick one Map item.
      if (c.functionFaults === 'mock-config') return `${who} injects function faults through a MockConfigFile, which numbers a Task state's calls and cannot match a fault's \`input\` payload (${EMBEDDED_HINT})`;
      return `${who} has no way to inject function faults (no /_rehearse control API, no mock config)`;
    case 'operation-fault':
      return c.operationFaults ? undefined : `${who} has no API to make S3/Secrets Manager/SNS operations fail (${EMBEDDED_HINT} or --backend stepfunctions-local)`;
    case 'state-fault':
      // The fault plan answers Task states inside rehearse's own engine; Step Functions Local and LocalStack run theirs.
      if (name === 'stepfunctions-local' || name === 'localstack') return `${who} runs its own state machine engine, which rehearse's state faults cannot reach (${EMBEDDED_HINT})`;
      return c.functionFaults === 'control-api' ? undefined : `${who} has no /_rehearse control API to install state faults`;
    case 'observation.map-concurrency':
      if (!c.observations) return `${who} does not report observations (no /_rehearse control API)`;
      // The rehearse container sees Lambda calls, not Map iterations: Step Functions Local runs the Map.
      if (name === 'stepfunctions-local') return 'Step Functions Local runs the Map state itself and reports no iteration concurrency; only Lambda-level concurrency is observed';
      return undefined;
    case 'observation.invocations':
    case 'observation.cold-starts':
    case 'observation.function-concurrency':
    case 'observation.secret-reads':
    case 'observation.sns-messages':
    case 'observation.sqs-messages':
    case 'observation.events':
    case 'observation.logs':
      return c.observations ? undefined : `${who} does not report ${need.slice('observation.'.length)} (no /_rehearse control API; ${EMBEDDED_HINT})`;
    case 'local-code-directories':
      return c.localCodeDirectories ? undefined : `${who} cannot run Lambda code from a local directory; the code is uploaded as a zip`;
    case 'jsonata':
      return name === 'stepfunctions-local' ? 'Step Functions Local 2.0.0 (its last release, 2024) predates JSONata (QueryLanguage: JSONata)' : undefined;
    case 'aws-sdk-integrations':
      return name === 'stepfunctions-local' ? 'Step Functions Local does not support arn:aws:states:::aws-sdk:* integrations' : undefined;
    case 'test-state':
      return name === 'stepfunctions-local' ? 'Step Functions Local 2.0.0 (its last release, 2024) has no TestState API' : undefined;
  }
}

/** Every need `backend` cannot honour, with the reason (empty: run the scenario). */
export function unsupported(backend: Pick<Backend, 'name' | 'capabilities'>, needs: Iterable<Need>): Array<{ need: Need; reason: string }> {
  const out: Array<{ need: Need; reason: string }> = [];
  const seen = new Set<Need>();
  for (const need of needs) {
    if (seen.has(need)) continue;
    seen.add(need);
    const reason = unsupportedReason(backend, need);
    if (reason !== undefined) out.push({ need, reason });
  }
  return out;
}

/** One skip reason for a scenario, or undefined. */
export function skipReason(backend: Pick<Backend, 'name' | 'capabilities'>, needs: Iterable<Need>): string | undefined {
  const missing = unsupported(backend, needs);
  return missing.length === 0 ? undefined : `skipped on ${backend.name}: ${missing.map((m) => m.reason).join('; ')}`;
}

/** The capability table as rows (docs and `rehearse run --backend X --explain`). */
export function capabilityTable(): Array<{ need: Need } & Record<Exclude<BackendName, 'endpoint'>, string>> {
  const names = Object.keys(BACKEND_CAPABILITIES) as Array<Exclude<BackendName, 'endpoint'>>;
  return NEEDS.map((need) => {
    const row = { need } as { need: Need } & Record<Exclude<BackendName, 'endpoint'>, string>;
    for (const name of names) row[name] = unsupportedReason({ name, capabilities: BACKEND_CAPABILITIES[name] }, need) ?? 'yes';
    return row;
  });
}
