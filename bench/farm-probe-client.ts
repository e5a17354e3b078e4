// The load side of bench/farm.ts, in a process of its own so the farm's latency is not the
// load generator's: ClusterCache-style `GET /` health probes, each cluster on its own
// keep-alive TLS connection with that cluster's admin client certificate, at a fixed total
// rate spread round-robin over every cluster, for a fixed time. Prints one JSON line.
//   node bin/run-ts.js bench/farm-probe-client.ts TARGETS.json RATE_PER_S SECONDS
import https from 'node:https';
import { readFileSync } from 'node:fs';

interface Target {
  host: string;
  port: number;
  ca: string;
  cert: string;
  key: string;
}

const [file, rateArg, secsArg] = process.argv.slice(2);
const targets = JSON.parse(readFileSync(file!, 'utf8')) as Target[];
const rate = Number(rateArg ?? 1000);
const secs = Number(secsArg ?? 10);
const agents = targets.map(
  (t) => new https.Agent({ keepAlive: true, maxSockets: 1, ca: t.ca, cert: t.cert, key: t.key }),
);
const latencies: number[] = [];
let errors = 0;
let next = 0;
let inflight = 0;

function probe(i: number): void {
  const t = targets[i]!;
  const t0 = performance.now();
  inflight++;
  const req = https.get({ host: t.host, port: t.port, path: '/', agent: agents[i], timeout: 5000 }, (res) => {
    res.resume();
    res.on('end', () => {
      inflight--;
      if (res.statusCode === 200) latencies.push(performance.now() - t0);
      else errors++;
    });
  });
  req.on('timeout', () => req.destroy(new Error('timeout')));
  req.on('error', () => {
    inflight--;
    errors++;
  });
}

// Warm-up: one probe per cluster opens every connection (ClusterCache keeps them open).
await new Promise<void>((resolve) => {
  let left = targets.length;
  targets.forEach((t, i) => {
    https
      .get({ host: t.host, port: t.port, path: '/', agent: agents[i], timeout: 10_000 }, (res) => {
        res.resume();
        res.on('end', () => --left === 0 && resolve());
      })
      .on('error', () => --left === 0 && resolve());
  });
});

const TICK_MS = 5;
// Probes owed follow the clock, not the tick count: a late tick sends what it owes.
let sent = 0;
console.log('warm');
const started = performance.now();
await new Promise<void>((resolve) => {
  const timer = setInterval(() => {
    const elapsed = performance.now() - started;
    const owed = Math.floor((Math.min(elapsed, secs * 1000) * rate) / 1000) - sent;
    for (let k = 0; k < owed; k++) {
      probe(next);
      next = (next + 1) % targets.length;
      sent++;
    }
    if (elapsed >= secs * 1000) {
      clearInterval(timer);
      resolve();
    }
  }, TICK_MS);
});
const wall = (performance.now() - started) / 1000;
const drainBy = Date.now() + 10_000;
while (inflight > 0 && Date.now() < drainBy) await new Promise((r) => setTimeout(r, 20));
latencies.sort((a, b) => a - b);
const q = (p: number): number => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
console.log(
  JSON.stringify({
    ok: latencies.length,
    errors,
    perSecond: latencies.length / wall,
    p50: q(0.5),
    p99: q(0.99),
    max: q(1),
  }),
);
for (const a of agents) a.destroy();
process.exit(0);
