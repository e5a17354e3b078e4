// Write throughput: 64 concurrent keep-alive HTTPS clients creating 3 kB Secrets.
// Reference, measured in the same run (etcd-reference.ts): a real etcd's own put rate
// through its gRPC KV API with the same concurrency, payload and duration. A real
// kube-apiserver writes every object to etcd, so it cannot go faster than that; the target
// is that the embedded server, which keeps objects in memory but validates, versions and
// fans out watches like one, is not slower than etcd alone (ratio >= 1.0).
// Exits 1 when the target is missed or any write failed, 2 when etcd could not be measured.
//   node bin/run-ts.js bench/apiserver-writes.ts [seconds]
import { randomBytes } from 'node:crypto';
import { client, startBenchServer } from './apiserver-common.js';
import { measureEtcdPuts } from './etcd-reference.js';

const CLIENTS = 64;
const SECONDS = Number(process.argv[2] ?? 10);
const TARGET_RATIO = 1;

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
await server.stop();
let reference: Awaited<ReturnType<typeof measureEtcdPuts>>;
try {
  reference = await measureEtcdPuts(CLIENTS, SECONDS, payload);
} catch (err) {
  console.log(`  reference: could not measure etcd's put rate: ${(err as Error).message.split('\n')[0]}`);
  console.log('  (install it with `apt-get install -y etcd-server`)   result: FAIL (no reference)');
  process.exit(2);
}
console.log(
  `  reference: etcd ${reference.version} gRPC KV.Put, ${CLIENTS} callers on one channel, 3 kB values: ${reference.puts} puts in ${reference.seconds.toFixed(1)} s, ${reference.errors} errors`,
);
const ratio = rate / reference.rate;
const met = ratio >= TARGET_RATIO && errors === 0 && reference.errors === 0;
console.log(
  `  writes/s: ${rate.toFixed(0)}   etcd puts/s: ${reference.rate.toFixed(0)}   ratio: ${ratio.toFixed(2)}x   target: >= ${TARGET_RATIO.toFixed(2)}x with no errors   result: ${met ? 'PASS' : 'FAIL'}`,
);
process.exit(met ? 0 : 1);
