import { Agent, request } from 'node:http';
import { startEmulator } from './harness/emulator/index.ts';
import { LambdaClient, CreateFunctionCommand } from '@aws-sdk/client-lambda';
await using em = await startEmulator({ services: ['lambda'], log: false });
const client = new LambdaClient({ endpoint: em.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'b', secretAccessKey: 'b' } });
await client.send(new CreateFunctionCommand({ FunctionName: 'e', Runtime: 'nodejs20.x', Handler: 'echo.handler', Role: 'arn:aws:iam::000000000000:role/b', Code: { S3Bucket: 'hot-reload', S3Key: '/work/main/test/runtime/fixtures/node' } }));
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
function go(method: string, path: string, body = ''): Promise<number> {
  return new Promise((res, rej) => { const t = performance.now(); const r = request({ host: '127.0.0.1', port: em.port, method, path, agent, headers: { 'content-length': Buffer.byteLength(body) } }, (s) => { s.resume(); s.on('end', () => res(performance.now() - t)); }); r.on('error', rej); r.end(body); });
}
async function m(label: string, method: string, path: string, body = '') {
  const ts: number[] = [];
  for (let i = 0; i < 300; i++) { const t = await go(method, path, body); if (i >= 30) ts.push(t); }
  ts.sort((a, b) => a - b); console.log(label, 'p50', ts[Math.floor(ts.length / 2)]!.toFixed(3));
}
await m('health', 'GET', '/_rehearse/health');
await m('getconfig', 'GET', '/2015-03-31/functions/e/configuration');
await m('invoke', 'POST', '/2015-03-31/functions/e/invocations', '{"a":1}');
await m('health', 'GET', '/_rehearse/health');
agent.destroy(); client.destroy();
const inv = em.observations.snapshot().invocations.slice(-200);
const d = inv.map((i) => i.durationMs!).sort((a, b) => a - b);
console.log('report duration p50', d[100], 'p90', d[180]);
