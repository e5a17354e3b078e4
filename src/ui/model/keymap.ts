// Key names and the keymap: which key runs which command in which scope. Built from the
// command table's defaults plus the user's overrides (config.yaml `keys:`), so dispatch,
// the footer and `?` help all read the same bindings and cannot drift.

/** The scopes a key can mean something different in (k9s: per view). */
export type Scope = 'main' | 'detail' | 'log';

export interface Binding {
  command: string;
  keys: string[];
  scopes: Scope[];
}

export interface Keymap {
  /** scope -> key name -> command id */
  byKey: Record<Scope, Map<string, string>>;
  /** command id -> its keys (after overrides), for help and the footer */
  keysOf: Map<string, string[]>;
}

/** Ink's key object, the fields a key name is made of. */
export interface KeyFlags {
  upArrow?: boolean;
  downArrow?: boolean;
  leftArrow?: boolean;
  rightArrow?: boolean;
  pageUp?: boolean;
  pageDown?: boolean;
  return?: boolean;
  escape?: boolean;
  tab?: boolean;
  shift?: boolean;
  ctrl?: boolean;
}

/** One name per key press: 'a', 'G', 'enter', 'esc', 'shift-tab', 'up', 'pgdn', 'ctrl-s'. */
export function keyName(input: string, key: KeyFlags): string {
  if (key.upArrow) return 'up';
  if (key.downArrow) return 'down';
  if (key.leftArrow) return 'left';
  if (key.rightArrow) return 'right';
  if (key.pageUp) return 'pgup';
  if (key.pageDown) return 'pgdn';
  if (key.return) return 'enter';
  if (key.escape) return 'esc';
  if (key.tab) return key.shift ? 'shift-tab' : 'tab';
  if (key.ctrl && input) return `ctrl-${input.toLowerCase()}`;
  return input;
}

/** Key names a user may bind: one printable character, or a named key. */
export const NAMED_KEYS = ['enter', 'esc', 'tab', 'shift-tab', 'up', 'down', 'left', 'right', 'pgup', 'pgdn'];
export function isKeyName(k: string): boolean {
  return /^[!-~]$/.test(k) || NAMED_KEYS.includes(k) || /^ctrl-[a-z]$/.test(k);
}

/**
 * Defaults with overrides applied. An override replaces a command's keys in every scope it
 * has; a key an override takes is taken away from the command that had it by default there,
 * so one key never means two things.
 */
export function buildKeymap(defaults: Binding[], overrides: Record<string, string[]> = {}): Keymap {
  const byKey: Record<Scope, Map<string, string>> = { main: new Map(), detail: new Map(), log: new Map() };
  const keysOf = new Map<string, string[]>();
  for (const b of defaults) keysOf.set(b.command, overrides[b.command] ?? b.keys);
  // Defaults first, overridden commands last, so their keys win any clash.
  const ordered = [...defaults.filter((b) => !overrides[b.command]), ...defaults.filter((b) => overrides[b.command])];
  for (const b of ordered) {
    for (const s of b.scopes) for (const k of keysOf.get(b.command) ?? []) byKey[s].set(k, b.command);
  }
  // A default key lost to an override no longer shows for its old command.
  for (const b of defaults) {
    const kept = (keysOf.get(b.command) ?? []).filter((k) => b.scopes.some((s) => byKey[s].get(k) === b.command));
    keysOf.set(b.command, kept);
  }
  return { byKey, keysOf };
}
