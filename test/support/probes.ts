// Small waits and probes that several engine suites wrote out each for itself: whether a
// cluster's API port still completes a TLS handshake (farm faults take it down and up), and
// waiting until the store shows a state (a kill mid-batch waits for some clusters to get far).
import { connect } from 'node:tls';
import type { ScaleStore } from '../../src/state/store.js';

/** true: the port refused (or did not answer within 3 s); false: a TLS handshake completed. */
export function tlsRefused(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port, rejectUnauthorized: false, timeout: 3000 }, () => {
      s.end();
      resolve(false);
    });
    s.once('error', () => resolve(true));
    s.once('timeout', () => {
      s.destroy();
      resolve(true);
    });
  });
}

/** Resolves once `pred` holds, checked now and after each store change (the caller bounds the wait). */
export function storeReaches(store: ScaleStore, pred: () => boolean): Promise<void> {
  return new Promise((resolve) => {
    if (pred()) return resolve();
    const off = store.subscribe(() => {
      if (pred()) {
        off();
        resolve();
      }
    });
  });
}
