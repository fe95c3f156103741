#!/usr/bin/env node
// `rehearse` as npm links it. The installed package runs its compiled
// JavaScript (dist/, no TypeScript loader: the CLI starts in well under a
// second). A checkout of Rehearse itself has the sources next to this file:
// they run through tsx, so an edit is seen without a build.
import { existsSync } from 'node:fs';

const sources = new URL('../harness/cli/entry.ts', import.meta.url);
if (existsSync(sources)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(sources.href);
} else {
  await import('../dist/cli/entry.js');
}
