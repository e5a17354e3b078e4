// API requests per created cluster, counted in this process at the HTTP layer (the
// simulated world runs in a child process, so every request counted is the engine's).
// Target: at most 40 writes per cluster, and reads that do not grow with waiting time
// (no per-cluster polling: waits are served by a handful of watches).
// Run: node bin/run-ts.js bench/engine-requests.ts [clusters=30] [topology=dedicated]
import { spawn } from 'node:child_process';
import http from 'node:http';
import https from 'node:https';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { createEngine } from '../src/engine/engine.js';
import { configSchema } from '../src/engine/config/schema.js';
import { MemoryEtcd } from '../src/sim/etcd-memory/memory-etcd.js';
import { createScaleStore } from '../src/state/store.js';
import type { Topology } from '../src/core/types.js';
import { verdict } from './verdict.js';

const N = Number(process.argv[2] ?? 30);
const topology = (process.argv[3] ?? 'dedicated') as Topology;

type Kind = 'write' | 'read' | 'watch';
const counts = new Map<string, number>();
let phase = 'idle';
function count(method: string, path: string): void {
  const watch = /[?&]watch=(true|1)/.test(path);
  const kind: Kind = method === 'GET' ? (watch ? 'watch' : 'read') : 'write';
  const key = `${phase}:${kind}`;
  counts.set(key, (counts.get(key) ?? 0) + 1);
  const byPath = `${phase}:${kind}:${method} ${path
    .replace(/\?.*$/, '')
    .replace(/\/namespaces\/[^/]+/, '/namespaces/*')
    .replace(
      /\/(nodes|pods|secrets|configmaps|namespaces|machines|kubeadmconfigs|services|deployments)\/[^/]+/,
      '/$1/*',
    )}`;
  counts.set(byPath, (counts.get(byPath) ?? 0) + 1);
}
for (const mod of [http, https] as const) {
  const orig = mod.request.bind(mod) as (...a: unknown[]) => http.ClientRequest;
  (mod as { request: unknown }).request = (...args: unknown[]) => {
    const req = orig(...args);
    count(req.method, req.path);
    return req;
  };
}

const child = spawn(process.execPath, ['bin/run-ts.js', 'bench/engine-world.ts', topology === 'backing' ? '2' : '0'], {
  stdio: ['pipe', 'pipe', 'inherit'],
});
const line = await new Promise<string>((resolve) => createInterface({ input: child.stdout! }).once('line', resolve));
const world = JSON.parse(line) as { kubeconfigYaml: string; backing: Array<{ name: string; kubeconfigYaml: string }> };
const stateDir = mkdtempSync(join(tmpdir(), 'bench-req-'));
const engine = await createEngine({
  config: configSchema.parse({ topology, batch: { concurrency: 10 } }),
  store: createScaleStore(),
  management: { kubeconfigYaml: world.kubeconfigYaml },
  managementEtcd: new MemoryEtcd(),
  backing: world.backing.map((b) => ({
    name: b.name,
    target: { kubeconfigYaml: b.kubeconfigYaml },
    capacity: 1000,
    etcd: new MemoryEtcd(),
  })),
  stateDir,
  reach: { mode: 'port-forward', host: '127.0.0.1', basePort: 20000 + Math.floor(Math.random() * 20000) },
});
// Warm-up batch of 1 starts the informers (fixed cost, reported separately).
phase = 'warmup';
await engine.addBatch({ count: 1 });
phase = 'batch';
const t0 = performance.now();
const s = await engine.addBatch({ count: N });
const secs = (performance.now() - t0) / 1000;
phase = 'done';
await engine.deleteClusters({ kind: 'all' });
await engine.shutdown();
child.stdin!.end();
rmSync(stateDir, { recursive: true, force: true });

const get = (k: string) => counts.get(k) ?? 0;
const writes = get('batch:write');
const reads = get('batch:read');
const watches = get('batch:watch');
console.log(
  `engine-requests: topology=${topology} clusters=${N} ready=${s.ready} failed=${s.failed} in ${secs.toFixed(1)} s`,
);
console.log(
  `  warm-up (informers, discovery, 1 cluster): writes=${get('warmup:write')} reads=${get('warmup:read')} watches=${get('warmup:watch')}`,
);
console.log(
  `  batch: writes=${writes} (${(writes / N).toFixed(1)}/cluster, target <= 40)  reads=${reads} (${(reads / N).toFixed(1)}/cluster)  watch (re)starts=${watches}`,
);
console.log(
  `  reads per cluster per minute of batch time: ${(reads / N / (secs / 60)).toFixed(2)} (polling would scale with wait time)`,
);
const top = [...counts.entries()]
  .filter(([k]) => k.startsWith('batch:') && k.split(':').length > 2)
  .sort((a, b) => b[1] - a[1])
  .slice(0, 14);
for (const [k, v] of top) console.log(`    ${(v / N).toFixed(2)}/cluster  ${k.slice(6)}`);
verdict('engine-requests', [
  { what: `all ${N} clusters ready: ${s.ready} ready, ${s.failed} failed`, met: s.ready === N && s.failed === 0 },
  { what: `writes per cluster ${(writes / N).toFixed(1)} <= 40`, met: writes / N <= 40 },
]);
