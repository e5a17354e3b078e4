// The workload-API farm at 1000 clusters (issue 15), three targets in one run:
//  1. resident memory per cluster <= 0.5 MiB above the empty process (1000 registered
//     clusters, each with its Node and static pods). Reference measured in the same run:
//     one embedded API server per cluster with its own certificate (what the demo ran before
//     the farm), per instance; the seed's real kube-apiserver per cluster (~200 MiB) is stated,
//     not measured (no kube-apiserver binary here).
//  2. >= 1000 `GET /` per second spread over all clusters from another process, p99 < 20 ms,
//     while more clusters are being registered.
//  3. `scale-tui farm serve` start + restore of every cluster < 10 s (process start until its
//     control API is up, which is after every cluster listens again).
//   node --expose-gc bin/run-ts.js bench/farm.ts [clusters=1000]
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Farm } from '../src/sim/farm/farm.js';
import { startApiServer, type ApiServerHandle } from '../src/sim/apiserver/index.js';
import { verdict } from './verdict.js';

const N = Number(process.argv[2] ?? 1000);
const REF = 100;
const MiB = 1024 * 1024;
const gc = (): void => (globalThis as { gc?: () => void }).gc?.();
const settle = async (): Promise<number> => {
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 100));
  }
  return process.memoryUsage().rss;
};
if (!(globalThis as { gc?: unknown }).gc) console.log('(run with node --expose-gc for steadier memory figures)');

const dir = mkdtempSync(join(tmpdir(), 'bench-farm-'));
const stateDir = join(dir, 'farm');
const basePort = 21000;
const farm = await Farm.open({ stateDir, basePort, capacity: N + 100 });
// Warm the shared paths (key generation, handler, TLS) with one cluster removed again.
await farm.register({ cluster: 'warm', namespace: 'warm' });
await farm.unregister('warm', 'warm');
const empty = await settle();

const t0 = performance.now();
for (let i = 0; i < N; i++) {
  await farm.register({ cluster: `c-${i}`, namespace: `c-${i}` });
  farm.updateNode({ cluster: `c-${i}`, namespace: `c-${i}`, nodeName: `c-${i}-cp`, uuid: `uuid-${i}` });
}
const registerSecs = (performance.now() - t0) / 1000;
const full = await settle();
const perCluster = (full - empty) / N;
console.log(
  `farm: ${N} clusters registered (Node + 4 static pods each) in ${registerSecs.toFixed(1)} s; RSS empty ${(empty / MiB).toFixed(0)} MiB, full ${(full / MiB).toFixed(0)} MiB: ${(perCluster / 1024).toFixed(0)} kB per cluster`,
);

// Reference: one embedded API server per cluster, each with its own certificate.
const refs: ApiServerHandle[] = [];
const beforeRef = await settle();
for (let i = 0; i < REF; i++) {
  const r = farm.record(`c-${i}`, `c-${i}`);
  refs.push(
    await startApiServer({
      name: `ref-${i}`,
      builtinCrds: false,
      tls: { certPem: r.serving.certPem, keyPem: r.serving.keyPem, caPem: r.caCertPem, clientCaPem: r.caCertPem },
    }),
  );
}
const afterRef = await settle();
const perRef = (afterRef - beforeRef) / REF;
console.log(
  `reference: ${REF} embedded API servers (one per cluster, own certificate, 4 namespaces and no other object, so a lower bound): ${(perRef / 1024).toFixed(0)} kB each; seed: a real kube-apiserver per cluster, ~200 MiB each (stated, not measured)`,
);
await Promise.all(refs.map((r) => r.stop()));

