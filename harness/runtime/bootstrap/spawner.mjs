// Rehearse's process spawner: a small Node process that starts the execution
// environments' processes for the harness (harness/runtime/spawner.ts). A
// spawn forks its parent, and a fork copies the parent's page tables — about
// 20 ms of the harness's thread at the harness's size, ~1.5 ms at this one's.
//
// Each child's stdout and stderr are Unix sockets connected to the harness,
// handed to the child as they are, so its output reaches the harness
// directly (never relayed through here), in the order it was written,
// before anything the child sends afterwards. Messages (IPC): from the
// harness `spawn`, `kill` and `assign`; to it `spawned` (pid), `error` (the
// child could not start) and `exit` (code, signal). A `spawn` with
// `standby` starts a standby process (bootstrap/standby.mjs) with an IPC
// channel of its own; `assign` hands it the environment it becomes, once it
// has said it is listening.
import { spawn } from 'node:child_process';
import net from 'node:net';

const children = new Map();
const killed = new Set();
/** Standby processes by id: whether they listen yet, and the assignment waiting for that. */
const standbys = new Map();

function send(message) {
  if (process.connected) process.send(message);
}

/** A socket to the harness that names itself (`<id> <stream>\n`) before the child writes to it. */
function outputSocket(path, id, stream) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(path, () => socket.write(`${id} ${stream}\n`, () => resolve(socket)));
    socket.once('error', reject);
  });
}

async function start({ id, command, args, cwd, env, socketPath, standby }) {
  // Known before the process is, so an assignment that comes while its output is being connected waits here.
  const entry = standby ? { ready: false, assignment: undefined } : undefined;
  if (entry) standbys.set(id, entry);
  let stdout;
  let stderr;
  try {
    [stdout, stderr] = await Promise.all([outputSocket(socketPath, id, 'stdout'), outputSocket(socketPath, id, 'stderr')]);
  } catch (e) {
    standbys.delete(id);
    send({ op: 'error', id, message: `could not connect the process's output: ${e.message}` });
    return;
  }
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', stdout, stderr, ...(standby ? ['ipc'] : [])] });
  if (entry) {
    child.on('message', (m) => {
      if (m?.standby !== 'ready' || entry.ready) return;
      entry.ready = true;
      if (entry.assignment) handOver(id, child, entry.assignment);
    });
    child.on('error', () => undefined);
  }
  // The child has its own copies; ours must not keep the harness's end from seeing the child close them.
  stdout.destroy();
  stderr.destroy();
  children.set(id, child);
  child.once('spawn', () => {
    send({ op: 'spawned', id, pid: child.pid });
    if (killed.has(id)) child.kill('SIGKILL');
  });
  child.once('error', (e) => {
    children.delete(id);
    standbys.delete(id);
    send({ op: 'error', id, message: e.message });
  });
  child.once('exit', (code, signal) => {
    children.delete(id);
    standbys.delete(id);
    killed.delete(id);
    send({ op: 'exit', id, code, signal });
  });
}

function handOver(id, child, assignment) {
  standbys.delete(id);
  // The standby closes the channel itself once it has the message.
  child.send(assignment, () => undefined);
}

function assign({ id, env, cwd, bootstrap }) {
  const entry = standbys.get(id);
  if (!entry) return; // it has exited: its exit report tells the harness
  if (entry.ready) handOver(id, children.get(id), { env, cwd, bootstrap });
  else entry.assignment = { env, cwd, bootstrap };
}

process.on('message', (m) => {
  if (m?.op === 'spawn') void start(m);
  else if (m?.op === 'assign') assign(m);
  else if (m?.op === 'kill') {
    killed.add(m.id);
    children.get(m.id)?.kill('SIGKILL');
  }
});

// The harness is gone: so are the processes it asked for.
process.on('disconnect', () => {
  for (const child of children.values()) child.kill('SIGKILL');
  process.exit(0);
});
