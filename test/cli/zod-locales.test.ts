/**
 * The compiled CLI loads zod's locales when something reads `z.locales`,
 * not at start (cli/zod-locales.ts): in a process of its own, as entry.ts
 * installs it, zod still validates with its English messages, and every
 * locale is still there to be asked for.
 */
import { execa } from 'execa';
import { expect, it } from 'vitest';
import { build, DIST, isStale } from '../../scripts/build.ts';

it("zod's locales load on first use: English messages as before, z.locales complete, another language on request", { timeout: 120_000 }, async () => {
  if (isStale()) build();
  const script = `require(${JSON.stringify(`${DIST}/cli/zod-locales.js`)});
const { z } = require('zod');
const locales = () => Object.keys(require.cache).filter((f) => /zod[\\\\/]v4[\\\\/]locales[\\\\/]/.test(f)).map((f) => f.replace(/.*[\\\\/]/, '')).sort();
const atStart = locales();
const english = z.object({ n: z.number() }).safeParse({ n: 'x' }).error.issues[0].message;
const afterParse = locales();
const keys = Object.keys(z.locales);
z.config(z.locales.fr());
const french = z.object({ n: z.number() }).safeParse({ n: 'x' }).error.issues[0].message;
z.config(z.locales.en());
console.log(JSON.stringify({ atStart, english, afterParse, keys: keys.length, hasFr: 'fr' in z.locales, french, loaded: locales().length }));`;
  const out = JSON.parse((await execa(process.execPath, ['-e', script], { cwd: DIST })).stdout) as Record<string, unknown>;
  expect(out).toMatchObject({
    // Only the English locale zod's schemas load themselves.
    atStart: ['en.cjs'],
    english: 'Invalid input: expected number, received string',
    afterParse: ['en.cjs'],
    hasFr: true,
    french: expect.stringMatching(/^Entrée invalide/),
  });
  // Reading z.locales loaded the real index: every locale zod ships, each file now loaded.
  expect(out.keys).toBeGreaterThan(40);
  expect(out.loaded).toBeGreaterThan(40);
});
