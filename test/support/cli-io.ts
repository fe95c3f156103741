/** A CliIo whose output a test reads: the commands run in-process, as `main(argv, io)`. */
import { Writable } from 'node:stream';
import type { CliIo } from '../../harness/cli/io.ts';

export interface CapturedIo {
  io: CliIo;
  out: { stdout: string; stderr: string };
}

export function captureIo(cwd: string, extra: Partial<CliIo> = {}): CapturedIo {
  const out = { stdout: '', stderr: '' };
  const sink = (key: 'stdout' | 'stderr') =>
    new Writable({
      write(chunk, _encoding, done) {
        out[key] += String(chunk);
        done();
      },
    });
  return { out, io: { stdout: sink('stdout'), stderr: sink('stderr'), cwd, env: {}, isTTY: false, ...extra } };
}
