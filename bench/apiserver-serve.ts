// Starts one embedded API server and keeps it running, for trying it with kubectl by hand:
//   node bin/run-ts.js bench/apiserver-serve.ts [dataDir]   then   KUBECONFIG=<printed path> kubectl get ns
import { resolve } from 'node:path';
import { startApiServer } from '../src/sim/apiserver/index.js';

const dataDir = resolve(process.argv[2] ?? '.scale-tui-apiserver');
const h = await startApiServer({ dataDir, crdDirs: [resolve('../shared/crds')] });
console.log(`serving ${h.url}\nkubeconfig ${h.kubeconfigPath}`);
process.on('SIGINT', () => void h.stop().then(() => process.exit(0)));
process.on('SIGTERM', () => void h.stop().then(() => process.exit(0)));
