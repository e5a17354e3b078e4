// Blocks of consecutive local ports for tests whose servers listen on base+N. Parallel test
// files must not meet on a port: a listener that finds its port taken leaves a cluster
// unreachable (or reachable at someone else's server) and the test hangs at a later step.
// So blocks are probed free, and the two kinds never overlap:
//   plain    20000-29999: port-forward base ports (below NodePorts and the kernel's
//                         ephemeral range 32768+, where every port-0 server may sit);
//   nodeport 30000-32767: the NodePort range the API server accepts.
import { createServer } from 'node:net';

// NodePort blocks end by 32000: `scale-tui demo --node-port-base` accepts bases up to there.
const RANGES = { plain: [20000, 30000], nodeport: [30000, 32000] } as const;

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** The first port of `count + 1` free consecutive ports (cluster numbers start at 1). */
export async function freePortBlock(count: number, kind: keyof typeof RANGES = 'plain'): Promise<number> {
  const [low, high] = RANGES[kind];
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = low + Math.floor(Math.random() * (high - low - count - 1));
    let ok = true;
    for (let p = base; p <= base + count && ok; p++) ok = await isFree(p);
    if (ok) return base;
  }
  throw new Error(`no block of ${count + 1} free ports in ${low}-${high - 1}`);
}
