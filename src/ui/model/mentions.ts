// The detail page's "log lines that mention the namespace": the engine log and every
// controller's full pod log, whole-name matches only. The page redraws every few hundred
// ms while buffers hold thousands of lines each, so each buffer's matches are kept per
// (buffer identity, namespace): a frame rescans only buffers that changed since.
import type { ControllerLogLine, ScaleState } from '../../state/store.js';

export interface Mention {
  t: number;
  text: string;
}

/** Whole names only: test-1 must not pick up test-10's lines (names are [a-z0-9-]). */
export function mentionsName(text: string, name: string): boolean {
  for (let i = text.indexOf(name); i >= 0; i = text.indexOf(name, i + 1)) {
    const before = text[i - 1];
    const after = text[i + name.length];
    const part = (ch: string | undefined): boolean => ch !== undefined && /[a-z0-9-]/.test(ch);
    if (!part(before) && !part(after)) return true;
  }
  return false;
}

const cache = new WeakMap<object, { ns: string; found: Mention[] }>();

function matches<T>(buffer: readonly T[], ns: string, test: (x: T) => Mention | undefined): Mention[] {
  const hit = cache.get(buffer);
  if (hit && hit.ns === ns) return hit.found;
  const found: Mention[] = [];
  for (const x of buffer) {
    const m = test(x);
    if (m) found.push(m);
  }
  cache.set(buffer, { ns, found });
  return found;
}

const controllerMention =
  (id: string, ns: string) =>
  (l: ControllerLogLine): Mention | undefined =>
    mentionsName(l.text, ns) ? { t: l.t, text: `${id}: ${l.text}` } : undefined;

/** The newest `limit` lines, oldest first, that mention `ns`. */
export function namespaceMentions(state: ScaleState, ns: string, limit = 50): Mention[] {
  const all: Mention[] = [
    ...matches(state.log, ns, (l) => (mentionsName(l.message, ns) ? { t: l.t, text: l.message } : undefined)),
  ];
  for (const [id, lines] of Object.entries(state.controllerLogs))
    all.push(...matches(lines, ns, controllerMention(id, ns)));
  // Controllers whose full log is not followed still count through their throttling lines.
  const tailOnly = state.throttling.recent.filter((t) => !(t.controller in state.controllerLogs));
  for (const t of tailOnly)
    if (mentionsName(t.raw, ns) || t.path.includes(`/${ns}/`))
      all.push({ t: t.t, text: t.raw || `${t.controller} ${t.verb} ${t.path}` });
  return all.sort((a, b) => a.t - b.t).slice(-limit);
}
