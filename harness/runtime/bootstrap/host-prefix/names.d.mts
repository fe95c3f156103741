// Types for names.mjs (plain JavaScript so it runs in any Node process without tsx).
/** Static host prefixes of the operations Rehearse serves: Step Functions StartSyncExecution and TestState. */
export declare const HOST_PREFIXES: readonly string[];
/** The name to resolve instead of `hostname` (`sync-127.0.0.1` → `127.0.0.1`), or undefined to resolve it as is. */
export declare function unprefixedLoopbackHost(hostname: string): string | undefined;
