// Done-when for the diagnosis UI, on the real binary in a real terminal: under tmux on the
// demo, `:create 5`, then `:describe test-1` shows the object tree (KubeadmControlPlane,
// Metal3Machine, BareMetalHost) with their conditions; the log viewer scrolls and filters.
// Then `demo --read-only` refuses a, d, c and r, and a key remapped in the preferences
// file works and shows in `?`.
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePortBlock } from '../support/ports.js';

const hasTmux = spawnSync('tmux', ['-V']).status === 0;
const root = resolve(import.meta.dirname, '..', '..');
const sessions: string[] = [];
const dirs: string[] = [];
const children: ChildProcess[] = [];

function tmuxSession(name: string, cmd: string, env: Record<string, string> = {}): Tmux {
  const session = `scale-tui-${name}-${process.pid}`;
  sessions.push(session);
  const envArgs = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  execFileSync('tmux', ['new-session', '-d', '-s', session, '-x', '160', '-y', '50', '-c', root, ...envArgs, cmd]);
  return new Tmux(session);
}

class Tmux {
  constructor(readonly session: string) {}
  screen(): string {
    const r = spawnSync('tmux', ['capture-pane', '-p', '-t', this.session], { encoding: 'utf8' });
    return r.status === 0 ? r.stdout : '';
  }
  async waitFor(pred: (s: string) => boolean, what: string, ms: number): Promise<string> {
    const end = Date.now() + ms;
    let s = '';
    while (Date.now() < end) {
      s = this.screen();
      if (pred(s)) return s;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`timed out waiting for ${what}; screen:\n${s}`);
  }
  /** Keys one at a time, as a person types them; a plain word is typed letter by letter. */
  async type(...keys: string[]): Promise<void> {
    const named = new Set(['Enter', 'Escape', 'Up', 'Down', 'PageUp', 'PageDown', 'Tab', 'BSpace', 'Space']);
    for (const k of keys) {
      for (const part of named.has(k) ? [k] : [...k]) {
        execFileSync('tmux', ['send-keys', '-t', this.session, ...(named.has(part) ? [part] : ['-l', part])]);
        await new Promise((r) => setTimeout(r, 60));
      }
    }
  }
}

