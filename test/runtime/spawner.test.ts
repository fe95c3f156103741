/**
 * Environment processes started through the spawner (harness/runtime/spawner.ts):
 * the process gets the command, arguments, variables and directory it was
 * given and no stdin; its output reaches this process directly, before a
 * request it makes afterwards; exit codes, signals, a missing command and a
 * kill are reported as a child of this process would report them. Real
 * processes, real sockets.
 */
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settle } from '../../harness/core/index.ts';
import { startProcess, type EnvironmentProcess } from '../../harness/runtime/spawner.ts';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '../..');
const SPAWNER_MODULE = join(REPO, 'harness/runtime/spawner.ts');

interface Observed {
  process: EnvironmentProcess;
  stdout: string;
  stderr: string;
  exit?: { code: number | null; signal: string | null };
  error?: string;
  closed: Promise<void>;
}

function start(script: string, env: Record<string, string> = {}): Observed {
  let closed!: () => void;
  const seen: Observed = { process: undefined as unknown as EnvironmentProcess, stdout: '', stderr: '', closed: new Promise((r) => (closed = r)) };
  seen.process = startProcess(
    { command: process.execPath, args: ['-e', script], env: { PATH: process.env.PATH ?? '', ...env }, cwd: tmpdir() },
    {
      output: (stream, text) => (seen[stream] += text),
      error: (e) => {
        seen.error = e.message;
        closed();
      },
      exit: (code, signal) => (seen.exit = { code, signal }),
      close: () => closed(),
    },
  );
  return seen;
}

let server: Server;
let url: string;
/** What each request found already written to the requesting process's stdout. */
const outputAtRequest: string[] = [];
let current: Observed | undefined;

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () =>
      // As ExecutionEnvironment does before it reads an invocation's output (environment.ts finishAfterOutput).
      void settle().then(() => {
        outputAtRequest.push(current?.stdout ?? '');
        res.end('ok');
      }),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});

describe('the process spawner', () => {
  it('starts the process from the spawner (not this process), with its variables, directory and no stdin; reports its output, exit code and close', async () => {
    const p = start(
      "let input = ''; process.stdin.on('data', (d) => (input += d)).on('end', () => { console.log(JSON.stringify({ v: process.env.GREETING, cwd: process.cwd(), input, ppid: process.ppid })); console.error('to stderr'); process.exit(3); });",
      { GREETING: 'hello' },
    );
    await p.closed;
    const seen = JSON.parse(p.stdout) as { ppid: number };
    expect(seen).toEqual({ v: 'hello', cwd: tmpdir(), input: '', ppid: expect.any(Number) });
    expect(seen.ppid).not.toBe(process.pid);
    expect(p.stderr).toBe('to stderr\n');
    expect(p.exit).toEqual({ code: 3, signal: null });
    expect(p.process.exited).toBe(true);
  });

  it('delivers what the process wrote before a request it made afterwards, every time', async () => {
    for (let i = 0; i < 5; i++) {
      const line = `line ${i} ${'x'.repeat(2000 * i)}`;
      const p = (current = start(`process.stdout.write(${JSON.stringify(line + '\n')}); fetch(${JSON.stringify(url)}).then(() => process.exit(0));`));
      await p.closed;
      expect(outputAtRequest[i]).toBe(`${line}\n`);
    }
  });

  it('kills the process (SIGKILL), and reports its real pid until then', async () => {
    const p = start("console.log('up'); setInterval(() => {}, 1000);");
    while (!p.stdout.includes('up')) await new Promise((r) => setTimeout(r, 10));
    expect(p.process.pid).toBeGreaterThan(0);
    expect(() => process.kill(p.process.pid!, 0)).not.toThrow();
    p.process.kill();
    await p.closed;
    expect(p.exit).toEqual({ code: null, signal: 'SIGKILL' });
  });

  it('keeps the harness process alive while a process it is waiting for has not exited', async () => {
    // In a process of its own, where nothing else keeps the event loop alive: the environment closes its
    // output first, so only the spawner's report of its exit is left to wait for.
    const script = [
      `import { startProcess } from ${JSON.stringify(pathToFileURL(SPAWNER_MODULE).href)};`,
      "startProcess({ command: process.execPath, args: ['-e', 'require(\"fs\").closeSync(1); require(\"fs\").closeSync(2); setTimeout(() => {}, 300)'], env: {}, cwd: process.cwd() },",
      "  { output: () => {}, error: (e) => console.log('error', e.message), exit: (code) => console.log('exit', code), close: () => console.log('closed') });",
    ].join('\n');
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: REPO });
    expect(stdout).toBe('exit 0\nclosed\n');
  });

  it('reports a command that cannot start as an error', async () => {
    let closed!: () => void;
    const done = new Promise<void>((r) => (closed = r));
    let error: string | undefined;
    startProcess({ command: '/nonexistent/interpreter', args: [], env: {}, cwd: tmpdir() }, { output: () => {}, exit: () => {}, close: () => closed(), error: (e) => ((error = e.message), closed()) });
    await done;
    expect(error).toMatch(/ENOENT/);
  });
});
