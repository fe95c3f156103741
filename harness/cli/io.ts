/** What a command may touch instead of globals (DESIGN.md style 8), so tests run many in one process. */
export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  cwd: string;
  env: NodeJS.ProcessEnv;
  isTTY: boolean;
  /** Resolves when the user asks to stop (SIGINT/SIGTERM); `serve` and `--watch` wait on it. */
  interrupted?: Promise<void>;
}
