/** The process entry: the only place that calls process.exit (DESIGN.md style 7). */
// First: the modules below load their packages through it.
import './code-cache.ts';
import './zod-locales.ts';
import { EXIT_CODES, trace } from '../core/index.ts';
import type { CliIo } from './io.ts';
import { main } from './main.ts';

// After every static import has loaded (ES modules run their bodies last).
trace('CLI modules loaded');

// The SDK warns on Node 20 that support ends in 2027; in a test harness's output it is noise.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

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
