// The pure key reducer, table-driven: a key sequence in, the view and the effects out.
// No Ink, no sleeps: what a key does is decided here, from the command table.
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/ui/model/commands.js';
import { buildKeymap } from '../../src/ui/model/keymap.js';
import { footerText, keyHelp } from '../../src/ui/model/keys.js';
import { type Effect, type KeyContext, keyContext } from '../../src/ui/model/reducer.js';
import { keyRunner } from '../support/keys.js';
import { fullState, NOW } from './fixtures.js';

const state = fullState(200);
const failedName = Object.values(state.clusters).find((c) => c.phase === 'failed')!.name;
const readyName = Object.values(state.clusters).find((c) => c.phase === 'ready')!.name;

/** Runs keys; a word in NAMED_KEYS (test/support/keys.ts) is that key, anything else types its characters. */
const run = keyRunner(state, NOW);

const intents = (effects: Effect[]) =>
  effects.filter((e) => e.type === 'intent').map((e) => (e as { intent: unknown }).intent);

describe('key reducer: keys in, view and effects out', () => {
  const cases: Array<{
    name: string;
    keys: string[];
    ctx?: Partial<KeyContext>;
    check: (r: ReturnType<typeof run>) => void;
  }> = [
    { name: '? opens help, esc closes it', keys: ['?'], check: (r) => expect(r.view.help).toBe(true) },
    { name: 'help then esc', keys: ['?', 'esc'], check: (r) => expect(r.view.help).toBe(false) },
    {
      name: 'a then enter adds the default count on auto',
      keys: ['a', 'enter'],
      check: (r) => expect(intents(r.effects)).toEqual([{ type: 'add', count: 10, backing: 'auto' }]),
    },
    { name: 'p pauses', keys: ['p'], check: (r) => expect(intents(r.effects)).toEqual([{ type: 'pause' }]) },
    { name: 'tab focuses controllers', keys: ['tab'], check: (r) => expect(r.view.focus).toBe('controllers') },
    { name: 'shift-tab goes back round', keys: ['shift-tab'], check: (r) => expect(r.view.focus).toBe('backing') },
    { name: '3 focuses throttling', keys: ['3'], check: (r) => expect(r.view.focus).toBe('throttling') },
    { name: 'j j k moves the cursor to 1', keys: ['j', 'j', 'k'], check: (r) => expect(r.view.clusterCursor).toBe(1) },
    { name: 'G goes to the last cluster', keys: ['G'], check: (r) => expect(r.view.clusterCursor).toBe(199) },
    {
      name: 'enter on a cluster opens its detail page and asks for its objects',
      keys: ['j', 'enter'],
      check: (r) => {
        expect(r.view.pages).toEqual([{ kind: 'detail', cluster: 'test-2', scroll: 0 }]);
        expect(r.effects).toEqual([{ type: 'describe', cluster: 'test-2' }]);
      },
    },
    {
      name: ':describe test-7 opens the detail page; esc returns',
      keys: [':', 'describe test-7', 'enter'],
      check: (r) => expect(r.view.pages.map((p) => p.kind === 'detail' && p.cluster)).toEqual(['test-7']),
    },
    {
      name: 'esc pops the detail page',
      keys: [':', 'describe test-7', 'enter', 'esc'],
      check: (r) => expect(r.view.pages).toEqual([]),
    },
    {
      name: 'd on the detail page deletes that cluster (asks first)',
      keys: [':', 'describe test-7', 'enter', 'd', 'enter'],
      check: (r) => expect(r.view.dialog).toMatchObject({ kind: 'confirm-delete', summary: 'test-7 (1 cluster)' }),
    },
    {
      name: 'r on the detail page of a failed cluster retries it',
      keys: [':', `describe ${failedName}`, 'enter', 'r'],
      check: (r) => expect(r.effects.at(-1)).toEqual({ type: 'retry', cluster: failedName }),
    },
    {
      name: 'r on the detail page of a ready cluster says there is nothing to retry',
      keys: [':', `describe ${readyName}`, 'enter', 'r'],
      check: (r) => {
        expect(r.effects.filter((e) => e.type === 'retry')).toEqual([]);
        expect(r.view.message?.text).toBe(`${readyName} has not failed: nothing to retry`);
      },
    },
    {
      name: 'x (farm API down) does nothing where the topology has no faults',
      keys: [':', 'describe test-8', 'enter', 'x'],
      check: (r) => expect(r.effects.filter((e) => e.type === 'fault')).toEqual([]),
    },
    {
      name: 'x takes the API down where the topology supports it',
      keys: [':', 'describe test-8', 'enter', 'x'],
      ctx: { faults: ['api-down', 'api-slow'] },
      check: (r) => expect(r.effects.at(-1)).toEqual({ type: 'fault', fault: 'api-down', cluster: 'test-8' }),
    },
    {
      name: 'l opens the log viewer following the engine log',
      keys: ['l'],
      check: (r) => expect(r.view.pages[0]).toMatchObject({ kind: 'log', source: 'engine', follow: true }),
    },
    {
      name: "the log viewer opens with the preferences file's log: settings",
      keys: ['l'],
      ctx: { logDefaults: { wrap: true, timestamps: false } },
      check: (r) => expect(r.view.pages[0]).toMatchObject({ wrap: true, timestamps: false }),
    },
    {
      name: 'in the log: w t f toggle wrap, timestamps, follow; 2 picks 5 minutes',
      keys: ['l', 'w', 't', 'f', '2'],
      check: (r) =>
        expect(r.view.pages[0]).toMatchObject({ wrap: true, timestamps: false, follow: false, sinceMs: 300_000 }),
    },
    {
      name: 'in the log: / types a filter, esc in it clears it',
      keys: ['l', '/', 'kcp', 'enter'],
      check: (r) => expect(r.view.pages[0]).toMatchObject({ filter: 'kcp' }),
    },
    {
      name: 'in the log: tab moves to the throttling tail',
      keys: ['l', 'tab'],
      check: (r) => expect(r.view.pages[0]).toMatchObject({ source: 'throttling' }),
    },
    {
      name: 'in the log: ctrl-s saves the shown lines',
      keys: ['l', 'tab', 'ctrl-s'],
      check: (r) =>
        expect(r.effects).toEqual([
          { type: 'save-log', source: 'throttling', lines: [expect.stringContaining('kcp waited 1040ms GET')] },
        ]),
    },
    {
      name: 's sorts the cluster list by the next column',
      keys: ['s'],
      check: (r) => expect(r.view.sort.clusters).toEqual({ column: 'phase', desc: false }),
    },
    { name: 'S reverses it', keys: ['S'], check: (r) => expect(r.view.sort.clusters.desc).toBe(true) },
    {
      name: ':sort age desc',
      keys: [':', 'sort age desc', 'enter'],
      check: (r) => expect(r.view.sort.clusters).toEqual({ column: 'age', desc: true }),
    },
    {
      name: ':sort on a column the table lacks says which exist',
      keys: [':', 'sort colour', 'enter'],
      check: (r) => expect(r.view.message?.text).toMatch(/clusters has no column colour: one of cluster, phase, age/),
    },
    { name: 'w toggles wide mode', keys: ['w'], check: (r) => expect(r.view.wide).toBe(true) },
    {
      name: ': history: up recalls the last command',
      keys: [':', 'sort age', 'enter', ':', 'wide', 'enter', ':', 'up', 'up'],
      check: (r) => expect(r.view.input?.text).toBe('sort age'),
    },
    {
      name: ': history: down after up returns to an empty line',
      keys: [':', 'wide', 'enter', ':', 'up', 'down'],
      check: (r) => expect(r.view.input?.text).toBe(''),
    },
    {
      name: 'tab completes a verb',
      keys: [':', 'desc', 'tab'],
      check: (r) => expect(r.view.input?.text).toBe('describe '),
    },
    {
      name: 'tab completes a cluster name',
      keys: [':', 'describe test-19', 'tab'],
      check: (r) => expect(r.view.input?.text).toBe('describe test-19'),
    },
    {
      name: 'tab with several choices lists them',
      keys: [':', 'describe test-19', 'tab', 'tab'],
      check: (r) => expect(r.view.message?.text).toMatch(/test-19 {2}test-190 {2}test-191/),
    },
    {
      name: 'tab completes a controller id',
      keys: [':', 'tune kc', 'tab'],
      check: (r) => expect(r.view.input?.text).toBe('tune kcp '),
    },
    {
      name: 'tab completes a backing name',
      keys: [':', 'create 5 backing-2', 'tab'],
      check: (r) => expect(r.view.input?.text).toBe('create 5 backing-2 '),
    },
    {
      name: 'q asks while a batch runs',
      keys: ['q'],
      check: (r) => expect(r.view.dialog).toEqual({ kind: 'confirm-quit' }),
    },
    { name: 'q on a page closes the page', keys: ['l', 'q'], check: (r) => expect(r.view.pages).toEqual([]) },
  ];
  it.each(cases)('$name', ({ keys, ctx, check }) => check(run(keys, ctx)));
});

