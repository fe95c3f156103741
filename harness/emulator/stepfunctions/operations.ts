/**
 * The Step Functions API over the engine. Each operation mirrors its page in
 * the API reference: https://docs.aws.amazon.com/step-functions/latest/apireference/API_Operations.html
 */
import { AwsServiceError } from '../../core/index.ts';
import type { Engine, ExecutionMocks, ExecutionSnapshot, HistoryEvent, ServiceCall, TaskContext } from '../../asl/index.ts';
import type { FaultRegistry } from '../faults.ts';
import { MockConfigError } from '../mock-configs.ts';
import { StatesError } from '../../asl/errors.ts';
import { formatInvalidDefinition, hasErrors, toJsonPointer } from '../../asl/validation/index.ts';
import type { ServiceDeps } from '../service-deps.ts';
import { executionArn, expressExecutionArn, isValidName, parseArn, stateMachineArn, type Partition } from './arns.ts';
import * as err from './errors.ts';
import {
  decodePageToken,
  encodePageToken,
  epochSeconds,
  optionalBoolean,
  optionalString,
  pageSize,
  requiredString,
  tagList,
  type Input,
} from './input.ts';
import type { ExecutionRecord, StateMachineRecord, StateMachineType, StepFunctionsStore } from './models.ts';
import { createServiceModels } from './service-models.ts';
import { publishStatusChange } from './status-events.ts';
import { testState } from './test-state.ts';

/** 256 KiB: the largest execution input or task output Step Functions accepts. */
const MAX_PAYLOAD_BYTES = 256 * 1024;
const MAX_TAGS = 50;

export interface OperationsContext {
  deps: ServiceDeps;
  store: StepFunctionsStore;
  engine(): Engine;
}

