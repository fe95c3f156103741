/**
 * Host headers: `sync-` host prefixes (StartSyncExecution/TestState), and the
 * DNS side of them for clients on loopback.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';

/** Host prefixes the AWS SDKs prepend per operation (Smithy `@endpoint(hostPrefix)`). */
const HOST_PREFIXES = ['sync-'];

/** `sync-127.0.0.1:4566` → `127.0.0.1:4566`: routing never depends on the prefix. */
export function stripHostPrefix(host: string): string {
  for (const p of HOST_PREFIXES) if (host.startsWith(p)) return host.slice(p.length);
  return host;
}

/**
 * A `lookup` for http.Agent that resolves `sync-<host>` like `<host>`, and
 * `<anything>.localhost` as loopback. The SDK
 * prepends host prefixes to whatever endpoint it was given, so without this
 * `sync-127.0.0.1` fails DNS before the request reaches us (AWS has wildcard
 * DNS; a laptop does not). Pass it as `new http.Agent({ lookup: hostPrefixLookup })`.
 */
export function hostPrefixLookup(
  hostname: string,
  options: LookupOptions,
  callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
): void {
  let name = hostname;
  for (const p of HOST_PREFIXES) if (name.startsWith(p)) name = name.slice(p.length);
  // RFC 6761 §6.3: every name under `localhost.` is loopback (S3 virtual-host style `<bucket>.localhost`).
  if (name.toLowerCase().endsWith('.localhost')) name = 'localhost';
  dnsLookup(name, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    if (options.all) return callback(null, addresses);
    const first = addresses[0];
    callback(null, first?.address ?? '', first?.family);
  });
}
