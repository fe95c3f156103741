#!/usr/bin/env node
// `rehearse` as installed by npm: run the TypeScript CLI through tsx's loader.
import { register } from 'tsx/esm/api';
register();
await import('./entry.ts');
