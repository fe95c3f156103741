import { startEmbedded } from './harness/backends/embedded.ts';
import { deploy } from './harness/deploy/index.ts';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SFNClient, ListExecutionsCommand, DescribeExecutionCommand, GetExecutionHistoryCommand } from '@aws-sdk/client-sfn';
import { photo } from './test/support/images.ts';
const be = await startEmbedded({ log: { info() {}, warn: (m) => console.warn('WARN', m), error: (m) => console.error('ERR', m) } });
const t0 = Date.now();
const r = await deploy('workflows/template.yaml', be, { secrets: { 'image-processor/config': { targetWidth: 320, targetHeight: 240 } }, log: (l) => console.log(l) });
console.log('deployed in', Date.now() - t0, 'ms');
const r2 = await deploy('workflows/template.yaml', be, { secrets: { 'image-processor/config': { targetWidth: 320, targetHeight: 240 } } });
console.log('redeploy actions', r2.changes.map((c) => c.action).join(','));
const s3 = new S3Client({ endpoint: be.endpoint, region: be.region, credentials: be.credentials, forcePathStyle: true });
await s3.send(new PutObjectCommand({ Bucket: 'images', Key: 'raw/cat.jpg', Body: await photo('jpeg') }));
const sfn = new SFNClient({ endpoint: be.endpoint, region: be.region, credentials: be.credentials });
for (let i = 0; i < 60; i++) {
  const l = await sfn.send(new ListExecutionsCommand({ stateMachineArn: r.stateMachines['image-processor'] }));
  const e = l.executions?.[0];
  if (e && e.status !== 'RUNNING') {
    const d = await sfn.send(new DescribeExecutionCommand({ executionArn: e.executionArn }));
    console.log(d.status, d.error, d.cause?.slice(0, 1000), d.output?.slice(0, 600));
    const h = await sfn.send(new GetExecutionHistoryCommand({ executionArn: e.executionArn }));
    console.log(h.events?.map((x) => x.type).join(' '));
    break;
  }
  await new Promise((r) => setTimeout(r, 1000));
}
await be.dispose();
