// Starts one embedded API server and keeps it running.
//   node bin/run-ts.js bench/apiserver-serve.ts [dataDir]    for trying it with kubectl by hand
//                                                             (KUBECONFIG=<printed path> kubectl get ns)
//   node bin/run-ts.js bench/apiserver-serve.ts --bench      used by the benchmarks: no CRD files, prints
//                                                             one JSON line {url, token, caPem} on stdout
import { resolve } from 'node:path';
import { startApiServer } from '../src/sim/apiserver/index.js';

const bench = process.argv.includes('--bench');
if (bench) {
  const h = await startApiServer({ name: 'bench' });
  process.stdout.write(`${JSON.stringify({ url: h.url, token: h.adminToken, caPem: h.caPem, pid: process.pid })}\n`);
  // The parent asks for our RSS over stdin ("rss\n") and gets "<bytes>\n".
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (d: string) => {
    if (d.includes('rss')) {
      global.gc?.();
      process.stdout.write(`${process.memoryUsage().rss} ${h.objectCount()}\n`);
    }
  });
  process.stdin.on('end', () => void h.stop().then(() => process.exit(0)));
} else {
  const dataDir = resolve(process.argv[2] ?? '.scale-tui-apiserver');
  const h = await startApiServer({ dataDir, crdDirs: [resolve('../shared/crds')] });
  console.log(`serving ${h.url}\nkubeconfig ${h.kubeconfigPath}`);
  process.on('SIGINT', () => void h.stop().then(() => process.exit(0)));
  process.on('SIGTERM', () => void h.stop().then(() => process.exit(0)));
}
