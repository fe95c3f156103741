/**
 * A backend refusing part of a deploy, named as CloudFormation names a failed
 * resource: which template resource (or SAM event) and where it is written,
 * then the service's own message and error code — instead of the bare SDK
 * error, which names no resource ("Invalid request provided: Queue
 * visibility timeout: 30 seconds is less than Function timeout: 100
 * seconds"). Only the service's answers are rewritten; anything else (the
 * backend unreachable, a harness error) is thrown as it is.
 */
import { RehearseError } from '../core/index.ts';
import { problemText } from './problems.ts';
import type { TemplateFile } from './template.ts';

/** An error the SDK made from a service's error response (it carries `$metadata` with the HTTP status). */
function isServiceError(e: unknown): e is Error & { $metadata: { httpStatusCode: number } } {
  const metadata = e instanceof Error ? (e as { $metadata?: { httpStatusCode?: unknown } }).$metadata : undefined;
  return typeof metadata?.httpStatusCode === 'number';
}

/** Runs `deploy`; a service error becomes a RehearseError naming `field` (`Resources.X` or `Resources.X.Properties.Events.Y`) of `template`. */
export async function namingFailure<T>(template: TemplateFile, field: string, what: string, deploy: () => Promise<T>): Promise<T> {
  try {
    return await deploy();
  } catch (e) {
    if (!isServiceError(e)) throw e;
    const id = /^Resources\.([^.]+)/.exec(field)?.[1];
    const line = id === undefined ? undefined : template.lineOf(id);
    const message = `${what} failed to deploy: ${e.message} (${e.name}, HTTP ${e.$metadata.httpStatusCode})`;
    throw new RehearseError('ERR_BAD_INPUT', problemText({ severity: 'ERROR', file: template.file, field, message, ...(line === undefined ? {} : { line }) }, process.cwd()), {
      location: { file: template.file, ...(line === undefined ? {} : { line }), path: field },
      cause: e,
    });
  }
}
