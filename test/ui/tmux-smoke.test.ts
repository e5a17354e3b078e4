// The real binary in a real terminal: `scale-tui demo` under tmux, driven by keys, read
// with capture-pane. Clusters become ready, and a tune dialog patches a Deployment (the
// pane shows the new flags after the rollout).
import { execFileSync, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePortBlock } from '../support/ports.js';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const session = `scale-tui-smoke-${process.pid}`;
const root = resolve(import.meta.dirname, '..', '..');
const tmux = (...args: string[]): string => execFileSync('tmux', args, { encoding: 'utf8' });
// After a quit the session may already be gone: an empty screen then.
const screen = (): string => {
  const r = spawnSync('tmux', ['capture-pane', '-p', '-t', session], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout : '';
};

async function waitFor(pred: (s: string) => boolean, what: string, ms: number): Promise<string> {
  const end = Date.now() + ms;
  let s = '';
  while (Date.now() < end) {
    s = screen();
    if (pred(s)) return s;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`timed out waiting for ${what}; screen:\n${s}`);
}

// Keys one at a time, as a person types them.
async function type(...keys: string[]): Promise<void> {
  for (const k of keys) {
    tmux('send-keys', '-t', session, k);
    await new Promise((r) => setTimeout(r, 80));
  }
}

describe.skipIf(!hasTmux)('scale-tui demo under tmux', () => {
  afterAll(() => {
    spawnSync('tmux', ['kill-session', '-t', session]);
  });

  it('adds a batch that becomes ready, and tunes kcp through the c dialog', async () => {
    const port = await freePortBlock(20, 'nodeport');
    tmux(
      'new-session',
      '-d',
      '-s',
      session,
      '-x',
      '140',
      '-y',
      '45',
      '-c',
      root,
      `node bin/scale-tui.js demo --node-port-base ${port}`,
    );
    await waitFor(
      (s) => s.includes('no batch yet') && /kcp +\S+/.test(s),
      'the demo to start and the controllers to be read',
      90_000,
    );

    await type('a');
    await waitFor((s) => s.includes('Add a batch'), 'the add dialog', 10_000);
    await type('BSpace', 'BSpace', '6', 'Enter');
    const ready = await waitFor((s) => /6\/6 ready/.test(s), 'six clusters ready', 150_000);
    // The frame sits at the top, once: no stale row above it, and the last row is empty
    // (a frame drawn one row low leaves an old header on row 1).
    const rows = ready.split('\n');
    expect(rows[0]).toMatch(/^scale-tui demo \(simulated\) .* up /);
    expect(ready.match(/scale-tui demo \(simulated\)/g)).toHaveLength(1);
    expect(rows[44] ?? '').toBe('');

    await type('2', 'Down', 'Down', 'c');
    const dialog = await waitFor((s) => s.includes('Concurrency of kcp'), 'the concurrency dialog', 10_000);
    expect(dialog).toMatch(/--kubeadmcontrolplane-concurrency=/);
    await type('BSpace', 'BSpace', 'BSpace', '7', '7', 'Enter');
    await waitFor((s) => /kcp: new flags rolled out/.test(s), 'the rollout', 90_000);
    await waitFor((s) => /kubeadmcontrolplane=77/.test(s), 'the new flag in the controllers pane', 30_000);

    await type('q');
    await waitFor((s) => !s.includes('Creation progress'), 'the UI to quit', 30_000);
  }, 400_000);
});
