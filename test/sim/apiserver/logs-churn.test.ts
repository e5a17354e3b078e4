// Leak check: the sim's LogStore kept 5,000 lines for every pod it ever saw. With a view of
// which pods exist, a churn of 1000 clusters (three pods each, replaced by a rollout, then
// deleted) must end with no entry left, and a GET for a pod that never logged leaves none.
import { describe, expect, it } from 'vitest';
import { LogStore } from '../../../src/sim/apiserver/logs.js';

describe('LogStore churn', () => {
  it('ends empty after 1000 clusters come and go', () => {
    const live = new Set<string>();
    const logs = new LogStore({ podExists: (ns, pod) => live.has(`${ns}/${pod}`) });
    let peak = 0;
    for (let i = 1; i <= 1000; i++) {
      const ns = `test-${i}`;
      for (const pod of ['etcd-0', 'kube-apiserver-a', 'kube-apiserver-b']) {
        live.add(`${ns}/${pod}`);
        for (let l = 0; l < 20; l++) logs.append(ns, pod, 'main', `line ${l}`);
      }
      // a rollout replaces one pod under a new name
      live.delete(`${ns}/kube-apiserver-a`);
      live.add(`${ns}/kube-apiserver-c`);
      logs.append(ns, 'kube-apiserver-c', 'main', 'started');
      // clusters older than 10 are deleted as the churn goes on
      const old = `test-${i - 10}`;
      for (const p of [...live]) if (p.startsWith(`${old}/`)) live.delete(p);
      peak = Math.max(peak, logs.size);
    }
    // bounded by the live pods (10 clusters x 3) times the amortized slack, not by all ever seen
    expect(peak).toBeLessThan(200);
    live.clear();
    logs.sweep();
    expect(logs.size).toBe(0);
  });

  it('serving a pod that never logged leaves no entry behind', () => {
    const logs = new LogStore({ podExists: () => false });
    const res = { writeHead: () => res, write: () => true, end: () => undefined };
    logs.serve(res as never, 'ns', 'ghost', 'main', { follow: false, timestamps: false, onClose: () => undefined });
    expect(logs.size).toBe(0);
  });
});
