// Write throughput: 64 concurrent keep-alive HTTPS clients creating 3 kB Secrets.
// Reference: a real kube-apiserver with etcd on the 2-core dev machine does ~1,300 writes/s;
// the target is at least 3x that.   node bin/run-ts.js bench/apiserver-writes.ts [seconds]
import { randomBytes } from 'node:crypto';
import { client, startBenchServer } from './apiserver-common.js';

const CLIENTS = 64;
const SECONDS = Number(process.argv[2] ?? 10);
const REFERENCE = 1300;

const server = await startBenchServer();
const req = client(server, CLIENTS);
// 2,250 random bytes base64-encode to 3,000 characters: a 3 kB Secret payload.
const payload = randomBytes(2250).toString('base64');
let n = 0;
let errors = 0;
const run = async (worker: number, until: number): Promise<void> => {
  let i = 0;
  while (Date.now() < until) {
    const body = JSON.stringify({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: `s-${worker}-${i++}`, labels: { bench: 'writes' } },
      type: 'Opaque',
      data: { payload },
    });
    const r = await req('POST', '/api/v1/namespaces/default/secrets', body);
    if (r.status === 201) n++;
    else errors++;
  }
};
// Warm-up (TLS handshakes, JIT), then the measured run.
await Promise.all(Array.from({ length: CLIENTS }, (_, w) => run(1000 + w, Date.now() + 1000)));
n = 0;
errors = 0;
const t0 = performance.now();
await Promise.all(Array.from({ length: CLIENTS }, (_, w) => run(w, Date.now() + SECONDS * 1000)));
const secs = (performance.now() - t0) / 1000;
const rate = n / secs;
console.log(
  `apiserver-writes: ${n} Secret creates (3 kB) by ${CLIENTS} keep-alive clients in ${secs.toFixed(1)} s, ${errors} errors`,
);
console.log(
  `  writes/s: ${rate.toFixed(0)}   ratio to kube-apiserver+etcd (${REFERENCE}/s): ${(rate / REFERENCE).toFixed(2)}x   target: >= 3.00x ${rate / REFERENCE >= 3 ? '(met)' : '(NOT met)'}`,
);
await server.stop();
process.exit(0);
