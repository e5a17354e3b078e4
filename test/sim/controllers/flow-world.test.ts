// The controller suites' shared world (flow-support.ts startFlowWorld) must not hide a
// clean-up that fails: a suite against a shared server that leaves a cluster held by a
// finalizer has to fail, not pass and leave the next suite to trip on it. And a step that
// fails must not stop the steps after it, or one stuck deletion would leave servers and
// controllers running.
import { describe, expect, it } from 'vitest';
import { DEFAULT_COST_MODEL, withTimeScale } from '../../../src/sim/cost-model/model.js';
import { tlsRefused } from '../../support/probes.js';
import { type CleanupStep, startFlowWorld, unwind } from './flow-support.js';

describe('flow world teardown', () => {
  it('unwinds last first, reports a step that throws and one that runs out of time, and runs the rest', async () => {
    const ran: string[] = [];
    const steps: CleanupStep[] = [
      { what: 'first', run: () => void ran.push('first') },
      { what: 'hangs', run: () => new Promise(() => ran.push('hangs')) },
      {
        what: 'throws',
        run: () => {
          ran.push('throws');
          throw new Error('refused');
        },
      },
      { what: 'last', run: async () => void ran.push('last') },
    ];
    const failures = await unwind(steps, Date.now() + 1_500);
    expect(ran).toEqual(['last', 'throws', 'hangs', 'first']);
    expect(failures).toHaveLength(2);
    expect(failures[0]).toBe('throws: refused');
    expect(failures[1]).toMatch(/^hangs: not done within \d+\.\d s$/);
    expect(steps).toEqual([]);
  });

  it('stop() rejects naming an object that is never released, after stopping everything else', async () => {
    // Its own embedded server whatever SCALE_TUI_TEST_KUBECONFIG says: the held object
    // below is meant to stay (until the server goes), which a shared server must not see.
    const world = await startFlowWorld({
      name: 'flow-world',
      model: withTimeScale(DEFAULT_COST_MODEL, 0.02),
      management: 'embedded',
      external: false,
    });
    const held = '/api/v1/namespaces/default/configmaps/held';
    await world.client.create('/api/v1/namespaces/default/configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'held', namespace: 'default', finalizers: ['test.scale-tui/hold'] },
    });
    const port = world.embedded!.port;
    await expect(world.stop({ release: [held], budgetMs: 2_000 })).rejects.toThrow(
      /flow world clean-up incomplete:\nrelease \/api\/v1\/namespaces\/default\/configmaps\/held: /,
    );
    // The management server was still stopped after the release failed.
    expect(await tlsRefused('127.0.0.1', port)).toBe(true);
  }, 60_000);
});