describe('--read-only', () => {
  it.each([
    ['a', /read-only: a \(add a batch/],
    ['d', /read-only: d \(delete/],
    ['c', /read-only: c \(concurrency/],
    ['r', /read-only: r \(client QPS/],
    ['p', /read-only: p \(pause/],
  ])('%s is refused with a message and does nothing', (key, msg) => {
    const r = run([key], { readOnly: true });
    expect(r.effects).toEqual([]);
    expect(r.view.dialog).toBeUndefined();
    expect(r.view.message).toEqual({ level: 'error', text: expect.stringMatching(msg) });
  });

  it.each(['create 5', 'delete all', 'tune kcp qps=5 burst=5', 'pause', 'concurrency 3'])(':%s is refused', (cmd) => {
    const r = run([':', cmd, 'enter'], { readOnly: true });
    expect(r.effects).toEqual([]);
    expect(r.view.message?.text).toMatch(/^read-only: :\w+ changes clusters/);
  });

  it('hides those keys from help and the footer, and keeps the rest', () => {
    const ctx = keyContext(state, { readOnly: true });
    const keys = keyHelp('main', ctx).map((k) => k.keys);
    for (const k of ['a', 'd', 'c', 'r', 'p']) expect(keys).not.toContain(k);
    expect(keys).toContain('?');
    expect(footerText(200, 'main', ctx)).not.toMatch(/a:add|d:delete/);
  });
});

describe('key overrides', () => {
  it('a remapped key runs its command, shows in help, and the old key is free', () => {
    const keymap = buildKeymap(COMMANDS, { delete: ['x'] });
    const r = run(['x'], { keymap });
    expect(r.view.dialog).toMatchObject({ kind: 'delete' });
    expect(run(['d'], { keymap }).view.dialog).toBeUndefined();
    expect(keyHelp('main', keyContext(state, { keymap })).find((k) => k.action.startsWith('delete'))?.keys).toBe('x');
  });

  it('a key taken by an override leaves its default command', () => {
    const keymap = buildKeymap(COMMANDS, { pause: ['a'] });
    expect(intents(run(['a'], { keymap }).effects)).toEqual([{ type: 'pause' }]);
    expect(keyHelp('main', keyContext(state, { keymap })).some((k) => k.action.startsWith('add'))).toBe(false);
  });

  it('every command in the table is reachable by its default key in some scope', () => {
    const keymap = buildKeymap(COMMANDS);
    for (const c of COMMANDS)
      expect(
        c.scopes.some((s) => c.keys.some((k) => keymap.byKey[s].get(k) === c.command)),
        c.command,
      ).toBe(true);
  });
});
