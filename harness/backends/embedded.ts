/**
 * `--backend embedded` (the default): the in-process endpoint from
 * harness/emulator (startEmulator) on 127.0.0.1 and a free port — virtual time,
 * control-API faults, observations, local code directories. No Docker.
 */
import type { Clock } from '../core/index.ts';
import { startEmulator, type Emulator, type EmulatorOptions } from '../emulator/index.ts';
import type { Backend } from './backend.ts';
import { BACKEND_CAPABILITIES } from './capabilities.ts';
import { DEFAULT_REGION, DUMMY_CREDENTIALS } from './docker-backend.ts';

export interface EmbeddedOptions {
  /** `--real-time`: the wall clock instead of virtual time. */
  realTime?: boolean;
  /** A clock to share with the caller (default: virtual, or the wall clock with realTime). */
  clock?: Clock;
  /** Seed for ids and jitter (same seed, same history). */
  seed?: number | string;
  region?: string;
  /** Persist S3 objects and secrets here. */
  dataDir?: string;
  /** Where the endpoint's log lines go (default: warnings and errors to stderr). */
  log?: EmulatorOptions['log'];
}

export interface EmbeddedBackend extends Backend {
  readonly name: 'embedded';
  /** The running endpoint, for in-process callers (its clock, observations, faults). */
  readonly emulator: Emulator;
}

export async function startEmbedded(options: EmbeddedOptions = {}): Promise<EmbeddedBackend> {
  const emulator = await startEmulator({
    host: '127.0.0.1',
    port: 0,
    region: options.region ?? DEFAULT_REGION,
    clock: options.clock ?? (options.realTime ? 'real' : 'virtual'),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.log !== undefined ? { log: options.log } : {}),
  });
  let disposed: Promise<void> | undefined;
  const dispose = () => (disposed ??= emulator.dispose());
  return {
    name: 'embedded',
    endpoint: emulator.endpoint,
    region: emulator.region,
    accountId: emulator.accountId,
    credentials: { ...DUMMY_CREDENTIALS },
    capabilities: {
      ...BACKEND_CAPABILITIES.embedded,
      virtualTime: emulator.clock.kind === 'virtual',
      functionFaults: emulator.services.includes('lambda') ? 'control-api' : 'none',
    },
    controlUrl: `${emulator.endpoint}/_rehearse`,
    emulator,
    dispose,
    [Symbol.asyncDispose]: dispose,
  };
}
