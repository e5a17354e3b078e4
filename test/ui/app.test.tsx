import { afterEach, describe, expect, it } from 'vitest';
import { fullState, recordingIntents, storeWith } from './fixtures.js';
import { renderApp } from './render-app.js';
import type { ScaleState } from '../../src/state/store.js';

const KEY = {
  enter: '\r',
  esc: '\u001b',
  tab: '\t',
  up: '\u001b[A',
  down: '\u001b[B',
  right: '\u001b[C',
  backspace: '\u007f',
};
const tick = (ms = 30): Promise<void> => new Promise((r) => setTimeout(r, ms));
// Keys are read in order whatever the machine's load; what a key shows or sends is awaited
// (polled) rather than expected after a fixed 30 ms, which a busy CI core can overrun.
const SETTLE = { timeout: 5_000, interval: 10 };

let cleanup: (() => void) | undefined;
afterEach(() => {
  cleanup?.();
  cleanup = undefined;
});

function start(state: ScaleState = fullState(200)) {
  const intents = recordingIntents();
  const store = storeWith(state);
  let exited = 0;
  const { r, press, frame } = renderApp({
    store,
    intents,
    title: 'scale-tui test',
    defaultCount: 10,
    onExit: () => exited++,
    keyGapMs: 30,
  });
  cleanup = r.unmount;
  // Assertions read the text a person sees (frame: the app's writes on a virtual terminal);
  // colours are checked by the screen tests.
  return { r, intents, store, press, frame, exited: () => exited };
}