// Load: health probes from another process while clusters are being created.
const targets = farm.list().map((c) => {
  const r = farm.record(c.namespace, c.cluster);
  return { host: '127.0.0.1', port: c.port, ca: r.caCertPem, cert: r.admin.certPem, key: r.admin.keyPem };
});
const targetsFile = join(dir, 'targets.json');
writeFileSync(targetsFile, JSON.stringify(targets), { mode: 0o600 });
const LOAD_SECS = 15;
const client = spawn(
  process.execPath,
  ['bin/run-ts.js', 'bench/farm-probe-client.ts', targetsFile, '1050', String(LOAD_SECS)],
  {
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
let out = '';
let warmSeen = false;
client.stdout.on('data', (c: Buffer) => {
  out += c.toString();
  // The client's warm-up (one handshake per cluster at once) is not the steady load: start
  // the farm-side window when it is done.
  if (out.includes('warm') && !warmSeen) {
    warmSeen = true;
    farm.metrics.snapshot();
  }
});
const clientDone = new Promise<void>((r) => client.once('exit', () => r()));
// Creation during the load: one new cluster every 200 ms while the client runs.
let created = 0;
const creating = (async () => {
  while (!warmSeen && client.exitCode === null) await new Promise((r) => setTimeout(r, 50));
  const until = Date.now() + LOAD_SECS * 1000;
  while (Date.now() < until && client.exitCode === null) {
    await farm.register({ cluster: `new-${created}`, namespace: `new-${created}` });
    farm.updateNode({ cluster: `new-${created}`, namespace: `new-${created}`, nodeName: `new-${created}-cp` });
    created++;
    await new Promise((r) => setTimeout(r, 200));
  }
})();
await clientDone;
await creating;
const load = JSON.parse(out.trim().split('\n').pop() ?? '{}') as {
  ok: number;
  errors: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
};
const farmSide = farm.metrics.snapshot();
console.log(
  `load: ${load.ok} GET / answered (${load.errors} errors) over ${N} clusters at ${load.perSecond?.toFixed(0)}/s, client-side p50 ${load.p50?.toFixed(2)} ms, p99 ${load.p99?.toFixed(2)} ms, max ${load.max?.toFixed(1)} ms; ${created} clusters created meanwhile; farm-side p99 ${farmSide.p99Ms.toFixed(2)} ms`,
);

// Restart: the state dir holds every cluster; time `farm serve` until its control API is up.
const total = farm.size;
await farm.close();
const ctl = join(stateDir, 'control.json');
rmSync(ctl, { force: true });
const s0 = performance.now();
const serve = spawn(
  process.execPath,
  [
    'bin/scale-tui.js',
    'farm',
    'serve',
    '--state-dir',
    stateDir,
    '--base-port',
    String(basePort),
    '--control-port',
    '0',
  ],
  {
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
let restoreSecs = Number.POSITIVE_INFINITY;
let served = 0;
while (performance.now() - s0 < 60_000) {
  if (existsSync(ctl)) {
    restoreSecs = (performance.now() - s0) / 1000;
    const { url } = JSON.parse(readFileSync(ctl, 'utf8')) as { url: string };
    const list = (await (await fetch(`${url}/clusters`, { signal: AbortSignal.timeout(10_000) })).json()) as {
      clusters: Array<{ listening: boolean }>;
    };
    served = list.clusters.filter((c) => c.listening).length;
    break;
  }
  await new Promise((r) => setTimeout(r, 25));
}
serve.kill('SIGTERM');
await new Promise((r) => serve.once('exit', r));
console.log(
  `restart: farm serve up with ${served}/${total} clusters listening in ${restoreSecs.toFixed(2)} s (process start included)`,
);
rmSync(dir, { recursive: true, force: true });

verdict('farm', [
  {
    what: `memory per cluster ${(perCluster / MiB).toFixed(3)} MiB <= 0.5 MiB (seed: a real kube-apiserver per cluster ~200 MiB, ${((200 * MiB) / perCluster).toFixed(0)}x; an empty embedded server per cluster ${(perRef / MiB).toFixed(3)} MiB)`,
    met: perCluster <= 0.5 * MiB,
  },
  { what: `health probes ${load.perSecond?.toFixed(0)}/s >= 1000/s`, met: load.perSecond >= 1000 },
  { what: `health-probe p99 ${load.p99?.toFixed(2)} ms < 20 ms while creating clusters`, met: load.p99 < 20 },
  { what: `no failed probes (${load.errors})`, met: load.errors === 0 },
  {
    what: `start + restore ${restoreSecs.toFixed(2)} s < 10 s with ${served}/${total} listening`,
    met: restoreSecs < 10 && served === total,
  },
]);