afterAll(() => {
  for (const s of sessions) spawnSync('tmux', ['kill-session', '-t', s]);
  for (const c of children) c.kill();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const started = (s: string): boolean => s.includes('no batch yet') && /kcp +\S+/.test(s);

describe.skipIf(!hasTmux)('diagnosis UI under tmux on the demo', () => {
  it(':create 5, then :describe test-1 shows the object tree with conditions; the log viewer scrolls and filters', async () => {
    const port = await freePortBlock(10, 'nodeport');
    const prefs = mkdtempSync(join(tmpdir(), 'tui-prefs-'));
    dirs.push(prefs);
    const t = tmuxSession('detail', `node bin/scale-tui.js demo --node-port-base ${port}`, {
      SCALE_TUI_CONFIG_DIR: prefs,
    });
    await t.waitFor(started, 'the demo to start and the controllers to be read', 90_000);

    await t.type(':', 'create 5', 'Enter');
    await t.waitFor((s) => /5\/5 ready/.test(s), 'five clusters ready', 150_000);

    await t.type(':', 'describe test-1', 'Enter');
    const detail = await t.waitFor(
      (s) => s.includes('BareMetalHost/') && s.includes('Metal3Machine/') && s.includes('KubeadmControlPlane/'),
      'the object tree',
      30_000,
    );
    expect(detail).toMatch(/Cluster test-1 +ready/);
    expect(detail).toMatch(/endpoint 127\.0\.0\.1:\d+ +answers/);
    expect(detail).toMatch(/^Cluster\/test-1 +Provisioned/m);
    // Conditions under each object: type, status, reason.
    expect(detail).toMatch(/└─KubeadmControlPlane\/test-1[\s\S]*?│ +Available +True +Available/);
    expect(detail).toMatch(/└─Metal3Machine\/\S+[\s\S]*?AssociateBareMetalHost +True +AssociateBareMetalHostSuccess/);
    expect(detail).toMatch(/BareMetalHost\/\S+ +provisioned/);
    // Further down: the host's state rows, phase timings, log lines naming the namespace.
    await t.type('PageDown', 'PageDown', 'PageDown');
    const lower = await t.waitFor((s) => s.includes('Phase timings'), 'the lower sections', 10_000);
    expect(lower).toMatch(/operationalStatus +OK/);
    expect(lower).toMatch(/poweredOn +True/);
    expect(lower).toMatch(/queued \+0s .* ready \+\d/);
    expect(lower).toMatch(/batch \S+: 5 clusters queued \(test-1\.\.test-5\)/);

    // esc returns to the main screen; l opens the log viewer, which scrolls and filters.
    await t.type('Escape');
    await t.waitFor((s) => s.includes('Creation progress'), 'the main screen again', 10_000);
    // A 40x11 terminal leaves the log viewer 6 rows; with wrap on, the 3 lines take 7 or more:
    // enough to scroll.
    execFileSync('tmux', ['resize-window', '-t', t.session, '-x', '40', '-y', '11']);
    await t.type('l');
    await t.waitFor((s) => s.includes(' Engine log ') && s.includes('● live'), 'the log viewer', 10_000);
    await t.type('w');
    const wrapped = await t.waitFor((s) => /Engine log +follow +wrap/.test(s), 'wrap on', 10_000);
    expect(wrapped.split('\n').slice(2, 8).join('\n')).not.toContain('…');
    await t.type('k');
    const scrolled = await t.waitFor((s) => s.includes('not at the live end'), 'the scroll marker', 10_000);
    expect(scrolled).toMatch(/⏸ not at the live end: 1 newer/);
    expect(scrolled).toMatch(/\d\d:\d\d:\d\d demo: embedded/);
    const stampedAt = (s: string) => s.split('\n').filter((l) => /^\d\d:\d\d:\d\d /.test(l));
    expect(stampedAt(scrolled)).toHaveLength(2);
    await t.type('G', '/', 'queued', 'Enter');
    const filtered = await t.waitFor(
      (s) => s.includes('● live') && !s.includes('demo: embedded') && stampedAt(s).length === 1,
      'the filter',
      10_000,
    );
    expect(stampedAt(filtered)[0]).toMatch(/^\d\d:\d\d:\d\d batch \S+: 5 clusters/);
    execFileSync('tmux', ['resize-window', '-t', t.session, '-x', '160', '-y', '50']);
    await t.type('Escape', 'q');
    await t.waitFor((s) => !s.includes('Creation progress'), 'the UI to quit', 60_000);
  }, 400_000);

  it('demo --read-only refuses a, d, c and r with a message; a key remapped in config.yaml works and shows in ?', async () => {
    const port = await freePortBlock(5, 'nodeport');
    const prefs = mkdtempSync(join(tmpdir(), 'tui-prefs-'));
    dirs.push(prefs);
    writeFileSync(join(prefs, 'config.yaml'), 'keys:\n  log: L\n');
    const t = tmuxSession('readonly', `node bin/scale-tui.js demo --read-only --node-port-base ${port}`, {
      SCALE_TUI_CONFIG_DIR: prefs,
    });
    await t.waitFor(started, 'the demo to start', 90_000);
    expect(t.screen()).toContain('[read-only]');
    for (const [key, what] of [
      ['a', 'add a batch'],
      ['d', 'delete'],
      ['c', 'concurrency flags'],
      ['r', 'client QPS and burst'],
    ] as const) {
      await t.type(key);
      const s = await t.waitFor((x) => x.includes(`read-only: ${key} (${what}`), `the refusal of ${key}`, 10_000);
      expect(s).not.toMatch(/Add a batch|Delete clusters|Concurrency of|Client rate limits/);
    }
    await t.type(':', 'create 5', 'Enter');
    await t.waitFor((s) => s.includes('read-only: :add changes clusters'), 'the refusal of :create', 10_000);

    // The remapped key: L opens the log viewer, l no longer does, and ? lists L for it.
    await t.type('l');
    await new Promise((r) => setTimeout(r, 500));
    expect(t.screen()).not.toContain(' Engine log ');
    await t.type('L');
    await t.waitFor((s) => s.includes(' Engine log '), 'L to open the log viewer', 10_000);
    await t.type('Escape', '?');
    const help = await t.waitFor((s) => s.includes(' Keys (main screen) '), 'the help', 10_000);
    expect(help).toMatch(/^L +log viewer/m);
    expect(help).not.toMatch(/^a +add a batch/m);
    await t.type('Escape', 'q');
    await t.waitFor((s) => !s.includes('Creation progress'), 'the UI to quit', 60_000);
  }, 300_000);

  it('ui --read-only on a management cluster refuses a, d, c and r with a message', async () => {
    // The embedded API server with the pinned CRDs stands in for kind's management cluster.
    const dir = mkdtempSync(join(tmpdir(), 'tui-ro-'));
    dirs.push(dir);
    const port = await freePortBlock(1, 'plain');
    const crds = ['cluster-api', 'cluster-api-provider-metal3', 'baremetal-operator'].flatMap((d) => [
      '--crds',
      resolve(root, '..', 'shared', 'crds', d),
    ]);
    const kubeconfig = join(dir, 'kubeconfig');
    const api = spawn(
      process.execPath,
      [
        'bin/scale-tui.js',
        'sim',
        'apiserver',
        '--listen',
        `127.0.0.1:${port}`,
        ...crds,
        '--kubeconfig-out',
        kubeconfig,
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    children.push(api);
    await new Promise<void>((ok, fail) => {
      api.stdout!.on('data', (b: Buffer) => b.toString().includes('listening') && ok());
      api.once('exit', (code) => fail(new Error(`sim apiserver exited ${code}`)));
    });
    const t = tmuxSession(
      'ui-readonly',
      `node bin/scale-tui.js ui --read-only --kubeconfig ${kubeconfig} --state-dir ${join(dir, 'state')}`,
      { SCALE_TUI_CONFIG_DIR: dir },
    );
    const first = await t.waitFor((s) => s.includes('[read-only]') && s.includes('no batch yet'), 'the UI', 90_000);
    expect(first).not.toContain('press a to add one');
    for (const [key, what] of [
      ['a', 'add a batch'],
      ['d', 'delete'],
      ['c', 'concurrency flags of the selected controller'],
      ['r', 'client QPS and burst of the selected controller'],
    ] as const) {
      await t.type(key);
      await t.waitFor(
        (x) => x.includes(`read-only: ${key} (${what}) changes clusters`),
        `the refusal of ${key}`,
        10_000,
      );
    }
    await t.type('q');
    await t.waitFor((s) => !s.includes('Creation progress'), 'the UI to quit', 60_000);
  }, 200_000);
});
