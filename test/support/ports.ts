// A block of consecutive local ports for tests whose engine listens on basePort+N.
// Blocks come from below the kernel's ephemeral range (32768+), where every port-0 server
// of a parallel test file may sit, and are probed free before use.
import { createServer } from 'node:net';

const LOW = 20000;
const HIGH = 32000; // exclusive upper bound of a block's end; 32768 starts the ephemeral range

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** The first port of `count + 1` free consecutive ports (cluster numbers start at 1). */
export async function freePortBlock(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = LOW + Math.floor(Math.random() * (HIGH - LOW - count - 1));
    let ok = true;
    for (let p = base; p <= base + count && ok; p++) ok = await isFree(p);
    if (ok) return base;
  }
  throw new Error(`no block of ${count + 1} free ports between ${LOW} and ${HIGH}`);
}
