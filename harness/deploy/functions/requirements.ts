/**
 * A Python function's `requirements.txt`, installed as `sam build` installs
 * it (pip into the build artifact), once per content: into a cache folder
 * named after the SHA-256 of the requirements, the interpreter's version and
 * the Runtime (plus the code folder when a line names a local path, which pip
 * reads relative to it), with `python3 -m pip install -r requirements.txt
 * --target …`. The folder is laid out as a layer's
 * `python/lib/python3.x/site-packages`, and is given to the function as its
 * last layer, so it wins over the template's layers as the function's own
 * package does on AWS. Clear it by deleting `<cache>/pip` (functions/code.ts
 * says where the cache is).
 * https://docs.aws.amazon.com/lambda/latest/dg/python-package.html
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { RehearseError } from '../../core/index.ts';
import { PYTHON_INTERPRETER } from '../../runtime/index.ts';
import { cachedFolderAsync, sha256 } from './code.ts';
import { machinePythonVersion } from './runtime.ts';

export const REQUIREMENTS_FILE = 'requirements.txt';

let pipChecked: string | null | undefined;

/**
 * Why pip cannot install here (null when it can). REHEARSE_NO_PIP=1 says it
 * cannot, as on a machine whose python3 has no pip module.
 */
export function pipUnavailable(): string | null {
  if (process.env.REHEARSE_NO_PIP === '1') return `pip is disabled (REHEARSE_NO_PIP=1)`;
  if (pipChecked === undefined) {
    const out = spawnSync(PYTHON_INTERPRETER, ['-m', 'pip', '--version'], { encoding: 'utf8' });
    pipChecked = out.status === 0 ? null : `pip is not available for ${PYTHON_INTERPRETER} (${PYTHON_INTERPRETER} -m pip --version failed)`;
  }
  return pipChecked;
}

/** The warning for a requirements.txt nothing installs (`file` as the caller shows it, `noPip` from pipUnavailable). */
export function notInstalledWarning(file: string, noPip: string): string {
  return `${file} is not installed: ${noPip}; importing the packages it lists will fail`;
}

export function requirementsFile(codeDir: string): string | undefined {
  const file = path.join(codeDir, REQUIREMENTS_FILE);
  return existsSync(file) ? file : undefined;
}

/** A requirement line that names a local path or file: URL (resolved from the code folder). */
function namesLocalPath(text: string): boolean {
  return text.split('\n').some((l) => /^\s*(-e\s+)?(\.{1,2}\/|\/|file:)/.test(l) || /@\s*file:/.test(l));
}

export interface InstalledRequirements {
  /** The folder to use as a layer (python/lib/python3.x/site-packages inside). */
  dir: string;
  /** The cache already held it: pip did not run. */
  reused: boolean;
  file: string;
}

function runPip(args: string[], cwd: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON_INTERPRETER, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

/**
 * `layout`: where in the folder pip installs — a function's packages go to
 * `python/lib/python3.x/site-packages` (given to it as a layer), a SAM-built
 * layer's to `python/` (what `sam build` makes of a layer with BuildMethod python3.x).
 */
export async function installRequirements(
  fn: { logicalId: string; codeDir: string; runtime: string },
  layout: 'site-packages' | 'python' = 'site-packages',
): Promise<InstalledRequirements | undefined> {
  const file = requirementsFile(fn.codeDir);
  if (!file) return undefined;
  const text = readFileSync(file, 'utf8');
  const version = /^python(3\.\d+)$/.exec(fn.runtime)?.[1] ?? 'unknown';
  const key = sha256([machinePythonVersion() ?? '', fn.runtime, layout, text, namesLocalPath(text) ? fn.codeDir : ''].join('\0'));
  const { dir, reused } = await cachedFolderAsync('pip', key, async (partial) => {
    const target = layout === 'python' ? path.join(partial, 'python') : path.join(partial, 'python', 'lib', `python${version}`, 'site-packages');
    mkdirSync(target, { recursive: true });
    const args = ['-m', 'pip', 'install', '-r', REQUIREMENTS_FILE, '--target', target, '--disable-pip-version-check', '--no-input'];
    const out = await runPip(args, fn.codeDir);
    if (out.code !== 0) {
      const last = out.output.trimEnd().split('\n').slice(-12).join('\n');
      throw new RehearseError('ERR_BAD_INPUT', `${fn.logicalId}: installing ${file} failed (${PYTHON_INTERPRETER} ${args.join(' ')} exited ${out.code}):\n${last}`, { location: { file } });
    }
  });
  return { dir, reused, file };
}
