// Through the demo: the emulated controllers' own log lines ("Starting workers", which is
// no throttling line) reach the TUI's log viewer for that controller, and its filter
// narrows them. Before, a controller's log source held only its throttling lines, so a
// quiet controller's viewer was empty.
import { afterAll, describe, expect, it } from 'vitest';
import { oneClusterDemo } from '../support/demo.js';
import { recordingIntents } from './fixtures.js';
import { renderApp } from './render-app.js';

const tick = (ms = 60): Promise<void> => new Promise((r) => setTimeout(r, ms));
// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping terminal escapes
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;

const demo = oneClusterDemo();
let unmount: (() => void) | undefined;
// Runs before the demo's own afterAll (after-hooks run in reverse): the App lets go of the store first.
afterAll(() => {
  unmount?.();
});

describe('demo: a controller log in the viewer', () => {
  it('shows the start-up lines of capm3, filters them, and wraps', async () => {
    const store = (await demo.start()).store;
    const has = (): boolean =>
      (store.getState().controllerLogs.capm3 ?? []).some((l) => l.text.includes('"Starting workers"'));
    const end = Date.now() + 30_000;
    while (!has() && Date.now() < end) await tick(200);
    expect(has()).toBe(true);
    // No line of it is a throttling line: only the full log can show it.
    expect(store.getState().throttling.recent.some((t) => t.raw.includes('Starting workers'))).toBe(false);

    const { r, press } = renderApp({ store, intents: recordingIntents(), title: 't', defaultCount: 1, keyGapMs: 60 });
    unmount = r.unmount;
    // What the app has written since `from`, escapes removed: the row writer may redraw only changed rows.
    const written = (from: number): string => r.frames.slice(from).join('').replace(ANSI, '');
    await tick(200);
    const before = r.frames.length;
    await press(':', ...'log capm3', '\r');
    await tick(300);
    const opened = written(before);
    expect(opened).toContain('capm3 log');
    // Written before the sampler started following (the backlog read) and after it.
    expect(opened).toContain('"Starting manager" controller="capm3"');
    expect(opened).toContain('"Starting workers" controller="metal3');

    const beforeFilter = r.frames.length;
    await press('/', ...'metal3datatemplate', '\r');
    await tick(300);
    const filtered = written(beforeFilter);
    expect(filtered).toContain('filter "metal3datatemplate"');
    expect(filtered).toMatch(/ 1\/\d+ lines/);

    // Wrap on: the whole line, its end included, is on screen.
    const beforeWrap = r.frames.length;
    await press('w');
    await tick(300);
    expect(written(beforeWrap)).toContain('worker count=10');
  }, 90_000);
});
