"""Make `sync-127.0.0.1` / `sync-localhost` resolve like `127.0.0.1` / `localhost`.

botocore prepends an operation's host prefix to the endpoint's netloc even for
a custom endpoint_url (awsrequest._urljoin; only Config(inject_host_prefix=False)
stops it, and AWS_DISABLE_HOST_PREFIX_INJECTION exists only in botocore releases
after boto/botocore#3405, newer than Debian's). `sync-127.0.0.1` then fails DNS.
urllib3 and http.client connect through socket.getaddrinfo, looked up on the
socket module at call time, so wrapping it reaches every unmodified client.

Kept in step with HOST_PREFIXES in harness/protocol/host.ts and names.mjs here
(test/protocol/host-prefix.test.ts checks all three). Importing this module
changes nothing; install() does.
"""
import functools
import ipaddress
import socket

# Static host prefixes of the operations Rehearse serves (StartSyncExecution, TestState).
HOST_PREFIXES = ("sync-",)


def unprefixed_loopback_host(host):
    """The name to resolve instead of `host`, or None to resolve it as is.

    Only `<prefix><IPv4 literal>` and `<prefix>localhost` are rewritten: they can
    never have DNS records of their own. `sync-example.com` may be a real host.
    """
    if isinstance(host, (bytes, bytearray)):
        try:
            host = bytes(host).decode("ascii")
        except UnicodeDecodeError:
            return None
    if not isinstance(host, str):
        return None
    lower = host.lower()
    for prefix in HOST_PREFIXES:
        if not lower.startswith(prefix):
            continue
        rest = host[len(prefix):]
        try:
            ipaddress.IPv4Address(rest)
            return rest
        except ValueError:
            pass
        if rest.lower() in ("localhost", "localhost."):
            return rest
    return None


def install():
    """Wrap socket.getaddrinfo once per process; every other name passes through."""
    original = socket.getaddrinfo
    if getattr(original, "_rehearse_host_prefix", False):
        return

    @functools.wraps(original)
    def getaddrinfo(host, *args, **kwargs):
        target = unprefixed_loopback_host(host)
        return original(host if target is None else target, *args, **kwargs)

    getaddrinfo._rehearse_host_prefix = True
    socket.getaddrinfo = getaddrinfo
