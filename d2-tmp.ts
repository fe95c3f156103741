import { startEmbedded } from './harness/backends/embedded.ts';
import { VirtualClock } from './harness/core/index.ts';
import { deploy } from './harness/deploy/index.ts';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SFNClient, StartExecutionCommand, DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { photo, truncatedJpeg } from './test/support/images.ts';
const be = await startEmbedded({ clock: new VirtualClock(), log: { info() {}, warn: (m) => console.warn('WARN', m), error: (m) => console.error('ERR', m) } });
const r = await deploy('workflows/template.yaml', be, { secrets: { 'image-processor/config': { targetWidth: 320, targetHeight: 240 } } });
const s3 = new S3Client({ endpoint: be.endpoint, region: be.region, credentials: be.credentials, forcePathStyle: true });
for (let i = 0; i < 9; i++) await s3.send(new PutObjectCommand({ Bucket: 'images', Key: `batch-dist/img-${i}.png`, Body: await photo('png', { width: 200, height: 150, seed: 40 + i }) }));
await s3.send(new PutObjectCommand({ Bucket: 'images', Key: 'batch-dist/truncated.jpg', Body: await truncatedJpeg(0.3, { width: 200, height: 150 }) }));
const sfn = new SFNClient({ endpoint: be.endpoint, region: be.region, credentials: be.credentials });
const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: r.stateMachines['image-batch-distributed'], input: JSON.stringify({ bucket: 'images', prefix: 'batch-dist/' }) }));
const t0 = Date.now();
for (;;) {
  const d = await sfn.send(new DescribeExecutionCommand({ executionArn }));
  if (d.status !== 'RUNNING') { console.log(d.status, d.error, d.cause, (Date.now() - t0) / 1000, 's'); break; }
  await new Promise((r) => setTimeout(r, 500));
}
const inv = be.emulator.observations.snapshot().invocations;
console.log('invocations', inv.length, 'cold', inv.filter((i) => i.coldStart).length);
for (const i of inv) if (i.error) console.log(i.functionName, i.invocationNumber, i.durationMs, i.error.errorType, i.error.errorMessage.slice(0, 200));
await be.dispose();
