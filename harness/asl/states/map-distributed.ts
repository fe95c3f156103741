/**
 * Distributed Map's S3 side: ItemReader (JSON array, JSON Lines, CSV, or the
 * object listing of `s3:listObjectsV2`) and ResultWriter (manifest.json plus
 * SUCCEEDED_n.json / FAILED_n.json under `Prefix/<map run id>/`).
 * https://docs.aws.amazon.com/step-functions/latest/dg/input-output-itemreader.html
 * https://docs.aws.amazon.com/step-functions/latest/dg/input-output-resultwriter.html
 */
import { requireCommonJs } from '../../core/commonjs.ts';
import { applyPayloadTemplate } from '../expressions.ts';
import { EngineError, runtimeError } from '../frame.ts';
import type { StateRun } from './base.ts';

/** csv-parse, loaded by the first CSV ItemReader (a Distributed Map over a CSV file). */
const csvParse = () => requireCommonJs('csv-parse/sync') as typeof import('csv-parse/sync');

type Raw = Record<string, unknown>;

export interface ChildRecord {
  index: number;
  input: unknown;
  output?: unknown;
  error?: string;
  cause?: string;
  startDate: number;
  stopDate: number;
}

async function resolveArgs(run: StateRun, block: Raw, eff: unknown, field: string): Promise<Raw> {
  const template = run.jsonata ? block.Arguments : block.Parameters;
  if (template === undefined) return {};
  const v = run.jsonata ? await run.evalJsonata(template, `${field}.Arguments`) : applyPayloadTemplate(template, run.pathScope(eff), run.where, `${field}.Parameters`, run.env.ids);
  return (v ?? {}) as Raw;
}

function readerFailed(message: string): EngineError {
  return new EngineError('States.ItemReaderFailed', message);
}

export async function readDistributedItems(run: StateRun, eff: unknown): Promise<unknown[]> {
  const reader = run.raw.ItemReader as Raw;
  const s3 = run.env.s3;
  if (s3 === undefined) throw runtimeError(run.state.name, run.where.enteredEventId, 'ItemReader needs S3 access, which this engine was not given (EngineOptions.s3).');
  const args = await resolveArgs(run, reader, eff, 'ItemReader');
  const config = (reader.ReaderConfig ?? {}) as Raw;
  const resource = String(reader.Resource);
  const bucket = String(args.Bucket);
  let items: unknown[];
  if (/:s3:listObjectsV2$/.test(resource)) {
    items = await s3.listObjects(bucket, typeof args.Prefix === 'string' ? args.Prefix : '', run.frame.signal.signal);
  } else {
    let body: string;
    try {
      body = (await s3.getObject(bucket, String(args.Key), run.frame.signal.signal)).toString('utf8');
    } catch (e) {
      throw readerFailed(`Attempt to read from S3 failed for bucket '${bucket}' and key '${String(args.Key)}': ${(e as Error).message}`);
    }
    items = parseReaderBody(body, config, `The object at s3://${bucket}/${String(args.Key)}`);
  }
  return limitItems(items, config);
}

/** An object's items as its ReaderConfig reads them; `what` names it in errors ("The object at s3://…"). */
export function parseReaderBody(body: string, config: Raw, what: string): unknown[] {
  const type = config.InputType ?? 'JSON';
  if (type === 'JSON') {
    let items: unknown;
    try {
      items = JSON.parse(body);
    } catch {
      throw readerFailed(`${what} is not valid JSON.`);
    }
    if (!Array.isArray(items)) throw readerFailed(`${what} is not a JSON array.`);
    return items;
  }
  if (type === 'JSONL') return body.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as unknown);
  if (type === 'CSV') {
    const given = config.CSVHeaderLocation === 'GIVEN' ? (config.CSVHeaders as string[]) : undefined;
    const rows = csvParse().parse(body, { relax_column_count: true }) as string[][];
    const headers = given ?? rows.shift() ?? [];
    return rows.map((row) => Object.fromEntries(headers.map((h, i) => [h, row[i] ?? ''])));
  }
  throw readerFailed(`ReaderConfig.InputType '${String(type)}' is not supported by this engine.`);
}

/** ReaderConfig.MaxItems. */
export function limitItems(items: unknown[], config: Raw): unknown[] {
  const max = typeof config.MaxItems === 'number' ? config.MaxItems : undefined;
  return max !== undefined && max > 0 ? items.slice(0, max) : items;
}

export async function writeResults(run: StateRun, eff: unknown, mapRunArn: string, mapRunId: string, records: ChildRecord[]): Promise<Raw> {
  const s3 = run.env.s3;
  if (s3 === undefined) throw runtimeError(run.state.name, run.where.enteredEventId, 'ResultWriter needs S3 access, which this engine was not given (EngineOptions.s3).');
  const args = await resolveArgs(run, run.raw.ResultWriter as Raw, eff, 'ResultWriter');
  const bucket = String(args.Bucket);
  const prefix = typeof args.Prefix === 'string' && args.Prefix !== '' ? `${args.Prefix.replace(/\/$/, '')}/` : '';
  const base = `${prefix}${mapRunId}/`;
  const entry = (r: ChildRecord) => ({
    ExecutionArn: `${run.env.executionArn}/${r.index}`,
    Input: JSON.stringify(r.input ?? null),
    InputDetails: { Included: true },
    Name: String(r.index),
    ...(r.error === undefined ? { Output: JSON.stringify(r.output ?? null), OutputDetails: { Included: true } } : { Error: r.error, Cause: r.cause }),
    RedriveCount: 0,
    RedriveStatus: 'NOT_REDRIVABLE',
    StartDate: new Date(r.startDate).toISOString(),
    StateMachineArn: run.env.stateMachineArn,
    Status: r.error === undefined ? 'SUCCEEDED' : 'FAILED',
    StopDate: new Date(r.stopDate).toISOString(),
  });
  const succeeded = records.filter((r) => r && r.error === undefined).map(entry);
  const failed = records.filter((r) => r && r.error !== undefined).map(entry);
  const files: Array<{ Key: string; Size: number }> = [];
  const put = async (name: string, body: unknown[]) => {
    if (body.length === 0) return;
    const text = JSON.stringify(body);
    await s3.putObject(bucket, `${base}${name}`, text, run.frame.signal.signal);
    files.push({ Key: `${base}${name}`, Size: Buffer.byteLength(text) });
  };
  await put('SUCCEEDED_0.json', succeeded);
  await put('FAILED_0.json', failed);
  const manifest = {
    DestinationBucket: bucket,
    MapRunArn: mapRunArn,
    ResultFiles: {
      FAILED: files.filter((f) => f.Key.endsWith('FAILED_0.json') && !f.Key.endsWith('SUCCEEDED_0.json')),
      PENDING: [],
      SUCCEEDED: files.filter((f) => f.Key.endsWith('SUCCEEDED_0.json')),
    },
  };
  await s3.putObject(bucket, `${base}manifest.json`, JSON.stringify(manifest), run.frame.signal.signal);
  return { Bucket: bucket, Key: `${base}manifest.json` };
}
