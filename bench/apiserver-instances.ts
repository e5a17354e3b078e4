// Cost of idle instances: the demo runs one embedded API server per workload cluster, up to
// 1,000 in one process (target < 1 MB each, no timers while idle).
//   node --expose-gc bin/run-ts.js bench/apiserver-instances.ts [count]
import { startApiServer, type ApiServerHandle } from '../src/sim/apiserver/index.js';
import { verdict } from './verdict.js';

const COUNT = Number(process.argv[2] ?? 1000);
const gc = (): void => (globalThis as { gc?: () => void }).gc?.();
// The first instance pays for the shared tables and the default certificate.
const first = await startApiServer({ name: 'warm', builtinCrds: false });
gc();
const before = process.memoryUsage();
const t0 = performance.now();
const handles: ApiServerHandle[] = [];
for (let i = 0; i < COUNT; i++) handles.push(await startApiServer({ name: `workload-${i}`, builtinCrds: false }));
const secs = (performance.now() - t0) / 1000;
gc();
const after = process.memoryUsage();
const perRss = (after.rss - before.rss) / COUNT;
const perHeap = (after.heapUsed - before.heapUsed) / COUNT;
const active = (process as unknown as { getActiveResourcesInfo(): string[] }).getActiveResourcesInfo();
const timers = active.filter((r) => r === 'Timeout' || r === 'Immediate').length;
console.log(
  `apiserver-instances: ${COUNT} idle instances (workload-cluster style, no CAPI registry) started in ${secs.toFixed(1)} s (${((secs * 1000) / COUNT).toFixed(1)} ms each)`,
);
console.log(
  `  per instance: RSS ${(perRss / 1024).toFixed(0)} kB, JS heap ${(perHeap / 1024).toFixed(0)} kB   target: < 1024 kB ${perRss < 1024 * 1024 ? '(met)' : '(NOT met)'}   active timers: ${timers}`,
);
await Promise.all(handles.map((h) => h.stop()));
await first.stop();
verdict('apiserver-instances', [
  { what: `RSS per idle instance ${(perRss / 1024).toFixed(0)} kB < 1024 kB`, met: perRss < 1024 * 1024 },
  { what: `active timers while idle ${timers} == 0`, met: timers === 0 },
]);