describe('TUI keys', () => {
  it('a adds a batch with the default count on auto placement', async () => {
    const t = start();
    await t.press('a');
    await expect.poll(() => t.frame(), SETTLE).toContain('Add a batch');
    await t.press(KEY.enter);
    await tick();
    await expect.poll(() => t.intents.calls, SETTLE).toEqual([{ m: 'addBatch', count: 10, backing: 'auto' }]);
  });

  it('a with a typed count and a chosen backing cluster', async () => {
    const t = start();
    await t.press('a', KEY.backspace, KEY.backspace, '2', '5', KEY.tab, KEY.right, KEY.enter);
    await expect.poll(() => t.intents.calls, SETTLE).toEqual([{ m: 'addBatch', count: 25, backing: 'backing-1' }]);
  });

  it('a refuses an out-of-range count inline and sends nothing', async () => {
    const t = start();
    await t.press('a', KEY.backspace, KEY.backspace, '0', KEY.enter);
    await expect.poll(() => t.frame(), SETTLE).toMatch(/the count must be from 1 to 10000, got 0/);
    await expect.poll(() => t.intents.calls, SETTLE).toEqual([]);
    await t.press(KEY.esc);
    await expect.poll(() => t.frame(), SETTLE).not.toContain('Add a batch');
  });

  it('d names what will go and deletes only after y', async () => {
    const t = start();
    await t.press('d');
    await expect.poll(() => t.frame(), SETTLE).toMatch(/selection +test-1/);
    await t.press(KEY.enter);
    await expect.poll(() => t.frame(), SETTLE).toMatch(/This deletes test-1 \(1 cluster\)/);
    await t.press('n');
    await expect.poll(() => t.intents.calls, SETTLE).toEqual([]);
    await t.press('d', KEY.enter, 'y');
    await expect
      .poll(() => t.intents.calls, SETTLE)
      .toEqual([{ m: 'deleteClusters', selection: { kind: 'names', names: ['test-1'] } }]);
  });

  it(':delete with a range asks first, naming the range', async () => {
    const t = start();
    await t.press(':', ...'delete test-1..test-50', KEY.enter);
    await expect.poll(() => t.frame(), SETTLE).toMatch(/This deletes test-1, test-2 … test-50 \(50 clusters\)/);
    await t.press('y');
    await expect
      .poll(() => t.intents.calls, SETTLE)
      .toEqual([{ m: 'deleteClusters', selection: { kind: 'range', from: 1, to: 50 } }]);
  });

  it('a delete that selects nothing says so instead of asking', async () => {
    const t = start();
    await t.press(':', ...'delete test-900..test-950', KEY.enter);
    await expect.poll(() => t.frame(), SETTLE).toMatch(/selects no cluster scale-tui created/);
    await t.press(KEY.esc, ':', ...'delete other-1..other-3', KEY.enter);
    await expect.poll(() => t.frame(), SETTLE).toMatch(/no cluster here is named other-N/);
    await expect.poll(() => t.intents.calls, SETTLE).toEqual([]);
  });

  it('c shows the current flags of the focused controller and patches through the engine', async () => {
    const t = start();
    await t.press('2', KEY.down, KEY.down, 'c');
    await expect.poll(() => t.frame(), SETTLE).toContain('Concurrency of kcp');
    await expect.poll(() => t.frame(), SETTLE).toContain('--kubeadmcontrolplane-concurrency=10');
    await t.press(KEY.backspace, KEY.backspace, '1', '0', '0', KEY.enter);
    await expect
      .poll(() => t.intents.calls, SETTLE)
      .toEqual([{ m: 'tune', controller: 'kcp', request: { concurrency: 100 } }]);
  });

  it('c on a controller without concurrency flags says so', async () => {
    const t = start();
    await t.press('2', KEY.down, KEY.down, KEY.down, KEY.down, 'c'); // ipam
    await expect.poll(() => t.frame(), SETTLE).toMatch(/ipam has no --\*-concurrency flag/);
    await expect.poll(() => t.intents.calls, SETTLE).toEqual([]);
  });

  it('r edits QPS and burst, refuses burst below QPS, then patches', async () => {
    const t = start();
    await t.press('2', KEY.down, KEY.down, 'r');
    await expect.poll(() => t.frame(), SETTLE).toContain('--kube-api-qps=20 --kube-api-burst=30');
    await t.press(KEY.backspace, KEY.backspace, '2', '0', '0', KEY.enter);
    await expect.poll(() => t.frame(), SETTLE).toMatch(/burst \(30\) below QPS \(200\)/);
    await t.press(KEY.tab, KEY.backspace, KEY.backspace, '3', '0', '0', KEY.enter);
    await expect
      .poll(() => t.intents.calls, SETTLE)
      .toEqual([{ m: 'tune', controller: 'kcp', request: { qps: 200, burst: 300 } }]);
  });

  it('r on a controller without rate flags says so', async () => {
    const t = start();
    await t.press('2', KEY.down, KEY.down, KEY.down, KEY.down, KEY.down, 'r'); // bmo
    await expect.poll(() => t.frame(), SETTLE).toMatch(/bmo has no --kube-api-qps\/--kube-api-burst flags/);
  });

  it('c sets only the main reconciler flag and says how to name the others', async () => {
    const state = fullState(200);
    state.controllers.kcp!.supportedConcurrencyFlags = ['kubeadmcontrolplane-concurrency', 'clustercache-concurrency'];
    state.controllers.kcp!.flags = {
      concurrency: { 'clustercache-concurrency': 100, 'kubeadmcontrolplane-concurrency': 10 },
    };
    const t = start(state);
    await t.press('2', KEY.down, KEY.down, 'c');
    await expect.poll(() => t.frame(), SETTLE).toContain('sets --kubeadmcontrolplane-concurrency only');
    await expect.poll(() => t.frame(), SETTLE).toContain('others by name: :tune kcp clustercache-concurrency=N');
    // The field starts at the main flag's value, not the first flag the Deployment lists.
    await t.press(KEY.backspace, KEY.backspace, '5', '0', KEY.enter);
    await expect
      .poll(() => t.intents.calls, SETTLE)
      .toEqual([{ m: 'tune', controller: 'kcp', request: { concurrency: 50 } }]);
  });

  it(':tune below CAPI v1.13+ defaults logs a warning and keeps it in the note', async () => {
    const t = start();
    await t.press(':', ...'tune kcp concurrency=10 clustercache-concurrency=100', KEY.enter);
    const request = { concurrency: 10, concurrencyFlags: { 'clustercache-concurrency': 100 } };
    await expect.poll(() => t.intents.calls, SETTLE).toEqual([{ m: 'tune', controller: 'kcp', request }]);
    const warn = () =>
      t.store
        .getState()
        .log.filter((l) => l.level === 'warn')
        .map((l) => l.message);
    const lowers =
      /^kcp: this LOWERS .* v1\.14\.0 below its defaults: --kubeadmcontrolplane-concurrency=10 \(default 100\);/;
    await expect.poll(warn, SETTLE).toEqual([expect.stringMatching(lowers)]);
    await expect.poll(() => t.frame(), SETTLE).toMatch(/kcp: new flags rolled out; warning: this LOWERS/);
  });

  it(':tune sends the parsed request', async () => {
    const t = start();
    await t.press(':', ...'tune kcp concurrency=100 qps=200 burst=300', KEY.enter);
    await expect
      .poll(() => t.intents.calls, SETTLE)
      .toEqual([{ m: 'tune', controller: 'kcp', request: { concurrency: 100, qps: 200, burst: 300 } }]);
  });

  it('a bad : command shows the error in the footer', async () => {
    const t = start();
    await t.press(':', ...'create lots', KEY.enter);
    await expect.poll(() => t.frame(), SETTLE).toMatch(/the count must be a whole number/);
    await expect.poll(() => t.intents.calls, SETTLE).toEqual([]);
  });

  it('p pauses, and resumes when the queue is paused', async () => {
    const t = start();
    await t.press('p');
    t.store.setState({ queue: { ...t.store.getState().queue, paused: true } });
    await t.press('p');
    await expect.poll(() => t.intents.calls, SETTLE).toEqual([{ m: 'pause' }, { m: 'resume' }]);
  });

  it('? opens the help and esc closes it; l opens the engine log', async () => {
    const s = fullState(50);
    s.log = [{ t: Date.now(), level: 'warn', message: 'backing-3: etcd not answering' }];
    const t = start(s);
    await t.press('?');
    await expect.poll(() => t.frame(), SETTLE).toContain('Keys');
    await expect.poll(() => t.frame(), SETTLE).toMatch(/pause or resume the batch queue/);
    await t.press(KEY.esc);
    await expect.poll(() => t.frame(), SETTLE).not.toMatch(/pause or resume the batch queue/);
    await t.press('l');
    await expect.poll(() => t.frame(), SETTLE).toContain('backing-3: etcd not answering');
    await t.press(KEY.esc, '/', ...'failed', KEY.enter);
    await expect.poll(() => t.frame(), SETTLE).toMatch(/filter: failed/);
  });

  it('tab and enter focus and zoom; esc leaves the zoom', async () => {
    const t = start();
    await t.press(KEY.tab, KEY.enter);
    await expect.poll(() => t.frame(), SETTLE).toContain('Controllers');
    await expect.poll(() => t.frame(), SETTLE).not.toContain('Creation progress');
    await t.press(KEY.esc);
    await expect.poll(() => t.frame(), SETTLE).toContain('Creation progress');
  });

  it('q asks while a batch runs and quits on y; quits at once when idle', async () => {
    const t = start();
    await t.press('q');
    await expect.poll(() => t.frame(), SETTLE).toMatch(/A batch is still running/);
    await expect.poll(() => t.exited(), SETTLE).toBe(0);
    await t.press('y');
    await expect.poll(() => t.exited(), SETTLE).toBe(1);

    const idle = fullState(10);
    idle.batches = idle.batches.map((b) => ({ ...b, endedAt: b.startedAt + 1 }));
    idle.queue = { paused: false, concurrency: 10, pending: 0, inFlight: 0 };
    cleanup?.();
    const u = start(idle);
    await u.press('q');
    await expect.poll(() => u.exited(), SETTLE).toBe(1);
  });

  it('shows store updates (coalesced) without a key press', async () => {
    const s = fullState(10);
    const t = start(s);
    t.store.setState({ clusters: {}, batches: [] });
    await tick(120);
    await expect.poll(() => t.frame(), SETTLE).toMatch(/no batch yet: press a to add one/);
  });
});
