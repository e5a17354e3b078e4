// The in-flight notes: while the engine works on an add or a tune, the footer says so.
// They used to be posted with setView(fn) and then overwritten by the key handler's own
// setView(current) in the same input event, so they never appeared.
import { afterEach, describe, expect, it } from 'vitest';
import type { EngineIntents } from '../../src/core/types.js';
import { fullState, recordingIntents, storeWith } from './fixtures.js';
import { renderApp } from './render-app.js';

const tick = (ms = 40): Promise<void> => new Promise((r) => setTimeout(r, ms));
let cleanup: (() => void) | undefined;
afterEach(() => {
  cleanup?.();
  cleanup = undefined;
});

/** An engine whose add and tune never finish: the in-flight note must stay on screen. */
function busyIntents(): EngineIntents {
  const never = new Promise<never>(() => undefined);
  return { ...recordingIntents(), addBatch: () => never, tune: () => never };
}

function start() {
  const { r, press, frame } = renderApp({
    store: storeWith(fullState(50)),
    intents: busyIntents(),
    title: 't',
    defaultCount: 10,
    keyGapMs: 40,
  });
  cleanup = r.unmount;
  return { press, frame };
}

describe('in-flight notes', () => {
  it('"adding 10 clusters (auto)" shows while the batch is added', async () => {
    const t = start();
    await t.press('a', '\r');
    await tick(100);
    expect(t.frame()).toContain('adding 10 clusters (auto)');
  });

  it('"tuning … (waiting for the rollout)" shows while the rollout runs', async () => {
    const t = start();
    await t.press(':', ...'tune kcp concurrency=100', '\r');
    await tick(100);
    expect(t.frame()).toContain('tuning kcp: {"concurrency":100} (waiting for the rollout)');
  });
});
