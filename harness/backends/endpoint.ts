/**
 * `--backend endpoint=URL`: anything already running that speaks the AWS APIs
 * (`rehearse serve`, the rehearse container, MiniStack, Floci, a shared dev
 * emulator). `GET /_rehearse/health` decides whether the documented control API
 * exists; everything else is used only through the AWS APIs, so the same
 * scenarios run here as on the embedded endpoint (or are skipped, with the
 * reason, where a capability is missing).
 */
import { RehearseError } from '../core/index.ts';
import type { HealthResponse } from '../emulator/control-types.ts';
import type { Backend, Capabilities } from './backend.ts';

export interface EndpointOptions {
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** The health probe gives up after this long (default 5 s). */
  timeoutMs?: number;
  /**
   * Whether the endpoint can read this machine's directories as Lambda code.
   * Default: only when it offers the control API and listens on loopback
   * (a `rehearse serve` on this machine, not a container or a remote host).
   */
  localCodeDirectories?: boolean;
  fetch?: typeof fetch;
}

export const NO_CONTROL_API: Capabilities = {
  virtualTime: false,
  functionFaults: 'none',
  operationFaults: false,
  observations: false,
  localCodeDirectories: false,
};

/** `endpoint=URL` → a normalised base URL; bad input names what is wrong. */
export function parseEndpointUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new RehearseError('ERR_BAD_INPUT', `--backend endpoint=${raw}: not a URL (expected e.g. endpoint=http://127.0.0.1:4566)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new RehearseError('ERR_BAD_INPUT', `--backend endpoint=${raw}: the scheme must be http or https, not ${url.protocol.replace(/:$/, '')}`);
  }
  if (url.search || url.hash || (url.pathname !== '/' && url.pathname !== '')) {
    throw new RehearseError('ERR_BAD_INPUT', `--backend endpoint=${raw}: give the endpoint's origin only (no path, query or fragment)`);
  }
  return url.origin;
}

function isLoopback(origin: string): boolean {
  const host = new URL(origin).hostname;
  return host === 'localhost' || host === '[::1]' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

function isHealth(value: unknown): value is HealthResponse {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return v.status === 'ok' && Array.isArray(v.services) && (v.clock === 'system' || v.clock === 'virtual');
}

export type Probe =
  | { kind: 'control-api'; health: HealthResponse }
  | { kind: 'aws-only'; status: number };

/** Asks `/_rehearse/health`; a non-Rehearse endpoint answers 404 or something that is not our health shape. */
export async function probeEndpoint(origin: string, options: Pick<EndpointOptions, 'timeoutMs' | 'fetch'> = {}): Promise<Probe> {
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 5000;
  let res: Response;
  try {
    res = await doFetch(`${origin}/_rehearse/health`, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
  } catch (e) {
    const cause = e instanceof Error ? ((e.cause as { code?: string } | undefined)?.code ?? e.name) : String(e);
    const why = cause === 'TimeoutError' ? `no answer within ${timeoutMs / 1000} s` : `connection failed: ${cause}`;
    throw new RehearseError('ERR_BACKEND_UNAVAILABLE', `nothing answers at ${origin} (${why})`, {
      hint: 'Start it first (e.g. `rehearse serve`, or `rehearse up --backend rehearse` for the container), or use `--backend embedded`.',
      cause: e,
    });
  }
  const text = await res.text();
  if (res.ok) {
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (isHealth(body)) return { kind: 'control-api', health: body };
  }
  return { kind: 'aws-only', status: res.status };
}

export function capabilitiesFromProbe(origin: string, probe: Probe, localCodeDirectories?: boolean): Capabilities {
  if (probe.kind === 'aws-only') return { ...NO_CONTROL_API };
  const services = new Set(probe.health.services);
  return {
    virtualTime: probe.health.clock === 'virtual',
    functionFaults: services.has('lambda') ? 'control-api' : 'none',
    operationFaults: true,
    observations: true,
    localCodeDirectories: localCodeDirectories ?? isLoopback(origin),
  };
}

export interface EndpointBackend extends Backend {
  readonly name: 'endpoint';
  /** What `/_rehearse/health` said, when the control API exists. */
  readonly health?: HealthResponse;
}

export async function connectEndpoint(raw: string, options: EndpointOptions = {}): Promise<EndpointBackend> {
  const origin = parseEndpointUrl(raw);
  const probe = await probeEndpoint(origin, options);
  const capabilities = capabilitiesFromProbe(origin, probe, options.localCodeDirectories);
  const backend: EndpointBackend = {
    name: 'endpoint',
    endpoint: origin,
    region: options.region ?? 'us-east-1',
    credentials: options.credentials ?? { accessKeyId: 'test', secretAccessKey: 'test' },
    capabilities,
    ...(probe.kind === 'control-api' ? { controlUrl: `${origin}/_rehearse`, health: probe.health } : {}),
    // We did not start it, so we do not stop it.
    dispose: async () => {},
    [Symbol.asyncDispose]: async () => {},
  };
  return backend;
}
