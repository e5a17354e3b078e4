// Memory with 100,000 stored objects (target < 500 MB RSS). Objects are ~1 kB ConfigMaps with
// labels, annotations and an owner reference, spread over 1,000 namespaces like the demo's
// clusters.   node bin/run-ts.js bench/apiserver-memory.ts [objects]
import { client, startBenchServer } from './apiserver-common.js';
import { verdict } from './verdict.js';

const TOTAL = Number(process.argv[2] ?? 100_000);
const NAMESPACES = 1000;
const CLIENTS = 64;
const TARGET_MB = 500;

const server = await startBenchServer(['--expose-gc']);
const req = client(server, CLIENTS);
const base = await server.rss();
for (let i = 0; i < NAMESPACES; i += CLIENTS) {
  await Promise.all(
    Array.from({ length: Math.min(CLIENTS, NAMESPACES - i) }, (_, k) =>
      req(
        'POST',
        '/api/v1/namespaces',
        JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: `test-${i + k}` } }),
      ),
    ),
  );
}
const filler = 'x'.repeat(600);
let next = 0;
const t0 = performance.now();
await Promise.all(
  Array.from({ length: CLIENTS }, async () => {
    for (;;) {
      const i = next++;
      if (i >= TOTAL) return;
      const ns = `test-${i % NAMESPACES}`;
      const body = JSON.stringify({
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: {
          name: `obj-${i}`,
          labels: {
            'app.kubernetes.io/managed-by': 'scale-tui',
            'scale-tui.metal3.io/cluster': ns,
            'cluster.x-k8s.io/cluster-name': ns,
          },
          annotations: { 'scale-tui.metal3.io/index': String(i) },
          ownerReferences: [
            {
              apiVersion: 'cluster.x-k8s.io/v1beta2',
              kind: 'Cluster',
              name: ns,
              uid: `00000000-0000-0000-0000-${String(i % NAMESPACES).padStart(12, '0')}`,
            },
          ],
        },
        data: { filler },
      });
      const r = await req('POST', `/api/v1/namespaces/${ns}/configmaps`, body);
      if (r.status !== 201) throw new Error(`create failed: ${r.status} ${r.body}`);
    }
  }),
);
const secs = (performance.now() - t0) / 1000;
const after = await server.rss();
const mb = after.rss / 1024 / 1024;
console.log(
  `apiserver-memory: ${after.objects} stored objects (${TOTAL} ~1 kB ConfigMaps in ${NAMESPACES} namespaces), loaded in ${secs.toFixed(1)} s (${(TOTAL / secs).toFixed(0)} writes/s)`,
);
console.log(
  `  RSS: ${mb.toFixed(0)} MB (empty server: ${(base.rss / 1024 / 1024).toFixed(0)} MB; ${((after.rss - base.rss) / after.objects).toFixed(0)} bytes/object)   target: < ${TARGET_MB} MB ${mb < TARGET_MB ? '(met)' : '(NOT met)'}`,
);
await server.stop();
verdict('apiserver-memory', [
  { what: `RSS with ${after.objects} objects ${mb.toFixed(0)} MB < ${TARGET_MB} MB`, met: mb < TARGET_MB },
]);
