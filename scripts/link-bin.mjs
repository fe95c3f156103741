// `npm ci` / `npm install` in this repository (the `prepare` script): link
// node_modules/.bin/rehearse to bin/rehearse.mjs, so `npx rehearse` runs this
// checkout (its sources, through tsx) as it runs an installed package. npm
// links a package's bins for its dependents only, and `npx` finds a
// project's own bin only when the command is the package's name (rehearse-aws).
import { mkdirSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const link = join(root, 'node_modules', '.bin', 'rehearse');
mkdirSync(dirname(link), { recursive: true });
rmSync(link, { force: true });
symlinkSync(relative(dirname(link), join(root, 'bin', 'rehearse.mjs')), link);
