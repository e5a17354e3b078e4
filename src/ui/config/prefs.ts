// UI preferences and key overrides from $XDG_CONFIG_HOME/scale-tui/config.yaml, checked
// with zod entry by entry: a bad entry gives one message naming it and how to fix it, and
// its default stays in force; the good entries still apply (a typo in one key binding
// must not cost the user the rest of their file).
//
//   theme: light                # dark (default) or light
//   keys:                       # command id -> key or keys (see `?` for the ids' actions)
//     delete: x
//     add: [a, "+"]
//   log: { wrap: true, timestamps: false, controllerLines: 5000 }   # lines kept per controller log
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { COMMAND_BY_ID } from '../model/commands.js';
import { isKeyName, NAMED_KEYS } from '../model/keymap.js';
import { CONTROLLER_LOG_LIMIT } from '../../state/store.js';
import { uiConfigPath } from './paths.js';

export interface UiPrefs {
  theme: 'dark' | 'light';
  keys: Record<string, string[]>;
  log: { wrap: boolean; timestamps: boolean; controllerLines: number };
}

export const defaultPrefs = (): UiPrefs => ({
  theme: 'dark',
  keys: {},
  log: { wrap: false, timestamps: true, controllerLines: CONTROLLER_LOG_LIMIT },
});

/** Per controller, in the store: 100 keeps a screenful; 100,000 lines x 10 controllers is ~200 MB, the ceiling. */
export const CONTROLLER_LINES_RANGE = { min: 100, max: 100_000 };

export interface LoadedPrefs {
  prefs: UiPrefs;
  path: string;
  /** One line per bad entry: what is wrong and how to fix it. */
  problems: string[];
  found: boolean;
}

const Theme = z.enum(['dark', 'light']);
const KeyList = z.union([z.string(), z.array(z.string()).min(1)]);
const Log = z
  .object({
    wrap: z.boolean().optional(),
    timestamps: z.boolean().optional(),
    controllerLines: z.number().int().min(CONTROLLER_LINES_RANGE.min).max(CONTROLLER_LINES_RANGE.max).optional(),
  })
  .strict();
const KNOWN = ['theme', 'keys', 'log'];

const zodText = (e: z.ZodError): string =>
  e.issues.map((i) => `${i.path.join('.') || 'value'}: ${i.message}`).join('; ');

export function parsePrefs(text: string, path = 'config.yaml'): { prefs: UiPrefs; problems: string[] } {
  const prefs = defaultPrefs();
  const problems: string[] = [];
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    return {
      prefs,
      problems: [`${path}: not YAML (${(err as Error).message.split('\n')[0]}); fix the file or remove it`],
    };
  }
  if (doc === null || doc === undefined) return { prefs, problems };
  if (typeof doc !== 'object' || Array.isArray(doc))
    return {
      prefs,
      problems: [
        `${path}: expected a mapping (theme:, keys:, log:), got ${Array.isArray(doc) ? 'a list' : typeof doc}`,
      ],
    };
  const o = doc as Record<string, unknown>;
  for (const k of Object.keys(o))
    if (!KNOWN.includes(k)) problems.push(`${path}: unknown setting "${k}": use one of ${KNOWN.join(', ')}`);
  if (o.theme !== undefined) {
    const t = Theme.safeParse(o.theme);
    if (t.success) prefs.theme = t.data;
    else problems.push(`${path}: theme "${String(o.theme)}" is not dark or light; the dark theme stays`);
  }
  if (o.log !== undefined) {
    const l = Log.safeParse(o.log);
    if (l.success) prefs.log = { ...prefs.log, ...l.data };
    else problems.push(`${path}: log: ${zodText(l.error)}; e.g. log: { wrap: true, timestamps: false }`);
  }
  if (o.keys !== undefined) {
    if (typeof o.keys !== 'object' || o.keys === null || Array.isArray(o.keys))
      problems.push(`${path}: keys must map a command to a key, e.g. keys: { delete: x }`);
    else
      for (const [id, value] of Object.entries(o.keys)) {
        if (!COMMAND_BY_ID.has(id)) {
          problems.push(`${path}: keys.${id}: no such command; the ids are listed by \`scale-tui info\``);
          continue;
        }
        const parsed = KeyList.safeParse(value);
        if (!parsed.success) {
          problems.push(`${path}: keys.${id}: ${zodText(parsed.error)}; write a key like x or a list [x, y]`);
          continue;
        }
        const keys = typeof parsed.data === 'string' ? [parsed.data] : parsed.data;
        const bad = keys.find((k) => !isKeyName(k));
        if (bad !== undefined) {
          problems.push(
            `${path}: keys.${id}: "${bad}" is not a key; use one character, ctrl-X, or one of ${NAMED_KEYS.join(', ')}; its default stays`,
          );
          continue;
        }
        prefs.keys[id] = keys;
      }
  }
  return { prefs, problems };
}

export function loadPrefs(path = uiConfigPath()): LoadedPrefs {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { prefs: defaultPrefs(), path, problems: [], found: false };
    return {
      prefs: defaultPrefs(),
      path,
      problems: [`${path}: cannot read it (${code ?? String(err)})`],
      found: false,
    };
  }
  return { ...parsePrefs(text, path), path, found: true };
}
