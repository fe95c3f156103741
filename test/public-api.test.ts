/** harness/index.ts is the one public surface: it loads, and `await using` disposes what it starts. */
import { describe, expect, it } from 'vitest';
import * as rehearse from '../harness/index.ts';

describe('public API', () => {
  it('exports the entry points users build on', () => {
    for (const name of ['startEmulator', 'loadScenario', 'runScenario', 'runSuite', 'createBackend', 'deploy', 'validatePaths', 'createEngine', 'validateDefinition', 'VirtualClock', 'createIdSource']) {
      expect(typeof (rehearse as Record<string, unknown>)[name], name).toBe('function');
    }
  });

  it('startEmulator implements Symbol.asyncDispose and releases its port', async () => {
    let endpoint: string;
    {
      await using emulator = await rehearse.startEmulator({ clock: new rehearse.VirtualClock(), log: false });
      endpoint = emulator.endpoint;
      const health = (await (await fetch(`${endpoint}/_rehearse/health`)).json()) as rehearse.HealthResponse;
      expect(health).toMatchObject({ status: 'ok', clock: 'virtual' });
      expect(health.services).toEqual(expect.arrayContaining(['s3', 'secretsmanager', 'sns', 'lambda', 'states']));
    }
    await expect(fetch(`${endpoint}/_rehearse/health`)).rejects.toThrow();
  });
});
