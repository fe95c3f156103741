/** The process entry: the only place that calls process.exit (DESIGN.md style 7). */
import { EXIT_CODES } from '../core/index.ts';
import type { CliIo } from './io.ts';
import { main } from './main.ts';

const interrupted = new Promise<void>((resolve) => {
  process.once('SIGINT', () => resolve());
  process.once('SIGTERM', () => resolve());
});
const io: CliIo = {
  stdout: process.stdout,
  stderr: process.stderr,
  cwd: process.cwd(),
  env: process.env,
  isTTY: Boolean(process.stdout.isTTY),
  interrupted,
};
main(process.argv.slice(2), io).then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`rehearse: ${String(e)}\n`);
    process.exit(EXIT_CODES.ERR_INTERNAL);
  },
);
