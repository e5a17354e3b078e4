// Upstreams for the forwarder: straight TCP to a Service's NodePort (what the embedded
// cluster and kind both offer), or anything else that yields a Duplex (kube port-forward).
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Dialer } from './forwarder.js';

export function tcpDialer(host: string, port: number, timeoutMs = 5000): Dialer {
  return () =>
    new Promise<Duplex>((resolve, reject) => {
      const s = connect({ host, port });
      const timer = setTimeout(() => {
        s.destroy();
        reject(new Error(`connect ${host}:${port} timed out`));
      }, timeoutMs);
      s.once('connect', () => {
        clearTimeout(timer);
        resolve(s);
      });
      s.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
}
