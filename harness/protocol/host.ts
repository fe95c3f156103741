/**
 * Host headers: `sync-` host prefixes (StartSyncExecution/TestState), and the
 * DNS side of them for clients on loopback.
 *
 * The SDKs prepend an operation's Smithy `@endpoint(hostPrefix)` to the
 * endpoint host even for a custom endpoint (@smithy/core
 * `HttpProtocol.setHostPrefix`, botocore `awsrequest._urljoin`), so the server
 * must route on the un-prefixed host, and a client must be able to resolve
 * `sync-127.0.0.1`. Processes that cannot pass an agent get the same through a
 * preload: `harness/runtime/bootstrap/host-prefix/` (preload.mjs for Node,
 * sitecustomize.py for Python), which every Lambda environment loads.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';

/**
 * Host prefixes the AWS SDKs prepend per operation (Smithy `@endpoint(hostPrefix)`)
 * for the services we serve: Step Functions StartSyncExecution and TestState
 * (https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartSyncExecution.html,
 * endpoint `sync-states.<region>.amazonaws.com`). The preloads' copies
 * (names.mjs, host_prefix_dns.py) are tested against this list.
 */
export const HOST_PREFIXES: readonly string[] = ['sync-'];

/** `sync-127.0.0.1:4566` → `127.0.0.1:4566`: routing never depends on the prefix. */
export function stripHostPrefix(host: string): string {
  for (const p of HOST_PREFIXES) if (host.startsWith(p)) return host.slice(p.length);
  return host;
}

/**
 * S3 bucket named by the Host header, if virtual-host style (`<bucket>.localhost[:port]`,
 * `<bucket>.s3.localhost`). https://docs.aws.amazon.com/AmazonS3/latest/userguide/VirtualHosting.html
 */
export function bucketFromHost(host: string): string | undefined {
  const name = stripHostPrefix(host).replace(/:\d+$/, '').toLowerCase();
  const m = /^(.+?)(?:\.s3)?\.localhost$/.exec(name);
  if (!m || m[1] === 's3') return undefined;
  return m[1];
}

/**
 * A `lookup` for http.Agent that resolves `sync-<host>` like `<host>`, and
 * `<anything>.localhost` as loopback. The SDK
 * prepends host prefixes to whatever endpoint it was given, so without this
 * `sync-127.0.0.1` fails DNS before the request reaches us (AWS has wildcard
 * DNS; a laptop does not). Pass it as `new http.Agent({ lookup: hostPrefixLookup })`.
 *
 * Unlike the process-wide preload (which only rewrites `<prefix><IPv4>` and
 * `<prefix>localhost`), this strips the prefix from any name: an agent built
 * for an emulator may point at `http://rehearse:4566` (a compose service),
 * and it is never used for real AWS.
 */
export function hostPrefixLookup(
  hostname: string,
  options: LookupOptions,
  callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void,
): void {
  let name = stripHostPrefix(hostname.toLowerCase());
  // RFC 6761 §6.3: every name under `localhost.` is loopback (S3 virtual-host style `<bucket>.localhost`).
  if (name.endsWith('.localhost')) name = 'localhost';
  dnsLookup(name, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    if (options.all) return callback(null, addresses);
    const first = addresses[0];
    callback(null, first?.address ?? '', first?.family);
  });
}
