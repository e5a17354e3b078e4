// Throttling-log parsing speed: a controller at 1000 clusters can log thousands of
// throttling lines a minute, mixed with ordinary reconcile lines.
// Run: node bin/run-ts.js bench/metrics-parse.ts [lines]
import { parseThrottleLine, ThrottleWindow } from '../src/metrics/index.js';
import { verdict } from './verdict.js';

const N = Number(process.argv[2] ?? 500_000);
const TARGET_PER_S = 200_000; // issue 7: 10 controllers x 1000 lines/s, with headroom
const lines: string[] = [];
for (let i = 0; i < 1000; i++) {
  const n = i % 1000;
  lines.push(
    i % 3 === 0
      ? `I1125 02:03:04.123456       1 request.go:697] Waited for ${(i % 900) + 50}.5ms due to client-side throttling, not priority and fairness, request: GET:https://10.96.0.1:443/api/v1/namespaces/test-${n}/secrets/test-${n}-ca`
      : i % 3 === 1
        ? `I1125 02:03:04.123456 1 request.go:752] "Waited before sending request" delay="1.${i}s" reason="client-side throttling, not priority and fairness" verb="PATCH" URL="https://10.96.0.1:443/apis/cluster.x-k8s.io/v1beta2/namespaces/test-${n}/machines/test-${n}-x/status"`
        : `I1125 02:03:04.123456       1 controller.go:117] "Reconciling" controller="kubeadmcontrolplane" KubeadmControlPlane="test-${n}/test-${n}"`,
  );
}
const w = new ThrottleWindow();
let hits = 0;
const start = performance.now();
for (let i = 0; i < N; i++) {
  const e = parseThrottleLine(lines[i % lines.length]!);
  if (e) {
    hits++;
    w.add(i, e.waitMs, e.path);
  }
}
const s = (performance.now() - start) / 1000;
const stats = w.stats(N);
console.log(
  `metrics-parse: ${N} lines (2/3 throttling) parsed and folded in ${s.toFixed(2)} s = ${Math.round(N / s)} lines/s; ${hits} throttling events, top path ${stats.topPaths[0]?.path}`,
);
console.log(`metrics-parse: target ${TARGET_PER_S} lines/s; ratio ${(N / s / TARGET_PER_S).toFixed(1)}x`);
verdict('metrics-parse', [
  { what: `${Math.round(N / s)} lines/s >= ${TARGET_PER_S} lines/s`, met: N / s >= TARGET_PER_S },
  { what: `throttling lines recognised ${hits} of ${Math.round((N * 2) / 3)}`, met: hits >= Math.floor((N * 2) / 3) },
]);
