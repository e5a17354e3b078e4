// Each controller's full pod log is kept in the store, bounded per controller, and is what
// the log viewer's controller sources and the detail page's namespace mentions read. Before,
// the store kept only throttling lines, so a controller's "log" was its throttling lines.
import { describe, expect, it } from 'vitest';
import { LogTailBatcher } from '../../src/metrics/log-tail.js';
import {
  type ControllerLogLine,
  createScaleStore,
  pushLogTail,
  type ScaleState,
  type ThrottleLine,
} from '../../src/state/store.js';
import { parsePrefs } from '../../src/ui/config/prefs.js';
import { complete } from '../../src/ui/model/complete.js';
import { logEntries, logSources, sourceTitle, visibleEntries } from '../../src/ui/model/logview.js';
import { namespaceMentions } from '../../src/ui/model/mentions.js';
import type { LogViewState } from '../../src/ui/model/view-state.js';

const T0 = Date.UTC(2026, 0, 1, 10, 0, 0);
const cl = (i: number, text: string, pod = 'kcp-a'): ControllerLogLine => ({ t: T0 + i, pod, text });
const throttle: ThrottleLine = {
  t: T0,
  controller: 'kcp',
  waitMs: 1500,
  verb: 'GET',
  path: '/api/v1/namespaces/test-1/secrets/test-1-ca',
  raw: 'I0101 10:00:00.000000 1 request.go:752] "Waited before sending request" delay="1.5s" URL="https://x/api/v1/namespaces/test-1/secrets/test-1-ca"',
};
const view: LogViewState = {
  source: 'controller:kcp',
  scroll: 0,
  follow: true,
  wrap: false,
  timestamps: false,
  filter: '',
  sinceMs: 0,
};

function stateWith(controllerLogs: ScaleState['controllerLogs'], recent: ThrottleLine[] = []): ScaleState {
  const store = createScaleStore();
  store.setState({ controllerLogs, throttling: { recent, perController: {} } });
  return store.getState();
}

describe('controller log buffers in the store', () => {
  it('keep the newest N lines per controller, in one write, and leave other buffers untouched', () => {
    const store = createScaleStore();
    pushLogTail(store, { throttle: [], controller: { capi: [cl(0, 'capi line')] } }, 3);
    const capiBefore = store.getState().controllerLogs.capi;
    let writes = 0;
    const unsub = store.subscribe(() => writes++);
    const lines = Array.from({ length: 5 }, (_, i) => cl(i, `kcp line ${i}`));
    pushLogTail(store, { throttle: [throttle], controller: { kcp: lines } }, 3);
    unsub();
    const s = store.getState();
    expect(writes).toBe(1);
    expect(s.controllerLogs.kcp!.map((l) => l.text)).toEqual(['kcp line 2', 'kcp line 3', 'kcp line 4']);
    expect(s.controllerLogs.capi).toBe(capiBefore);
    expect(s.throttling.recent).toEqual([throttle]);
    pushLogTail(store, { throttle: [], controller: { kcp: [cl(9, 'kcp line 9')] } }, 3);
    expect(store.getState().controllerLogs.kcp!.map((l) => l.text)).toEqual(['kcp line 3', 'kcp line 4', 'kcp line 9']);
  });

  it('the batcher holds at most twice the bound between flushes and flushes it all at once', () => {
    const store = createScaleStore();
    const b = new LogTailBatcher(store, 10, 60_000);
    for (let i = 0; i < 1000; i++) b.controllerLine('kcp', cl(i, `line ${i}`));
    b.throttleLine(throttle);
    expect(store.getState().controllerLogs).toEqual({});
    b.flush();
    const kept = store.getState().controllerLogs.kcp!;
    expect(kept).toHaveLength(10);
    expect(kept.at(-1)?.text).toBe('line 999');
    expect(store.getState().throttling.recent).toHaveLength(1);
  });
});

describe('the log viewer over a controller buffer', () => {
  const s = stateWith(
    {
      kcp: [
        cl(0, 'I0101 10:00:00.000000 1 controller.go:220] "Starting manager" controller="kcp"'),
        cl(1, 'E0101 10:00:01.000000 1 controller.go:220] "Reconciler error" key="test-1/test-1"'),
        cl(2, throttle.raw),
      ],
    },
    [throttle],
  );

  it('lists the controller and shows every line of its log, not only throttling lines', () => {
    expect(logSources(s)).toEqual(['engine', 'throttling', 'controller:kcp']);
    expect(sourceTitle('controller:kcp')).toBe('kcp log');
    const entries = logEntries(s, 'controller:kcp');
    expect(entries.map((e) => e.text)).toEqual(s.controllerLogs.kcp!.map((l) => l.text));
    expect(entries[1]?.tone).toBe('error');
    expect(visibleEntries(entries, { ...view, filter: 'starting' }, T0).map((e) => e.text)).toEqual([
      s.controllerLogs.kcp![0]!.text,
    ]);
  });

  it('names the pod of each line once the buffer holds two pods (a rollout)', () => {
    const two = stateWith({ kcp: [cl(0, 'old pod line', 'kcp-a'), cl(1, 'new pod line', 'kcp-b')] });
    expect(logEntries(two, 'controller:kcp').map((e) => e.text)).toEqual([
      '[kcp-a] old pod line',
      '[kcp-b] new pod line',
    ]);
  });

  it(':log completes a controller known only by its log buffer', () => {
    const s2 = stateWith({ 'cert-manager': [cl(0, 'x', 'cert-manager-a')] });
    expect(complete(':log cert', s2).text).toBe('log cert-manager ');
  });

  it('a controller with only throttling lines (log not followed) still shows them', () => {
    const only = stateWith({}, [throttle]);
    expect(logSources(only)).toContain('controller:kcp');
    expect(logEntries(only, 'controller:kcp').map((e) => e.text)).toEqual([throttle.raw]);
  });
});

describe('the detail page: controller log lines that mention the namespace', () => {
  it('come from the full controller logs, whole names only', () => {
    const s = stateWith({
      kcp: [cl(0, '"Reconciler error" key="test-1/test-1"'), cl(1, '"Reconciler error" key="test-10/test-10"')],
      capm3: [cl(2, '"Associating" metal3machine="test-1/test-1-cp-abc"', 'capm3-a')],
    });
    expect(namespaceMentions(s, 'test-1').map((m) => m.text)).toEqual([
      'kcp: "Reconciler error" key="test-1/test-1"',
      'capm3: "Associating" metal3machine="test-1/test-1-cp-abc"',
    ]);
    expect(namespaceMentions(s, 'test-10')).toHaveLength(1);
  });
});

describe('prefs: log.controllerLines', () => {
  it('sets the bound, and a bad value keeps the default with one message', () => {
    expect(parsePrefs('log: { controllerLines: 5000 }\n').prefs.log.controllerLines).toBe(5000);
    const bad = parsePrefs('log: { controllerLines: 5 }\n', 'cfg.yaml');
    expect(bad.prefs.log.controllerLines).toBe(2000);
    expect(bad.problems).toEqual([expect.stringMatching(/^cfg\.yaml: log: controllerLines: .*100/)]);
  });
});
