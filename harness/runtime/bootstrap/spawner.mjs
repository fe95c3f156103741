// Rehearse's process spawner: a small Node process that starts the execution
// environments' processes for the harness (harness/runtime/spawner.ts). A
// spawn forks its parent, and a fork copies the parent's page tables — about
// 20 ms of the harness's thread at the harness's size, ~1.5 ms at this one's.
//
// Each child's stdout and stderr are Unix sockets connected to the harness,
// handed to the child as they are, so its output reaches the harness
// directly (never relayed through here), in the order it was written,
// before anything the child sends afterwards. Messages (IPC): from the
// harness `spawn` and `kill`; to it `spawned` (pid), `error` (the child
// could not start) and `exit` (code, signal).
import { spawn } from 'node:child_process';
import net from 'node:net';

const children = new Map();
const killed = new Set();

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

async function start({ id, command, args, cwd, env, socketPath }) {
  let stdout;
  let stderr;
  try {
    [stdout, stderr] = await Promise.all([outputSocket(socketPath, id, 'stdout'), outputSocket(socketPath, id, 'stderr')]);
  } catch (e) {
    send({ op: 'error', id, message: `could not connect the process's output: ${e.message}` });
    return;
  }
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', stdout, stderr] });
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
    send({ op: 'error', id, message: e.message });
  });
  child.once('exit', (code, signal) => {
    children.delete(id);
    killed.delete(id);
    send({ op: 'exit', id, code, signal });
  });
}

process.on('message', (m) => {
  if (m?.op === 'spawn') void start(m);
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
