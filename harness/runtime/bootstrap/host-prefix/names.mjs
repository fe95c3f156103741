// Which `<prefix><host>` names stand for a loopback/IP endpoint. Plain
// JavaScript with no side effects, shared by preload.mjs and the tests.
//
// The AWS SDKs prepend an operation's Smithy `@endpoint(hostPrefix)` to the
// endpoint host even when the endpoint is custom: @smithy/core
// HttpProtocol.setHostPrefix (skipped only with `disableHostPrefix`), botocore
// awsrequest._urljoin (skipped only with Config(inject_host_prefix=False)).
// So `AWS_ENDPOINT_URL=http://127.0.0.1:4566` makes StartSyncExecution go to
// `sync-127.0.0.1`, a name no resolver knows. AWS has DNS records for
// `sync-states.<region>.amazonaws.com`; an IP literal or `localhost` cannot.
//
// Kept in step with HOST_PREFIXES in harness/protocol/host.ts and with
// host_prefix_dns.py here (test/protocol/host-prefix.test.ts checks all three).

import { isIPv4 } from 'node:net';

/** Static host prefixes of the operations Rehearse serves: Step Functions StartSyncExecution and TestState. */
export const HOST_PREFIXES = Object.freeze(['sync-']);

/**
 * The name to resolve instead of `hostname`, or undefined to resolve it as is.
 * Only `<prefix><IPv4 literal>` and `<prefix>localhost` are rewritten: those
 * can never have DNS records of their own, so rewriting them cannot redirect a
 * request that would have worked. `sync-example.com` may be a real host
 * (AWS's own `sync-states…` is) and is left alone.
 * @param {string} hostname
 * @returns {string | undefined}
 */
export function unprefixedLoopbackHost(hostname) {
  if (typeof hostname !== 'string') return undefined;
  const lower = hostname.toLowerCase();
  for (const prefix of HOST_PREFIXES) {
    if (!lower.startsWith(prefix)) continue;
    const rest = hostname.slice(prefix.length);
    if (isIPv4(rest)) return rest;
    const restLower = rest.toLowerCase();
    if (restLower === 'localhost' || restLower === 'localhost.') return rest;
  }
  return undefined;
}
