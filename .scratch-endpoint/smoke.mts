import { startEmulator } from '/work/main/harness/emulator/index.ts';
const em = await startEmulator({ log: { info: (m) => console.log('info', m), warn: console.warn, error: console.error } });
console.log(em.endpoint);
const r = await fetch(`${em.endpoint}/_rehearse/health`); console.log(r.status, await r.text());
const r2 = await fetch(`${em.endpoint}/_rehearse/clock`, {method:'POST', body: '{"advanceMs":5}'}); console.log(r2.status, await r2.text());
const r3 = await fetch(`${em.endpoint}/foo`, {method:'POST', headers: {'x-amz-target': 'Foo.Bar'}, body: '{'}); console.log(r3.status, [...r3.headers], await r3.text());
await em.dispose();
