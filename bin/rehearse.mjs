#!/usr/bin/env node
// `rehearse` as npm links it. The installed package runs its compiled
// JavaScript (dist/, no TypeScript loader: the CLI starts in well under a
// second). A checkout of Rehearse itself has the sources next to this file:
// it runs dist/ while dist/ was built from exactly these sources (the content
// hash `npm run build` leaves in dist/.source-hash, ≈ 20 ms to check), and
// the sources through tsx otherwise, so an edit is seen without a build.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const sources = new URL('../harness/cli/entry.ts', import.meta.url);
if (existsSync(sources) && !(await import('../scripts/source-hash.mjs')).distIsFresh(root)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(sources.href);
} else {
  await import('../dist/cli/entry.js');
}
