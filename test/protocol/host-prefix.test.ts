/**
 * The host-prefix name mapping, once per language: the TS list in
 * harness/protocol/host.ts is the truth; the Node preload (names.mjs,
 * preload.mjs) and the Python one (host_prefix_dns.py, sitecustomize.py) are
 * copies that run outside the harness, so the same case table runs on each.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { HOST_PREFIXES, hostPrefixLookup } from '../../harness/protocol/host.ts';
import { HOST_PREFIXES as MJS_PREFIXES, unprefixedLoopbackHost } from '../../harness/runtime/bootstrap/host-prefix/names.mjs';
import { DEBIAN_PYTHON, hasBoto3 } from '../support/clients.ts';

const HOST_PREFIX_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'harness', 'runtime', 'bootstrap', 'host-prefix');
const PY_MODULE = join(HOST_PREFIX_DIR, 'host_prefix_dns.py');
const PRELOAD_URL = pathToFileURL(join(HOST_PREFIX_DIR, 'preload.mjs')).href;

/** [name the client asks for, name actually resolved (null: passed through unchanged)]. */
const CASES: ReadonlyArray<readonly [string, string | null]> = [
  ['sync-127.0.0.1', '127.0.0.1'],
  ['sync-10.20.30.40', '10.20.30.40'],
  ['sync-localhost', 'localhost'],
  ['sync-localhost.', 'localhost.'],
  ['SYNC-LocalHost', 'LocalHost'],
  // Not prefixed: untouched.
  ['127.0.0.1', null],
  ['localhost', null],
  ['states.us-east-1.amazonaws.com', null],
  // Prefixed, but a name that may really exist (AWS's own endpoint is one): untouched.
  ['sync-example.com', null],
  ['sync-states.us-east-1.amazonaws.com', null],
  ['sync-127.0.0.1.nip.io', null],
  ['sync-bucket.localhost', null],
  // Not IPv4 literals in the strict dotted-quad sense both Node and Python use.
  ['sync-256.1.1.1', null],
  ['sync-127.1', null],
  ['sync-', null],
  // Other AWS host prefixes are not ours (no service here uses them).
  ['data-127.0.0.1', null],
];

describe('host prefix list', () => {
  it('names.mjs and host_prefix_dns.py carry the same prefixes as harness/protocol/host.ts', async () => {
    expect(HOST_PREFIXES).toEqual(['sync-']);
    expect([...MJS_PREFIXES]).toEqual([...HOST_PREFIXES]);
    const py = await python(`import json; m = load(); print(json.dumps(list(m.HOST_PREFIXES)))`);
    expect(JSON.parse(py)).toEqual([...HOST_PREFIXES]);
  });
});

describe('Node: names.mjs and preload.mjs', () => {
  it.each(CASES)('%s → %s', (name, expected) => {
    expect(unprefixedLoopbackHost(name) ?? null).toBe(expected);
  });

  it('preload.mjs rewrites only the table’s names, through dns.lookup, dns.promises.lookup and ESM named imports', async () => {
    // A child process, so the worker's own dns module stays untouched. The
    // child replaces dns.lookup with a recorder *before* the preload wraps it,
    // so we see exactly which name reaches the real resolver, and with which options.
    const script = `
      import dns from 'node:dns';
      const seen = [];
      dns.lookup = (name, options, cb) => { seen.push({ name, options }); cb(null, '192.0.2.1', 4); };
      dns.promises.lookup = async (name, options) => { seen.push({ name, options, promises: true }); return { address: '192.0.2.1', family: 4 }; };
      await import(${JSON.stringify(PRELOAD_URL)});
      const wrapped = dns.lookup;
      await import(${JSON.stringify(PRELOAD_URL + '?again')}); // a second load must not wrap twice
      const { lookup: named } = await import('node:dns');
      const cases = ${JSON.stringify(CASES.map(([n]) => n))};
      for (const name of cases) await new Promise((r) => dns.lookup(name, { all: true, hints: 32 }, r));
      await dns.promises.lookup('sync-127.0.0.1', { family: 4 });
      await new Promise((r) => named('sync-localhost', { all: true }, r));
      process.stdout.write(JSON.stringify({ seen, wrappedOnce: dns.lookup === wrapped && named === wrapped }));
    `;
    const r = await execa(process.execPath, ['--input-type=module', '-e', script], { reject: false });
    expect(r.stderr).toBe('');
    const { seen, wrappedOnce } = JSON.parse(String(r.stdout)) as { seen: Array<{ name: string; options: unknown; promises?: boolean }>; wrappedOnce: boolean };
    expect(wrappedOnce).toBe(true);
    expect(seen.slice(0, CASES.length).map((s) => s.name)).toEqual(CASES.map(([n, to]) => to ?? n));
    expect(seen[0]!.options).toEqual({ all: true, hints: 32 });
    expect(seen.slice(CASES.length)).toEqual([
      { name: '127.0.0.1', options: { family: 4 }, promises: true },
      { name: 'localhost', options: { all: true } },
    ]);
  });

  it('with the real resolver: sync-127.0.0.1 gives 127.0.0.1 and util.promisify keeps {address, family}', async () => {
    const script = `
      import dns from 'node:dns';
      import { promisify } from 'node:util';
      await import(${JSON.stringify(PRELOAD_URL)});
      const all = await new Promise((res, rej) => dns.lookup('sync-127.0.0.1', { all: true }, (e, a) => (e ? rej(e) : res(a))));
      const one = await promisify(dns.lookup)('sync-127.0.0.1');
      const viaPromises = await dns.promises.lookup('sync-127.0.0.1');
      process.stdout.write(JSON.stringify({ all, one, viaPromises }));
    `;
    const r = await execa(process.execPath, ['--input-type=module', '-e', script]);
    expect(JSON.parse(String(r.stdout))).toEqual({
      all: [{ address: '127.0.0.1', family: 4 }],
      one: { address: '127.0.0.1', family: 4 },
      viaPromises: { address: '127.0.0.1', family: 4 },
    });
  });

  it('hostPrefixLookup (the agent lookup) resolves the loopback rows of the table the same way', async () => {
    const lookup = promisify((name: string, cb: (e: Error | null, a: unknown) => void) => hostPrefixLookup(name, { all: true }, (e, a) => cb(e, a)));
    for (const [name, to] of CASES.filter(([, t]) => t !== null && /^\d/.test(t))) {
      expect(await lookup(name)).toEqual([{ address: to, family: 4 }]);
    }
  });
});

