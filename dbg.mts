import { startEmulator } from '/work/wt/s3/harness/emulator/index.ts';
import { runBoto3 } from '/work/wt/s3/test/support/clients.ts';
const em = await startEmulator({ services: ['s3'], log: false });
const r = await runBoto3(em.endpoint, process.argv[2]!);
console.log(r.stdout, r.stderr.slice(-2000));
await em.dispose();
