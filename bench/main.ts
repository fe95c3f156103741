/**
 * `npm run bench -- <name…>`: runs bench/<name>.ts (each prints ratios against a
 * baseline measured in the same run). No name → every benchmark.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'main.ts' && !f.startsWith('_'))
  .map((f) => f.slice(0, -3))
  .sort();
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const names = wanted.length > 0 ? wanted : available;
for (const name of names) {
  if (!available.includes(name)) {
    console.error(`bench: no benchmark '${name}' (have: ${available.join(', ')})`);
    process.exit(2);
  }
}
for (const name of names) {
  console.log(`\n== bench ${name}`);
  const mod = (await import(join(here, `${name}.ts`))) as { run(): Promise<void> };
  await mod.run();
}
