/** `endpoint=URL`: the health probe decides the capabilities. Real HTTP servers on 127.0.0.1:0. */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RehearseError } from '../../harness/core/index.ts';
import { capabilitiesFromProbe, connectEndpoint, NO_CONTROL_API, parseEndpointUrl } from '../../harness/backends/endpoint.ts';
import { createBackend } from '../../harness/backends/index.ts';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

async function serve(handler: (url: string) => { status: number; body: string }): Promise<string> {
  const server = createServer((req, res) => {
    const { status, body } = handler(req.url ?? '');
    res.writeHead(status, { 'content-type': 'application/json' }).end(body);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('endpoint=URL backend', () => {
  it('with /_rehearse/health: control API, virtual time as the health says, local code dirs on loopback', async () => {
    const seen: string[] = [];
    const url = await serve((u) => {
      seen.push(u);
      return { status: 200, body: JSON.stringify({ status: 'ok', version: '0.1.0', services: ['s3', 'secretsmanager', 'sns', 'lambda', 'states'], clock: 'virtual' }) };
    });
    await using backend = await createBackend(`endpoint=${url}`);
    expect(seen).toEqual(['/_rehearse/health']);
    expect(backend).toMatchObject({ name: 'endpoint', endpoint: url, controlUrl: `${url}/_rehearse`, region: 'us-east-1' });
    expect(backend.capabilities).toEqual({ virtualTime: true, functionFaults: 'control-api', operationFaults: true, observations: true, localCodeDirectories: true });
  });

  it('a system-clock endpoint without lambda offers no virtual time and no function faults', async () => {
    const url = await serve(() => ({ status: 200, body: JSON.stringify({ status: 'ok', version: '1', services: ['s3'], clock: 'system' }) }));
    const backend = await connectEndpoint(url, { localCodeDirectories: false });
    expect(backend.capabilities).toMatchObject({ virtualTime: false, functionFaults: 'none', observations: true, localCodeDirectories: false });
    expect(backend.health?.services).toEqual(['s3']);
  });

  it('anything else (404, or 200 that is not our health) is a plain AWS-compatible endpoint', async () => {
    const notFound = await serve(() => ({ status: 404, body: '{"__type":"UnknownOperationException"}' }));
    const other = await serve(() => ({ status: 200, body: '<html>MiniStack</html>' }));
    for (const url of [notFound, other]) {
      const backend = await connectEndpoint(url);
      expect(backend.capabilities).toEqual(NO_CONTROL_API);
      expect(backend.controlUrl).toBeUndefined();
    }
  });

  it('nothing listening → ERR_BACKEND_UNAVAILABLE (exit 3) saying so', async () => {
    const url = await serve(() => ({ status: 200, body: '' }));
    await new Promise((r) => servers.pop()!.close(r));
    const err = await createBackend(`endpoint=${url}`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RehearseError);
    expect((err as RehearseError).code).toBe('ERR_BACKEND_UNAVAILABLE');
    expect((err as Error).message).toMatch(new RegExp(`nothing answers at ${url} \\(connection failed: ECONNREFUSED\\)`));
  });

  it('a hung endpoint times out instead of hanging the run', async () => {
    const server = createServer(() => {});
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await expect(connectEndpoint(url, { timeoutMs: 200 })).rejects.toThrow(/no answer within 0\.2 s/);
    server.closeAllConnections();
  });

  it('local code directories only for a loopback endpoint unless told', () => {
    const probe = { kind: 'control-api' as const, health: { status: 'ok' as const, version: '1', services: ['lambda'], clock: 'system' as const } };
    expect(capabilitiesFromProbe('http://localhost:4566', probe).localCodeDirectories).toBe(true);
    expect(capabilitiesFromProbe('http://10.0.0.5:4566', probe).localCodeDirectories).toBe(false);
    expect(capabilitiesFromProbe('http://10.0.0.5:4566', probe, true).localCodeDirectories).toBe(true);
    expect(parseEndpointUrl('https://emulator.example.com')).toBe('https://emulator.example.com');
  });
});
