export { SystemClock, VirtualClock, REAL_CLOCK, settle } from './clock.ts';
export type { Clock, Timer, HoldKind, AutoAdvance, VirtualClockOptions } from './clock.ts';
export { createIdSource, ReseedableIdSource } from './ids.ts';
export type { IdSource } from './ids.ts';
export { AwsServiceError, isAwsServiceError, RehearseError, EXIT_CODES } from './errors.ts';
export type { RehearseErrorCode, ErrorLocation } from './errors.ts';
export { trace, traced } from './trace.ts';
export { cacheFile, cacheKey, cacheRoot, readCacheBytes, readCacheFile, writeCacheFile } from './cache.ts';