async function python(body: string, env: Record<string, string> = {}): Promise<string> {
  const prelude = [
    'import importlib.util',
    'def load():',
    `    spec = importlib.util.spec_from_file_location("host_prefix_dns", ${JSON.stringify(PY_MODULE)})`,
    '    m = importlib.util.module_from_spec(spec)',
    '    spec.loader.exec_module(m)',
    '    return m',
  ].join('\n');
  const r = await execa(DEBIAN_PYTHON, ['-c', `${prelude}\n${body}`], { env: { PATH: '/usr/bin:/bin', PYTHONDONTWRITEBYTECODE: '1', ...env }, extendEnv: false });
  return String(r.stdout);
}

describe.skipIf(!hasBoto3)('Python: host_prefix_dns.py and sitecustomize.py', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('maps the same case table (str and bytes) and socket.getaddrinfo passes every other name through', async () => {
    const out = await python(`
import json, socket
seen = []
def recorder(host, *args, **kwargs):
    seen.append([host if isinstance(host, str) else host.decode(), list(args)])
    return []
socket.getaddrinfo = recorder
m = load()
cases = json.loads(${JSON.stringify(JSON.stringify(CASES.map(([n]) => n)))})
mapped = [m.unprefixed_loopback_host(n) for n in cases]
as_bytes = [m.unprefixed_loopback_host(n.encode()) for n in cases]
m.install(); m.install()  # idempotent: one wrapper
for n in cases:
    socket.getaddrinfo(n, 443, 0, socket.SOCK_STREAM)
print(json.dumps({"mapped": mapped, "bytes": as_bytes, "seen": seen}))
`);
    const { mapped, bytes, seen } = JSON.parse(out) as { mapped: Array<string | null>; bytes: Array<string | null>; seen: Array<[string, unknown[]]> };
    expect(mapped).toEqual(CASES.map(([, to]) => to));
    expect(bytes).toEqual(CASES.map(([, to]) => to));
    expect(seen.map(([n]) => n)).toEqual(CASES.map(([n, to]) => to ?? n));
    expect(seen[0]![1]).toEqual([443, 0, 1]);
  });

  it('sitecustomize.py on PYTHONPATH patches an unmodified interpreter and still runs the sitecustomize it shadows', async () => {
    const other = mkdtempSync(join(tmpdir(), 'rehearse-sitecustomize-'));
    dirs.push(other);
    writeFileSync(join(other, 'sitecustomize.py'), 'import builtins\nbuiltins.SHADOWED_SITECUSTOMIZE_RAN = True\n');
    const out = await python(
      `
import builtins, json, socket
print(json.dumps({
  "shadowed": getattr(builtins, "SHADOWED_SITECUSTOMIZE_RAN", False),
  "resolved": sorted({ai[4][0] for ai in socket.getaddrinfo("sync-127.0.0.1", 80, socket.AF_INET, socket.SOCK_STREAM)}),
}))
`,
      { PYTHONPATH: `${HOST_PREFIX_DIR}:${other}` },
    );
    expect(JSON.parse(out)).toEqual({ shadowed: true, resolved: ['127.0.0.1'] });
  });

  it('without the preload the same lookup fails (the mapping is what makes it work)', async () => {
    const out = await python(`
import socket
try:
    socket.getaddrinfo("sync-127.0.0.1", 80, socket.AF_INET, socket.SOCK_STREAM)
    print("resolved")
except socket.gaierror as e:
    print("gaierror")
`);
    expect(out.trim()).toBe('gaierror');
  });
});
