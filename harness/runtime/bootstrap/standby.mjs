// A Node process started ahead of need (harness/runtime/standby.ts): Node
// booted, with the same flags an environment of its kind gets, and nothing
// of any function loaded. It waits for one message on its IPC channel — the
// environment's variables, directory and bootstrap — takes them as its own,
// drops the channel and runs the bootstrap, which from there on is the
// environment's process exactly as if it had been spawned for it. It never
// serves a second environment: each standby becomes one environment or exits.
import 'node:http';
import 'node:util';
import { pathToFileURL } from 'node:url';
import './compile-cache.mjs';

// The harness is gone before it needed this process.
const orphaned = () => process.exit(0);
process.once('disconnect', orphaned);

function become({ env, cwd, bootstrap }) {
  // A process spawned without a channel has none of these (a handler may test `process.send`).
  for (const key of ['send', 'disconnect', 'connected', 'channel']) delete process[key];
  // The variables the function would have had from spawn: ours go, its own come.
  for (const key of Object.keys(process.env)) delete process.env[key];
  Object.assign(process.env, env);
  process.chdir(cwd);
  process.argv[1] = bootstrap;
  import(pathToFileURL(bootstrap).href).catch((err) => {
    process.stderr.write(`rehearse: the standby process could not load the bootstrap: ${err?.stack ?? err}\n`);
    process.exit(129);
  });
}

process.once('message', (assignment) => {
  process.off('disconnect', orphaned);
  // Node 20 fails a disconnect made inside a 'message' listener, and still
  // uses the channel's properties just after 'disconnect': one turn each.
  process.once('disconnect', () => setImmediate(() => become(assignment)));
  setImmediate(() => process.disconnect());
});

process.send?.({ standby: 'ready' });
