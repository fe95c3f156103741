/** harness/emulator: the embedded AWS endpoint (public surface re-exported by harness/index.ts). */
export { startEmulator } from './server.ts';
export type { Emulator, EmulatorOptions } from './server.ts';
