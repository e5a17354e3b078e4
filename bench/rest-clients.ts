// Why the emulated controllers keep their own REST client (src/sim/controllers/rest.ts)
// instead of the engine's KubeClient (src/core/kube/client.ts): the sim runs the controllers
// of up to 1000 clusters in one process on 2 cores, so client-side CPU per request is what
// limits it. This bench GETs the same object N times through each client, against one
// embedded API server in its own process, and prints client CPU per request and requests/s.
// Target: the sim's client costs no more CPU per request than the KubeClient (ratio >= 1.0);
// if that ever stops holding, ARCHITECTURE.md's reason to keep two clients is gone.
//   node bin/run-ts.js bench/rest-clients.ts
import { KubeConfig } from '@kubernetes/client-node';
import { KubeClient } from '../src/core/kube/client.js';
import { RestClient } from '../src/sim/controllers/rest.js';
import { startBenchServer } from './apiserver-common.js';
import { verdict } from './verdict.js';

const N = Number(process.env.BENCH_N ?? 1000);
const CONCURRENCY = 16;

const s = await startBenchServer();
const kubeconfigYaml = [
  'apiVersion: v1',
  'kind: Config',
  'clusters:',
  `- name: bench\n  cluster:\n    server: ${s.url.origin}\n    certificate-authority-data: ${Buffer.from(s.caPem).toString('base64')}`,
  'users:',
  `- name: bench\n  user:\n    token: ${s.token}`,
  'contexts:',
  '- name: bench\n  context:\n    cluster: bench\n    user: bench',
  'current-context: bench',
  '',
].join('\n');
const kc = new KubeConfig();
kc.loadFromString(kubeconfigYaml);
const rest = new RestClient(kc);
const kube = KubeClient.from({ kubeconfigYaml, role: 'bench API server' });
await rest.create('/api/v1/namespaces/default/configmaps', {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'bench', namespace: 'default' },
  data: { a: 'b' },
} as never);

async function measure(label: string, get: () => Promise<unknown>): Promise<{ cpuUsPerReq: number; perSec: number }> {
  for (let i = 0; i < 200; i++) await get(); // warm-up: connections, JIT
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next++ < N) await get();
    }),
  );
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const cpuUsPerReq = (cpu.user + cpu.system) / N;
  const perSec = (N / ms) * 1000;
  console.log(
    `${label}: ${N} GETs in ${ms.toFixed(0)} ms, ${perSec.toFixed(0)} req/s, client CPU ${cpuUsPerReq.toFixed(0)} µs/req`,
  );
  return { cpuUsPerReq, perSec };
}

const kubeRes = await measure('KubeClient (client-node)', () => kube.get('v1', 'ConfigMap', 'bench', 'default'));
const simRes = await measure('sim RestClient', () => rest.get('/api/v1/namespaces/default/configmaps/bench'));
rest.close();
await s.stop();
const ratio = kubeRes.cpuUsPerReq / simRes.cpuUsPerReq;
console.log(`client CPU per request, KubeClient / sim RestClient: ${ratio.toFixed(2)}x`);
verdict('rest-clients', [{ what: `sim RestClient CPU/req ratio ${ratio.toFixed(2)}x >= 1.00x`, met: ratio >= 1 }]);
