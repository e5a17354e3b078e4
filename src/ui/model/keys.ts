// Help rows and the footer, both read from the command table through the keymap in force
// (defaults + the user's overrides, minus what --read-only or the topology hides).
import { commandsIn } from './commands.js';
import type { Keymap, Scope } from './keymap.js';
import type { KeyContext } from './view-state.js';

export interface KeyHelp {
  keys: string;
  action: string;
  footer?: string;
}

type HelpContext = Pick<KeyContext, 'keymap' | 'readOnly' | 'faults'>;

/** One row per command usable in `scope`, with the keys bound to it now. */
export function keyHelp(scope: Scope, ctx: HelpContext): KeyHelp[] {
  const rows: KeyHelp[] = [];
  for (const c of commandsIn(scope, ctx)) {
    const keys = (ctx.keymap.keysOf.get(c.command) ?? []).filter((k) => ctx.keymap.byKey[scope].get(k) === c.command);
    if (keys.length === 0) continue;
    rows.push({ keys: keys.join(' '), action: c.help, footer: c.footer });
  }
  return rows;
}

/** "?:help a:add …" cut to what fits. */
export function footerText(width: number, scope: Scope, ctx: HelpContext): string {
  let out = '';
  for (const k of keyHelp(scope, ctx)) {
    if (!k.footer) continue;
    const item = `${k.keys.split(' ')[0]}:${k.footer}`;
    const next = out ? `${out}  ${item}` : item;
    if (next.length > width) break;
    out = next;
  }
  return out;
}

export type { Keymap };
