/**
 * Which runtimes run here, and on what: every `nodejs*.x` and `python3.*`
 * runtime Lambda accepts runs on this machine's Node.js (the one running
 * rehearse) and Python (/usr/bin/python3); `provided*` runs the code's own
 * `bootstrap`. When the interpreter's version differs from the one the
 * Runtime names, that is said once per function, naming both.
 * https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html
 */
import { spawnSync } from 'node:child_process';
import { PYTHON_INTERPRETER, SUPPORTED_RUNTIMES, runtimeFamily } from '../../runtime/index.ts';
import type { RuntimeFamily } from '../../runtime/index.ts';

let pythonVersion: string | null | undefined;

/** `3.11.2`, or null when the interpreter cannot be run. */
export function machinePythonVersion(): string | null {
  if (pythonVersion === undefined) {
    const out = spawnSync(PYTHON_INTERPRETER, ['-c', 'import sys; print("%d.%d.%d" % sys.version_info[:3])'], { encoding: 'utf8' });
    pythonVersion = out.status === 0 ? out.stdout.trim() : null;
  }
  return pythonVersion;
}

export interface RuntimeCheck {
  family?: RuntimeFamily;
  /** The runtime cannot run here: the function is not deployed (a warning). */
  notRunnable?: string;
  /** Runs, on a different interpreter version than Runtime names. */
  versionNote?: string;
}

export function checkRuntime(runtime: string): RuntimeCheck {
  const family = runtimeFamily(runtime);
  if (!family) {
    return { notRunnable: `runtime ${runtime} is not run by rehearse (it runs ${SUPPORTED_RUNTIMES.filter((r) => !r.startsWith('provided')).join(', ')} and provided.* custom runtimes)` };
  }
  if (!(SUPPORTED_RUNTIMES as readonly string[]).includes(runtime)) {
    return { family, notRunnable: `runtime ${runtime} is not one Lambda accepts for new functions (${SUPPORTED_RUNTIMES.join(', ')})` };
  }
  if (family === 'node') {
    const wanted = /^nodejs(\d+)\.x$/.exec(runtime)![1]!;
    const have = process.versions.node;
    if (have.split('.')[0] !== wanted) return { family, versionNote: `Runtime ${runtime} runs on this machine's Node.js ${have} (not ${wanted}.x)` };
    return { family };
  }
  if (family === 'python') {
    const wanted = runtime.slice('python'.length);
    const have = machinePythonVersion();
    if (have === null) return { family, notRunnable: `runtime ${runtime} needs ${PYTHON_INTERPRETER}, which cannot be run on this machine` };
    if (!have.startsWith(`${wanted}.`)) return { family, versionNote: `Runtime ${runtime} runs on this machine's Python ${have} (${PYTHON_INTERPRETER}), not ${wanted}` };
    return { family };
  }
  return { family };
}
