/**
 * EventBridge Scheduler on the embedded endpoint: the restJson1 API
 * (`/schedules/{Name}`, `/schedule-groups/{Name}`, `/tags/{arn}`, signing
 * name `scheduler`) and the schedules firing on the Clock. State is in memory
 * (a deploy recreates it), snapshotted and restored like every service's.
 */
import { AwsServiceError } from '../../core/index.ts';
import type { RestProtocolService, RestRequest, RestResponse } from '../../protocol/service.ts';
import { ownSnapshot, type EmulatedService, type ServiceDeps, type ServiceSnapshot } from '../service-deps.ts';
import { ValidationException } from './errors.ts';
import { ScheduleTimers } from './firing.ts';
import { copySchedule, type GroupRecord, type ScheduleRecord } from './models.ts';
import { SchedulerOperations, SchedulerStore, type Json } from './operations.ts';

interface SchedulerSnapshot extends ServiceSnapshot {
  groups: GroupRecord[];
  schedules: ScheduleRecord[];
  tags: Array<[string, Record<string, string>]>;
}

const PATH = /^\/(schedules|schedule-groups)(?:\/([^/]+))?\/?$/;
const TAGS = /^\/tags\/(arn:aws[a-z-]*:scheduler:.+)$/;

/** A request's `Tags` list, checked: `[{Key, Value}]` of strings. */
function tagsOf(body: Json): Array<{ Key: string; Value: string }> {
  const tags = body.Tags ?? [];
  if (!Array.isArray(tags) || !tags.every((t) => t && typeof t === 'object' && typeof (t as Json).Key === 'string' && typeof (t as Json).Value === 'string')) {
    throw ValidationException('Tags must be a list of {Key, Value} strings.');
  }
  return tags as Array<{ Key: string; Value: string }>;
}

function json(body: Json): RestResponse {
  return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

function bodyOf(req: RestRequest): Json {
  const text = req.body.toString('utf8');
  if (text.trim() === '') return {};
  try {
    const v = JSON.parse(text) as unknown;
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Json;
  } catch {
    /* below */
  }
  throw ValidationException('The request body is not a JSON object.');
}

/** The operation a request names: `[operation, resource name]`. */
function operationOf(method: string, path: string): [string, string | undefined] | undefined {
  if (TAGS.test(path)) return [method === 'GET' ? 'ListTagsForResource' : method === 'POST' ? 'TagResource' : 'UntagResource', undefined];
  const m = PATH.exec(path);
  if (!m) return undefined;
  const [, kind, name] = m;
  const noun = kind === 'schedules' ? 'Schedule' : 'ScheduleGroup';
  if (name === undefined) return method === 'GET' ? [`List${noun}s`, undefined] : undefined;
  const verb = { POST: 'Create', GET: 'Get', PUT: kind === 'schedules' ? 'Update' : undefined, DELETE: 'Delete' }[method];
  return verb ? [`${verb}${noun}`, decodeURIComponent(name)] : undefined;
}

export function createSchedulerService(deps: ServiceDeps): EmulatedService {
  const store = new SchedulerStore();
  const ids = deps.ids.fork('scheduler');
  const timers = new ScheduleTimers(deps, ids, store);
  const ops = new SchedulerOperations(deps, store, { changed: (key) => timers.arm(key) });
  const tags = new Map<string, Record<string, string>>();

  function run(operation: string, name: string | undefined, req: RestRequest): Json {
    const group = req.query.get('groupName') ?? undefined;
    switch (operation) {
      case 'CreateSchedule':
        return ops.CreateSchedule(name!, bodyOf(req));
      case 'UpdateSchedule':
        return ops.UpdateSchedule(name!, bodyOf(req));
      case 'GetSchedule':
        return ops.GetSchedule(name!, group);
      case 'DeleteSchedule':
        return ops.DeleteSchedule(name!, group);
      case 'ListSchedules':
        return ops.ListSchedules(req.query);
      case 'CreateScheduleGroup': {
        const given = tagsOf(bodyOf(req));
        const out = ops.CreateScheduleGroup(name!);
        tags.set(String(out.ScheduleGroupArn), Object.fromEntries(given.map((t) => [t.Key, t.Value])));
        return out;
      }
      case 'GetScheduleGroup':
        return ops.GetScheduleGroup(name!);
      case 'DeleteScheduleGroup':
        return ops.DeleteScheduleGroup(name!);
      case 'ListScheduleGroups':
        return ops.ListScheduleGroups(req.query);
      default: {
        // Tags are kept per ARN and reported back; nothing here acts on them.
        const arn = decodeURIComponent(TAGS.exec(req.path)![1]!);
        const own = tags.get(arn) ?? {};
        if (operation === 'ListTagsForResource') return { Tags: Object.entries(own).map(([Key, Value]) => ({ Key, Value })) };
        if (operation === 'TagResource') for (const t of tagsOf(bodyOf(req))) own[t.Key] = t.Value;
        else for (const k of req.query.getAll('TagKeys')) delete own[k];
        tags.set(arn, own);
        return {};
      }
    }
  }

  const api: RestProtocolService = {
    kind: 'rest',
    signingName: 'scheduler',
    protocol: 'restJson1',
    matches(req) {
      if (req.signingService !== undefined) return req.signingService === 'scheduler' && (PATH.test(req.path) || TAGS.test(req.path));
      return PATH.test(req.path);
    },
    operationName: (req) => operationOf(req.method, req.path)?.[0],
    async handle(req) {
      const op = operationOf(req.method, req.path);
      if (!op) throw new AwsServiceError('UnknownOperationException', `EventBridge Scheduler has no operation for ${req.method} ${req.path}`, 404);
      return json(run(op[0], op[1], req));
    },
  };

  function clear(): void {
    timers.stop();
    store.schedules.clear();
    store.groups.clear();
    tags.clear();
    ops.ensureDefaultGroup();
  }

  return {
    name: 'scheduler',
    protocols: [api],
    reset: clear,
    snapshot: (): SchedulerSnapshot => ({
      service: 'scheduler',
      groups: [...store.groups.values()].map((g) => ({ ...g })),
      schedules: [...store.schedules.values()].map(copySchedule),
      tags: [...tags].map(([k, v]) => [k, { ...v }]),
    }),
    restore(snapshot) {
      const s = ownSnapshot<SchedulerSnapshot>('scheduler', snapshot);
      clear();
      store.groups.clear();
      for (const g of s.groups) store.groups.set(g.name, { ...g });
      for (const r of s.schedules) store.schedules.set(`${r.groupName}/${r.name}`, copySchedule(r));
      for (const [k, v] of s.tags) tags.set(k, { ...v });
      timers.armAll();
    },
    dispose: () => timers.stop(),
  };
}
