// The farm fault keys (`x`, `X`) and the per-cluster retry, through the pure key reducer:
// a key sequence in, the view and the effects out. The keys act on the cluster shown on a
// detail page or selected in the cluster list, exist only where the topology offers faults,
// and are refused (with a message) under --read-only, like every key that changes a cluster.
import { describe, expect, it } from 'vitest';
import type { ClusterDescription } from '../../src/engine/describe/types.js';
import { footerText, keyHelp } from '../../src/ui/model/keys.js';
import { type Effect, type KeyContext, keyContext, type ViewState } from '../../src/ui/model/reducer.js';
import { selectedCluster } from '../../src/ui/model/selection.js';
import { lineText } from '../../src/ui/model/text.js';
import { detailLines } from '../../src/ui/views/detail.js';
import { keyRunner } from '../support/keys.js';
import { fullState, NOW } from './fixtures.js';

const state = fullState(200);
const failed = Object.values(state.clusters).filter((c) => c.phase === 'failed');
const FARM: Partial<KeyContext> = { faults: ['api-down', 'api-slow'] };

const run = keyRunner(state, NOW);

describe('farm fault keys and retry: keys in, effects out', () => {
  const secondInList = (() => {
    const v = run(['down'], {}, { focus: 'progress' }).view;
    return selectedCluster(v, state, NOW)!.name;
  })();

  const cases: Array<{
    name: string;
    keys: string[];
    ctx?: Partial<KeyContext>;
    start?: Partial<ViewState>;
    want: Effect[];
    message?: string;
  }> = [
    {
      name: 'x on a detail page (farm) toggles that cluster API down',
      keys: [':', 'describe test-8', 'enter', 'x'],
      ctx: FARM,
      want: [{ type: 'fault', fault: 'api-down', cluster: 'test-8' }],
    },
    {
      name: 'X on a detail page (farm) slows that cluster API',
      keys: [':', 'describe test-8', 'enter', 'X'],
      ctx: FARM,
      want: [{ type: 'fault', fault: 'api-slow', cluster: 'test-8' }],
    },
    {
      name: 'x in the cluster list (farm) acts on the selected cluster',
      keys: ['down', 'x'],
      ctx: FARM,
      start: { focus: 'progress' },
      want: [{ type: 'fault', fault: 'api-down', cluster: secondInList }],
    },
    {
      name: 'X in the cluster list (farm) acts on the selected cluster',
      keys: ['down', 'X'],
      ctx: FARM,
      start: { focus: 'progress' },
      want: [{ type: 'fault', fault: 'api-slow', cluster: secondInList }],
    },
    {
      name: 'x with another pane focused says to select a cluster',
      keys: ['x'],
      ctx: FARM,
      start: { focus: 'controllers' },
      want: [],
      message: 'select a cluster in the cluster list first',
    },
    {
      name: 'x where the topology has no faults does nothing (list)',
      keys: ['x'],
      start: { focus: 'progress' },
      want: [],
    },
    {
      name: 'x under --read-only (farm) is refused with a message',
      keys: [':', 'describe test-8', 'enter', 'x'],
      ctx: { ...FARM, readOnly: true },
      want: [],
      message: 'read-only',
    },
    {
      name: 'X under --read-only in the list (farm) is refused with a message',
      keys: ['X'],
      ctx: { ...FARM, readOnly: true },
      start: { focus: 'progress' },
      want: [],
      message: 'read-only',
    },
    {
      name: 'r on a failed cluster page retries that cluster only',
      keys: [':', `describe ${failed[1]!.name}`, 'enter', 'r'],
      want: [{ type: 'retry', cluster: failed[1]!.name }],
    },
  ];

  it.each(cases.map((c) => [c.name, c]))('%s', (_n, c) => {
    const r = run(c.keys, c.ctx, c.start);
    const acting = r.effects.filter((e) => e.type === 'fault' || e.type === 'retry');
    expect(acting).toEqual(c.want);
    if (c.message) expect(r.view.message?.text).toContain(c.message);
  });

  it('the fixture has two failed clusters, so "only that one" means something', () => {
    expect(failed.length).toBeGreaterThanOrEqual(2);
  });
});

describe('farm fault keys in help and footer', () => {
  const has = (scope: 'main' | 'detail', over: Partial<KeyContext>, key: string) =>
    keyHelp(scope, keyContext(state, over)).some((k) => k.keys.split(/[ ,/]+/).includes(key));

  it.each(['main', 'detail'] as const)('%s: x and X shown only with the farm topology', (scope) => {
    expect(has(scope, FARM, 'x')).toBe(true);
    expect(has(scope, FARM, 'X')).toBe(true);
    expect(has(scope, {}, 'x')).toBe(false);
    expect(has(scope, {}, 'X')).toBe(false);
  });

  it.each(['main', 'detail'] as const)('%s: x and X hidden under --read-only even on a farm', (scope) => {
    expect(has(scope, { ...FARM, readOnly: true }, 'x')).toBe(false);
    expect(has(scope, { ...FARM, readOnly: true }, 'X')).toBe(false);
  });

  it('the detail footer names the fault keys on a farm only', () => {
    expect(footerText(200, 'detail', keyContext(state, FARM))).toContain('api down/up');
    expect(footerText(200, 'detail', keyContext(state, {}))).not.toContain('api down/up');
  });
});

describe('detail page: the farm fault in force', () => {
  const description = (farmFault?: string): ClusterDescription => ({
    cluster: 'test-8',
    namespace: 'test-8',
    fetchedAt: NOW,
    secrets: [],
    events: [],
    errors: [],
    ...(farmFault === undefined ? {} : { farmFault }),
  });
  const text = (d: ClusterDescription) =>
    detailLines('test-8', state, { loading: false, description: d }, NOW, 160, 40, 0, '').map(lineText);

  it('shows the fault the farm reports', () => {
    expect(text(description('API down (connections refused)')).some((l) => l.includes('farm fault API down'))).toBe(
      true,
    );
    expect(text(description('none')).some((l) => l.includes('farm fault none'))).toBe(true);
  });

  it('has no fault line outside the farm topology', () => {
    expect(text(description()).some((l) => l.includes('farm fault'))).toBe(false);
  });
});
