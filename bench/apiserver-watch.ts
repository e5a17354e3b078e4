// Watch fan-out latency: 100 watchers on one namespace, one writer; latency from the start of
// each create to its arrival at each watcher, p50/p99 over all deliveries.
//   node bin/run-ts.js bench/apiserver-watch.ts [events]
import https from 'node:https';
import { client, percentile, startBenchServer } from './apiserver-common.js';
import { verdict } from './verdict.js';

const WATCHERS = 100;
const EVENTS = Number(process.argv[2] ?? 1000);

const server = await startBenchServer();
const req = client(server, 4);
await req(
  'POST',
  '/api/v1/namespaces',
  JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'fanout' } }),
);
const sentAt = new Map<string, number>();
const latencies: number[] = [];
let delivered = 0;

await Promise.all(
  Array.from(
    { length: WATCHERS },
    () =>
      new Promise<void>((resolve, reject) => {
        const r = https.request(
          {
            hostname: server.url.hostname,
            port: server.url.port,
            path: '/api/v1/namespaces/fanout/configmaps?watch=true&resourceVersion=0',
            agent: false,
            ca: server.caPem,
            headers: { Authorization: `Bearer ${server.token}` },
          },
          (res) => {
            let buf = '';
            res.setEncoding('utf8');
            res.on('data', (d: string) => {
              const now = performance.now();
              buf += d;
              for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
                const line = buf.slice(0, i);
                buf = buf.slice(i + 1);
                // Only the name is needed; avoid a full parse so the client does not dominate.
                const m = /"name":"(ev-\d+)"/.exec(line);
                const t = m ? sentAt.get(m[1]!) : undefined;
                if (t !== undefined) {
                  latencies.push(now - t);
                  delivered++;
                }
              }
            });
            resolve();
          },
        );
        r.on('error', reject);
        r.end();
      }),
  ),
);
await new Promise((r) => setTimeout(r, 500));
const t0 = performance.now();
for (let i = 0; i < EVENTS; i++) {
  const name = `ev-${i}`;
  sentAt.set(name, performance.now());
  await req(
    'POST',
    '/api/v1/namespaces/fanout/configmaps',
    JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { i: String(i) } }),
  );
}
const deadline = Date.now() + 30_000;
while (delivered < EVENTS * WATCHERS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
const secs = (performance.now() - t0) / 1000;
latencies.sort((a, b) => a - b);
console.log(
  `apiserver-watch: ${EVENTS} events x ${WATCHERS} watchers = ${delivered} deliveries (expected ${EVENTS * WATCHERS}) in ${secs.toFixed(1)} s`,
);
console.log(
  `  latency create->watcher: p50 ${percentile(latencies, 50).toFixed(2)} ms   p99 ${percentile(latencies, 99).toFixed(2)} ms   max ${latencies[latencies.length - 1]?.toFixed(2)} ms`,
);
await server.stop();
verdict('apiserver-watch', [
  {
    what: `every event reached every watcher within 30 s: ${delivered} of ${EVENTS * WATCHERS}`,
    met: delivered === EVENTS * WATCHERS,
  },
]);