export function createOperations(c: OperationsContext) {
  const partition: Partition = { region: c.deps.region, accountId: c.deps.accountId };
  const now = () => c.deps.clock.now();
  const models = createServiceModels();

  const machine = (arn: string): StateMachineRecord => {
    if (!parseArn(arn)) throw err.InvalidArn(arn);
    const m = c.store.machines.get(arn);
    if (!m) throw err.StateMachineDoesNotExist(arn);
    return m;
  };

  const execution = (arn: string): ExecutionRecord => {
    const parsed = parseArn(arn);
    if (!parsed || (parsed.kind !== 'execution' && parsed.kind !== 'express')) throw err.InvalidArn(arn);
    const e = c.store.executions.get(arn);
    if (!e) throw err.ExecutionDoesNotExist(arn);
    return e;
  };

  const checkDefinition = (definition: string): void => {
    const diagnostics = c.engine().validate(definition);
    if (hasErrors(diagnostics)) throw err.InvalidDefinition(formatInvalidDefinition(diagnostics));
  };

  const checkType = (type: unknown): StateMachineType => {
    if (type === undefined || type === null) return 'STANDARD';
    if (type !== 'STANDARD' && type !== 'EXPRESS') {
      throw err.ValidationException(`1 validation error detected: Value '${String(type)}' at 'type' failed to satisfy constraint: Member must satisfy enum value set: [STANDARD, EXPRESS]`);
    }
    return type;
  };

  const checkInput = (input: string | undefined): string => {
    const text = input ?? '{}';
    if (Buffer.byteLength(text, 'utf8') > MAX_PAYLOAD_BYTES) {
      throw err.InvalidExecutionInput(`Input size exceeds the maximum of ${MAX_PAYLOAD_BYTES} bytes`);
    }
    try {
      JSON.parse(text);
    } catch (e) {
      throw err.InvalidExecutionInput(`Invalid State Machine Execution Input: '${(e as Error).message}'`);
    }
    return text;
  };

  /**
   * `<stateMachineArn>#<TestCase>` runs a MockConfigFile test case ("append
   * the suffix, #test_name, to the state machine ARN used by StartExecution",
   * https://docs.aws.amazon.com/step-functions/latest/dg/sfn-local-test-sm-exec.html);
   * the execution belongs to the plain ARN.
   */
  const mocksFor = (target: string): { arn: string; mocks?: ExecutionMocks } => {
    const hash = target.indexOf('#');
    if (hash < 0) return { arn: target };
    const arn = target.slice(0, hash);
    const testCase = target.slice(hash + 1);
    const m = machine(arn);
    if (!c.deps.mockConfigs) throw err.ValidationException(`test case ${testCase}: this endpoint has no mock config support`);
    try {
      return { arn, mocks: c.deps.mockConfigs.testCase(m.name, testCase) };
    } catch (e) {
      if (e instanceof MockConfigError) throw err.ValidationException(e.message);
      throw e;
    }
  };

  /**
   * The fault plan's state faults as the execution's mocked Task states (the
   * same hook a MockConfigFile test case uses), asked live so a plan
   * installed after the start still applies; a state no fault selects runs.
   */
  const stateFaultMocks = (faults: FaultRegistry, stateMachine: string): ExecutionMocks => ({
    next(stateName) {
      const f = faults.nextStateCall(stateMachine, stateName);
      if (!f) return undefined;
      return 'throw' in f ? { kind: 'throw', error: f.throw.error, cause: f.throw.cause ?? '' } : { kind: 'return', value: f.return };
    },
  });

  const startExecution = (input: Input, sync: boolean): ExecutionRecord => {
    const target = mocksFor(requiredString(input, 'stateMachineArn'));
    const m = machine(target.arn);
    if (sync && m.type !== 'EXPRESS') {
      throw err.StateMachineTypeNotSupported('This operation is not supported by this type of state machine');
    }
    const name = optionalString(input, 'name') ?? c.deps.ids.uuid();
    if (!isValidName(name)) throw err.InvalidName(name);
    const text = checkInput(optionalString(input, 'input'));
    const arn =
      m.type === 'EXPRESS'
        ? expressExecutionArn(partition, m.name, name, c.deps.ids.uuid())
        : executionArn(partition, m.name, name);
    const existing = c.store.executions.get(arn);
    if (existing) {
      // "If StartExecution is called with the same name and input as a running
      // execution, the call succeeds and returns the same response as the
      // original request. If the execution is closed or if the input is
      // different, it returns a 400 ExecutionAlreadyExists error." (API_StartExecution)
      const snap = existing.handle.snapshot();
      if (snap.status === 'RUNNING' && snap.input === text) return existing;
      throw err.ExecutionAlreadyExists(arn);
    }
    const handle = c.engine().start({
      executionArn: arn,
      stateMachineArn: m.stateMachineArn,
      stateMachineName: m.name,
      name,
      definition: m.definition,
      input: text,
      type: m.type,
      roleArn: m.roleArn,
      ...(target.mocks !== undefined ? { mocks: target.mocks } : c.deps.faults.hasStateFaults(m.name) ? { mocks: stateFaultMocks(c.deps.faults, m.name) } : {}),
    });
    const record: ExecutionRecord = {
      executionArn: arn,
      stateMachineArn: m.stateMachineArn,
      definition: m.definition,
      roleArn: m.roleArn,
      type: m.type,
      handle,
    };
    c.store.addExecution(record);
    if (m.type === 'STANDARD') {
      const events = c.deps.events?.();
      if (events) {
        publishStatusChange(events, handle.snapshot());
        void handle.done.then((snap) => {
          if (!record.quiet) publishStatusChange(c.deps.events?.(), snap);
        });
      }
    }
    return record;
  };

  const taskOutput = (input: Input): string => {
    const output = requiredString(input, 'output', MAX_PAYLOAD_BYTES);
    try {
      JSON.parse(output);
    } catch (e) {
      throw new AwsServiceError('InvalidOutput', `Invalid Output: '${(e as Error).message}'`);
    }
    return output;
  };

  return {
    CreateStateMachine(input: Input) {
      const name = requiredString(input, 'name', 80);
      if (!isValidName(name)) throw err.InvalidName(name);
      const definition = requiredString(input, 'definition', 1024 * 1024);
      const roleArn = requiredString(input, 'roleArn');
      const type = checkType(input.type);
      checkDefinition(definition);
      const arn = stateMachineArn(partition, name);
      const existing = c.store.machines.get(arn);
      if (existing) {
        // Idempotent when everything matches (API_CreateStateMachine: "If you set the same
        // values… the call succeeds"); otherwise StateMachineAlreadyExists.
        if (existing.definition === definition && existing.roleArn === roleArn && existing.type === type) {
          return { stateMachineArn: arn, creationDate: epochSeconds(existing.creationDate) };
        }
        throw err.StateMachineAlreadyExists(arn);
      }
      const tags = tagList(input);
      if (tags.length > MAX_TAGS) throw err.TooManyTags(arn);
      const record: StateMachineRecord = {
        stateMachineArn: arn,
        name,
        type,
        definition,
        roleArn,
        creationDate: now(),
        loggingConfiguration: (input.loggingConfiguration as Record<string, unknown>) ?? { level: 'OFF', includeExecutionData: false },
        tracingConfiguration: (input.tracingConfiguration as Record<string, unknown>) ?? { enabled: false },
      };
      c.store.machines.set(arn, record);
      c.store.tags.set(arn, new Map(tags.map((t) => [t.key, t.value])));
      return { stateMachineArn: arn, creationDate: epochSeconds(record.creationDate) };
    },

    DescribeStateMachine(input: Input) {
      return describeMachine(machine(requiredString(input, 'stateMachineArn')));
    },

    UpdateStateMachine(input: Input) {
      const m = machine(requiredString(input, 'stateMachineArn'));
      const definition = optionalString(input, 'definition');
      const roleArn = optionalString(input, 'roleArn');
      if (definition === undefined && roleArn === undefined && input.loggingConfiguration === undefined && input.tracingConfiguration === undefined) {
        throw new AwsServiceError('MissingRequiredParameter', 'Either the definition, the roleArn, the loggingConfiguration or the tracingConfiguration must be specified');
      }
      if (definition !== undefined) {
        checkDefinition(definition);
        m.definition = definition;
      }
      if (roleArn !== undefined) m.roleArn = roleArn;
      if (input.loggingConfiguration) m.loggingConfiguration = input.loggingConfiguration as Record<string, unknown>;
      if (input.tracingConfiguration) m.tracingConfiguration = input.tracingConfiguration as Record<string, unknown>;
      m.updateDate = now();
      return { updateDate: epochSeconds(m.updateDate) };
    },

    DeleteStateMachine(input: Input) {
      const arn = requiredString(input, 'stateMachineArn');
      if (!parseArn(arn)) throw err.InvalidArn(arn);
      // Deleting is idempotent in AWS; running executions are stopped.
      for (const execArn of c.store.executionsByMachine.get(arn) ?? []) {
        const e = c.store.executions.get(execArn);
        if (e && e.handle.snapshot().status === 'RUNNING') c.engine().stop(execArn);
      }
      c.store.machines.delete(arn);
      c.store.tags.delete(arn);
      return {};
    },

    ListStateMachines(input: Input) {
      const size = pageSize(input);
      const all = [...c.store.machines.values()].sort((a, b) => a.name.localeCompare(b.name));
      const start = decodePageToken(optionalString(input, 'nextToken'), 'machines');
      const page = all.slice(start, start + size);
      return {
        stateMachines: page.map((m) => ({ stateMachineArn: m.stateMachineArn, name: m.name, type: m.type, creationDate: epochSeconds(m.creationDate) })),
        ...(start + size < all.length ? { nextToken: encodePageToken('machines', start + size) } : {}),
      };
    },

    StartExecution(input: Input) {
      const record = startExecution(input, false);
      return { executionArn: record.executionArn, startDate: epochSeconds(record.handle.snapshot().startDate) };
    },

    async StartSyncExecution(input: Input) {
      const record = startExecution(input, true);
      const snap = await record.handle.done;
      return {
        ...describeSnapshot(snap),
        billingDetails: {
          billedMemoryUsedInMB: 64,
          billedDurationInMilliseconds: Math.max(100, Math.ceil(((snap.stopDate ?? snap.startDate) - snap.startDate) / 100) * 100),
        },
      };
    },

    DescribeExecution(input: Input) {
      const e = execution(requiredString(input, 'executionArn'));
      return { ...describeSnapshot(e.handle.snapshot()), redriveCount: 0, redriveStatus: 'NOT_REDRIVABLE', redriveStatusReason: 'Execution is RUNNING or SUCCEEDED' };
    },

    DescribeStateMachineForExecution(input: Input) {
      const e = execution(requiredString(input, 'executionArn'));
      const m = c.store.machines.get(e.stateMachineArn);
      const name = parseArn(e.stateMachineArn)?.rest[0] ?? '';
      return {
        stateMachineArn: e.stateMachineArn,
        name,
        definition: e.definition,
        roleArn: e.roleArn,
        updateDate: epochSeconds(m?.updateDate ?? m?.creationDate ?? e.handle.snapshot().startDate),
        loggingConfiguration: m?.loggingConfiguration ?? { level: 'OFF', includeExecutionData: false },
        tracingConfiguration: m?.tracingConfiguration ?? { enabled: false },
      };
    },

    ListExecutions(input: Input) {
      const arn = requiredString(input, 'stateMachineArn');
      machine(arn);
      const status = optionalString(input, 'statusFilter');
      const size = pageSize(input);
      const all = [...(c.store.executionsByMachine.get(arn) ?? [])]
        .reverse()
        .map((a) => c.store.executions.get(a)!.handle.snapshot())
        .filter((s) => status === undefined || s.status === status);
      const start = decodePageToken(optionalString(input, 'nextToken'), `executions:${arn}:${status ?? ''}`);
      const page = all.slice(start, start + size);
      return {
        executions: page.map((s) => ({
          executionArn: s.executionArn,
          stateMachineArn: s.stateMachineArn,
          name: s.name,
          status: s.status,
          startDate: epochSeconds(s.startDate),
          ...(s.stopDate === undefined ? {} : { stopDate: epochSeconds(s.stopDate) }),
        })),
        ...(start + size < all.length ? { nextToken: encodePageToken(`executions:${arn}:${status ?? ''}`, start + size) } : {}),
      };
    },

    StopExecution(input: Input) {
      const e = execution(requiredString(input, 'executionArn'));
      const error = optionalString(input, 'error');
      const cause = optionalString(input, 'cause');
      if (e.handle.snapshot().status === 'RUNNING') c.engine().stop(e.executionArn, error, cause);
      return { stopDate: epochSeconds(e.handle.snapshot().stopDate ?? now()) };
    },

    GetExecutionHistory(input: Input) {
      const e = execution(requiredString(input, 'executionArn'));
      const size = pageSize(input);
      const reverse = optionalBoolean(input, 'reverseOrder') ?? false;
      const includeData = optionalBoolean(input, 'includeExecutionData') ?? true;
      const events = e.handle.history();
      const scope = `history:${e.executionArn}:${reverse}`;
      const start = decodePageToken(optionalString(input, 'nextToken'), scope);
      const ordered = reverse ? [...events].reverse() : events;
      const page = ordered.slice(start, start + size).map((ev) => wireEvent(ev, includeData));
      return { events: page, ...(start + size < events.length ? { nextToken: encodePageToken(scope, start + size) } : {}) };
    },

    SendTaskSuccess(input: Input) {
      const token = requiredString(input, 'taskToken', 2048);
      c.engine().sendTaskSuccess(token, taskOutput(input));
      return {};
    },

    SendTaskFailure(input: Input) {
      const token = requiredString(input, 'taskToken', 2048);
      c.engine().sendTaskFailure(token, optionalString(input, 'error'), optionalString(input, 'cause'));
      return {};
    },

    SendTaskHeartbeat(input: Input) {
      c.engine().sendTaskHeartbeat(requiredString(input, 'taskToken', 2048));
      return {};
    },

    ValidateStateMachineDefinition(input: Input) {
      const definition = requiredString(input, 'definition', 1024 * 1024);
      checkType(input.type);
      const max = pageSize(input, 'maxResults', 100);
      const diagnostics = c.engine().validate(definition);
      const failed = diagnostics.some((d) => d.severity === 'ERROR');
      return {
        result: failed ? 'FAIL' : 'OK',
        // AWS reports `location` as a JSON pointer (`/States/Resize/Retry/0`).
        diagnostics: diagnostics.slice(0, max).map((d) => ({ ...d, location: toJsonPointer(d.location) })),
        truncated: diagnostics.length > max,
      };
    },

    TestState(input: Input) {
      return testState(input, { engine: c.engine(), partition, ids: c.deps.ids, models });
    },

    TagResource(input: Input) {
      const arn = requiredString(input, 'resourceArn');
      const tags = c.store.tags.get(arn);
      if (!tags) throw err.ResourceNotFound(arn);
      for (const t of tagList(input)) tags.set(t.key, t.value);
      if (tags.size > MAX_TAGS) throw err.TooManyTags(arn);
      return {};
    },

    UntagResource(input: Input) {
      const arn = requiredString(input, 'resourceArn');
      const tags = c.store.tags.get(arn);
      if (!tags) throw err.ResourceNotFound(arn);
      const keys = input.tagKeys;
      if (!Array.isArray(keys)) throw err.ValidationException("Value null at 'tagKeys' failed to satisfy constraint: Member must not be null");
      for (const k of keys) tags.delete(String(k));
      return {};
    },

    ListTagsForResource(input: Input) {
      const arn = requiredString(input, 'resourceArn');
      const tags = c.store.tags.get(arn);
      if (!tags) throw err.ResourceNotFound(arn);
      return { tags: [...tags].map(([key, value]) => ({ key, value })) };
    },
  };

  function describeMachine(m: StateMachineRecord) {
    return {
      stateMachineArn: m.stateMachineArn,
      name: m.name,
      status: 'ACTIVE',
      definition: m.definition,
      roleArn: m.roleArn,
      type: m.type,
      creationDate: epochSeconds(m.creationDate),
      loggingConfiguration: m.loggingConfiguration,
      tracingConfiguration: m.tracingConfiguration,
    };
  }
}

