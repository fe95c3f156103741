/** harness/protocol: the AWS wire protocols, once. */
export { createProtocolHandler, holdsClockWhileHandled, DEFAULT_LIMITS } from './http-handler.ts';
export type { ProtocolHandler, ProtocolHandlerOptions } from './http-handler.ts';
export { serializeError } from './errors.ts';
export type { WireProtocol } from './errors.ts';
export { stripHostPrefix, hostPrefixLookup } from './host.ts';
export { parseAuthorization } from './sigv4.ts';
export type * from './service.ts';
