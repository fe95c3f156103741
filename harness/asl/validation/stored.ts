/**
 * A definition's diagnostics kept in Rehearse's cache folder, so the next
 * run that deploys the same definitions reads them instead of validating
 * again (the reference template's nine: ≈ 40 ms of a lone scenario's deploy,
 * the validator's set-up included). Validation is a function of the text
 * alone, so an entry is named by a hash of the text and of the code that
 * validates it: the compiled package's build hash (dist/.source-hash, which
 * covers every source file) and the versions of the packages the schemas come
 * from. Run from the sources (tsx, vitest) there is no build hash, as the
 * code may be edited between runs: nothing is kept.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { z } from 'zod';
import type { Diagnostic } from '../api.ts';
import { cacheFile, cacheKey, readCacheFile, writeCacheFile } from '../../core/index.ts';

const DIAGNOSTICS = z.array(
  z.strictObject({
    severity: z.enum(['ERROR', 'WARNING']),
    code: z.string(),
    location: z.string(),
    message: z.string(),
  }),
);

/** Bump when what an entry holds changes. */
const FORMAT = 1;

export class StoredDiagnostics {
  /** `validator`: the build and package versions the entries belong to; undefined keeps nothing. */
  constructor(private readonly validator: string | undefined) {}

  read(text: string): Diagnostic[] | undefined {
    if (this.validator === undefined) return undefined;
    const stored = readCacheFile(this.file(text));
    if (stored === undefined) return undefined;
    try {
      const parsed = DIAGNOSTICS.safeParse(JSON.parse(stored));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined; // a torn or foreign file: validated again and rewritten
    }
  }

  write(text: string, diagnostics: readonly Diagnostic[]): void {
    if (this.validator !== undefined) writeCacheFile(this.file(text), JSON.stringify(diagnostics));
  }

  private file(text: string): string {
    return cacheFile('asl-diagnostics', `${cacheKey(String(FORMAT), this.validator!, text)}.json`);
  }
}

/** The compiled package's build hash and the schema packages' versions; undefined from the sources. */
export function validatorIdentity(moduleUrl: string = import.meta.url): string | undefined {
  if (!moduleUrl.endsWith('.js')) return undefined;
  let build: string;
  try {
    // dist/asl/validation/stored.js → dist/.source-hash
    build = readFileSync(new URL('../../.source-hash', moduleUrl), 'utf8').trim();
  } catch {
    return undefined;
  }
  try {
    const fromValidator = createRequire(createRequire(moduleUrl).resolve('asl-validator'));
    const versions = ['ajv', 'ajv-formats', 'asl-validator', 'asl-path-validator'].map((p) => (fromValidator(`${p}/package.json`) as { version: string }).version);
    return [build, ...versions].join(' ');
  } catch {
    return undefined;
  }
}
