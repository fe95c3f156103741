/** A project folder in the temp directory, written from `{ relative path: text }` (a test's template, code and scenarios). */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';

function writeProject(prefix: string, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return dir;
}

/** The same, written before the enclosing suite's tests and removed after them: call the result for its folder. */
export function projectForSuite(prefix: string, files: Record<string, string>): () => string {
  let dir: string | undefined;
  beforeAll(() => {
    dir = writeProject(prefix, files);
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return () => dir!;
}
