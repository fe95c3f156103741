/**
 * `rehearse replay HISTORY.json [--execution DESCRIBE.json] [--children DIR] [--definition FILE] [--real-lambdas] [--out FILE]`:
 * turns a real execution into a scenario reproducing it (harness/scenario/replay.ts):
 * every Lambda call's recorded result or error injected (inside a Map or
 * Parallel: for the call's recorded payload), or with --real-lambdas only the
 * errors, so the real handlers run for the calls that succeeded.
 * HISTORY.json is `aws stepfunctions get-execution-history --include-execution-data`
 * output; it may also be one object `{ "execution": <describe-execution>, "events": [...] }`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { parse } from 'yaml';
import { RehearseError } from '../../core/index.ts';
import { parseScenario } from '../../scenario/loader.ts';
import { historyToScenario, type DescribeExecutionJson } from '../../scenario/replay.ts';
import type { CliIo } from '../io.ts';
import { schemaComment } from '../../project/schema-path.ts';

const HELP = `usage: rehearse replay HISTORY.json [--execution DESCRIBE.json] [--children DIR] [--definition FILE] [--real-lambdas] [--out FILE]

  HISTORY.json       aws stepfunctions get-execution-history --include-execution-data --execution-arn ARN
  --execution FILE   aws stepfunctions describe-execution --execution-arn ARN (input, state machine, status)
  --children DIR     the histories (*.json, get-execution-history output) of a Distributed Map's child
                     executions: their Lambda calls are injected too, matched by payload
  --definition FILE  run this ASL definition instead (in place of the template workflow of the
                     same name, placeholders filled; otherwise as its own state machine)
  --real-lambdas     inject only the recorded errors; calls that succeeded run the real handlers
                     (default: each call's recorded result or error is injected: the recorded path, exactly)
  --out FILE         write the scenario here (default: print it)

Calls inside a Map, a Parallel or a Distributed Map's children are matched by their recorded payload (fault \`input\`), as the
local call order may differ; the others by invocation number.`;

async function readJson(path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new RehearseError('ERR_BAD_INPUT', `cannot read ${what} ${path}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new RehearseError('ERR_BAD_INPUT', `${what} ${path} is not JSON: ${(e as Error).message}`);
  }
}

/** Every `*.json` in `dir` (sorted by name), each a child execution's get-execution-history output. */
async function readChildren(dir: string): Promise<Array<{ source: string; events: unknown[] }>> {
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
  } catch {
    throw new RehearseError('ERR_BAD_INPUT', `--children: cannot read directory ${dir}`);
  }
  if (names.length === 0) throw new RehearseError('ERR_BAD_INPUT', `--children: ${dir} holds no *.json histories`);
  const children = [];
  for (const name of names) {
    const history = (await readJson(join(dir, name), 'child history')) as { events?: unknown };
    if (!history || !Array.isArray(history.events)) throw new RehearseError('ERR_BAD_INPUT', `--children: ${name} has no "events" array (expected get-execution-history output)`);
    children.push({ source: name, events: history.events });
  }
  return children;
}

/** The `name` of every scenario file in `dir` but `except` (unreadable ones are skipped: `rehearse run` reports them). */
function scenarioNamesIn(dir: string, except: string): Set<string> {
  const names = new Set<string>();
  let entries: string[];
  try {
    entries = readdirSync(dir).filter((f) => /\.ya?ml$/.test(f));
  } catch {
    return names;
  }
  for (const f of entries) {
    const file = join(dir, f);
    if (file === except) continue;
    try {
      const doc = parse(readFileSync(file, 'utf8')) as { name?: unknown } | null;
      if (typeof doc?.name === 'string') names.add(doc.name);
    } catch {
      /* not YAML */
    }
  }
  return names;
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        execution: { type: 'string' },
        definition: { type: 'string' },
        children: { type: 'string' },
        'real-lambdas': { type: 'boolean' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    throw new RehearseError('ERR_BAD_INPUT', `${(e as Error).message.split('\n')[0]} (rehearse replay --help)`);
  }
  if (parsed.values.help) {
    io.stdout.write(`${HELP}\n`);
    return 0;
  }
  const [historyFile, ...extra] = parsed.positionals;
  if (!historyFile || extra.length) throw new RehearseError('ERR_BAD_INPUT', 'give exactly one HISTORY.json (rehearse replay --help)');
  const history = (await readJson(resolve(io.cwd, historyFile), 'history')) as { events?: unknown; execution?: DescribeExecutionJson };
  if (!history || !Array.isArray(history.events)) throw new RehearseError('ERR_BAD_INPUT', `${historyFile} has no "events" array (expected get-execution-history output)`);
  let execution = history.execution;
  if (parsed.values.execution) execution = (await readJson(resolve(io.cwd, parsed.values.execution), 'describe-execution output')) as DescribeExecutionJson;

  const outFile = parsed.values.out ? resolve(io.cwd, parsed.values.out) : undefined;
  let definitionPath: string | undefined;
  let topLevelStates: string[] | undefined;
  if (parsed.values.definition) {
    const abs = resolve(io.cwd, parsed.values.definition);
    const def = (await readJson(abs, 'definition')) as { States?: Record<string, unknown> };
    topLevelStates = Object.keys(def.States ?? {});
    definitionPath = relative(outFile ? dirname(outFile) : io.cwd, abs) || abs;
  }
  const children = parsed.values.children ? await readChildren(resolve(io.cwd, parsed.values.children)) : undefined;
  const events = history.events;
  const replay = (name?: string) => historyToScenario({
    ...(name !== undefined ? { name } : {}),
    schemaComment: schemaComment(outFile ? dirname(outFile) : io.cwd),
    events,
    ...(children ? { children } : {}),
    ...(execution ? { execution } : {}),
    ...(definitionPath ? { definitionPath } : {}),
    ...(topLevelStates ? { topLevelStates } : {}),
    ...(parsed.values['real-lambdas'] ? { realLambdas: true } : {}),
  });
  const first = replay();
  let yaml = first.yaml;
  // Names are unique in a run: one the folder it is written to already uses gets a number.
  if (outFile) {
    const taken = scenarioNamesIn(dirname(outFile), outFile);
    let name = first.scenario.name;
    for (let n = 2; taken.has(name); n++) name = `${first.scenario.name} (${n})`;
    if (name !== first.scenario.name) yaml = replay(name).yaml;
  }
  // What we write must load: check it with the same loader `rehearse run` uses.
  parseScenario(yaml, outFile ?? 'replayed scenario');
  if (outFile) {
    await mkdir(dirname(outFile), { recursive: true });
    await writeFile(outFile, yaml);
    io.stdout.write(`wrote ${outFile}\n`);
  } else io.stdout.write(yaml);
  return 0;
}
