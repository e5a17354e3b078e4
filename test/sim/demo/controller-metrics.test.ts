// The demo's controllers pane used to say "not reachable" for workqueue depth and reconcile
// rate: the emulated controllers served no /metrics and the embedded API server had no pod
// proxy. Now the same sampler a real run uses reads them through the proxy.
import { describe, expect, it } from 'vitest';
import { oneClusterDemo } from '../../support/demo.js';

const demo = oneClusterDemo();

describe('demo controllers pane', () => {
  it('shows workqueue depth (by priority) and a reconcile rate for the emulated controllers', async () => {
    const store = (await demo.start()).store;
    const ready = (): boolean =>
      ['capi', 'kcp', 'capm3', 'bmo'].every((id) => {
        const c = store.getState().controllers[id];
        return c?.workqueueDepth !== undefined && c.reconcilesPerSecond !== undefined;
      });
    // The sampler reads /metrics every 15 s; a rate needs two reads.
    const end = Date.now() + 50_000;
    while (!ready() && Date.now() < end) await new Promise((r) => setTimeout(r, 250));
    for (const id of ['capi', 'kcp', 'capm3', 'bmo']) {
      const c = store.getState().controllers[id];
      expect(c?.workqueueNote, id).toBeUndefined();
      expect(c?.workqueueDepth, id).toBeGreaterThanOrEqual(0);
      expect(c?.reconcilesPerSecond, id).toBeGreaterThanOrEqual(0);
      expect(c?.controllerMetrics?.source, id).toBe('pod-proxy');
      expect(Object.keys(c?.controllerMetrics?.depthByPriority ?? {}).sort(), id).toEqual(['-100', '0']);
    }
  }, 90_000);
});