/** The optimised `states:startExecution` integration (`.sync`, `.sync:2`, request-response). */
export function nestedExecutionStarter(ops: ReturnType<typeof createOperations>, c: OperationsContext) {
  return async (call: ServiceCall, ctx: TaskContext): Promise<unknown> => {
    const p = call.parameters;
    const input = typeof p.Input === 'string' ? p.Input : JSON.stringify(p.Input ?? {});
    const started = ops.StartExecution({ stateMachineArn: p.StateMachineArn, input, ...(p.Name === undefined ? {} : { name: p.Name }) });
    if (call.pattern !== 'sync' && call.pattern !== 'sync:2') {
      return { ExecutionArn: started.executionArn, StartDate: started.startDate * 1000 };
    }
    ctx.onSubmitted?.({ ExecutionArn: started.executionArn, StartDate: started.startDate * 1000 });
    const handle = c.store.executions.get(started.executionArn)!.handle;
    // The parent's task ending (timeout, stop) stops the child, as in AWS.
    const onAbort = () => {
      if (handle.snapshot().status === 'RUNNING') c.engine().stop(handle.executionArn);
    };
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    const snap = await handle.done.finally(() => ctx.signal.removeEventListener('abort', onAbort));
    const described: Record<string, unknown> = {
      ExecutionArn: snap.executionArn,
      Input: call.pattern === 'sync:2' ? JSON.parse(snap.input) : snap.input,
      InputDetails: { Included: true },
      Name: snap.name,
      StartDate: snap.startDate,
      StateMachineArn: snap.stateMachineArn,
      Status: snap.status,
      StopDate: snap.stopDate,
      ...(snap.output === undefined ? {} : { Output: call.pattern === 'sync:2' ? JSON.parse(snap.output) : snap.output, OutputDetails: { Included: true } }),
      ...(snap.error === undefined ? {} : { Error: snap.error }),
      ...(snap.cause === undefined ? {} : { Cause: snap.cause }),
    };
    if (snap.status !== 'SUCCEEDED') throw new StatesError('States.TaskFailed', JSON.stringify(described));
    return described;
  };
}

function describeSnapshot(s: ExecutionSnapshot) {
  return {
    executionArn: s.executionArn,
    stateMachineArn: s.stateMachineArn,
    name: s.name,
    status: s.status,
    startDate: epochSeconds(s.startDate),
    ...(s.stopDate === undefined ? {} : { stopDate: epochSeconds(s.stopDate) }),
    input: s.input,
    inputDetails: { included: true },
    ...(s.output === undefined ? {} : { output: s.output, outputDetails: { included: true } }),
    ...(s.error === undefined ? {} : { error: s.error }),
    ...(s.cause === undefined ? {} : { cause: s.cause }),
  };
}

/** A history event as the wire carries it: epoch seconds, and without input/output when includeExecutionData is false. */
function wireEvent(ev: HistoryEvent, includeData: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { ...ev, timestamp: epochSeconds(ev.timestamp) };
  if (includeData) return out;
  for (const [key, value] of Object.entries(out)) {
    if (key.endsWith('EventDetails') && value && typeof value === 'object') {
      const { input: _i, output: _o, ...rest } = value as Record<string, unknown>;
      out[key] = rest;
    }
  }
  return out;
}

