/**
 * The endpoint the service benchmarks measure: the compiled JavaScript in
 * dist/ — what an installed package runs — built first when it is missing or
 * older than the sources (scripts/build.ts keeps a hash of them). Through tsx
 * the same code carries the loader's per-function name helper, a few µs per
 * request the shipped package does not pay.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Emulator from '../harness/emulator/index.ts';
import { build, DIST, isStale } from '../scripts/build.ts';

if (isStale()) {
  console.log('  (building dist/ first: the benchmarks measure the compiled endpoint)');
  build();
}

const compiled = (await import(pathToFileURL(join(DIST, 'emulator', 'index.js')).href)) as typeof Emulator;

/** `startEmulator` from dist/. */
export const startEmulator: typeof Emulator.startEmulator = compiled.startEmulator;
console.log(`  endpoint: the compiled JavaScript in dist/ (${DIST})`);

/** A ceiling server's request id: a UUID, as long as the endpoint's, so the ceiling answers the same bytes. */
export const CEILING_REQUEST_ID = '5b4f6a34-1c2e-4f1e-9d1a-2a6b3c4d5e6f';
