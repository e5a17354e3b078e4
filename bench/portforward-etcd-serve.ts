// The server side of bench/portforward-etcd.ts in a process of its own, as a workload API is
// to KCP: the embedded API server with the etcd and kube-apiserver pods and the fake etcd
// behind port-forward (test/support/forward-cluster.ts). Prints one JSON line with what the
// client needs (the etcd CA travels over this pipe, never on a command line), then serves
// until stdin closes.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { startForwardCluster } from '../test/support/forward-cluster.js';

const dir = mkdtempSync(join(tmpdir(), 'scale-tui-pf-bench-'));
const cl = await startForwardCluster(dir);
process.stdout.write(
  `${JSON.stringify({
    url: cl.api.url,
    caPem: cl.api.caPem,
    token: cl.api.adminToken,
    pod: `etcd-${cl.nodeName}`,
    etcdCa: cl.etcdCa,
  })}\n`,
);
// A line on stdin asks for the CPU time used so far (user + system, ms); the end of stdin stops.
createInterface({ input: process.stdin }).on('line', () => {
  const u = process.cpuUsage();
  process.stdout.write(`${(u.user + u.system) / 1000}\n`);
});
process.stdin.on('end', () => {
  void cl.stop().then(() => {
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  });
});
