// Which clusters a selection means ("all", "last", "batch b-3", test-3..test-40, names):
// the one answer, used by the engine's delete and by the UI's confirm dialog, so what the
// dialog names is exactly what the engine deletes. Only clusters the store tracks count.
// The text forms (`test-3..test-40`, `last`) are parsed here too: parseSelectionText below.
import type { ClusterRecord, ClusterSelection } from '../core/types.js';
import type { ScaleState } from './store.js';

/** The clusters `sel` names, in cluster-number order. */
export function resolveSelection(s: Pick<ScaleState, 'batches' | 'clusters'>, sel: ClusterSelection): ClusterRecord[] {
  const all = Object.values(s.clusters).sort((a, b) => a.number - b.number);
  switch (sel.kind) {
    case 'all':
      return all;
    case 'names': {
      const wanted = new Set(sel.names);
      return all.filter((c) => wanted.has(c.name));
    }
    case 'range':
      return all.filter((c) => c.number >= sel.from && c.number <= sel.to);
    case 'batch':
      return all.filter((c) => c.batchId === sel.batchId);
    case 'last-batch': {
      // No batch yet (a fresh session that only adopted clusters) means nothing to delete.
      const last = s.batches.at(-1);
      return last ? all.filter((c) => c.batchId === last.id) : [];
    }
  }
}

// The text forms, parsed once for both faces: the TUI's `:delete`/dialog and the CLI's
// `--clusters`. Before, each had its own parser and they disagreed (the CLI took `3..40` only
// with its own prefix and no `last`; the dialog took an empty name list). The same text now
// means the same selection in both.

export type SelectionParse =
  /** `prefix`: the prefix a range was written with (test-1..test-9), for a check before deleting. */
  { ok: true; selection: ClusterSelection; prefix?: string } | { ok: false; error: string; fix: string };

export interface SelectionParseOptions {
  /** The run's naming prefix when known (the CLI's config): a range written with another is refused. */
  prefix?: string;
}

const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function clusterNumber(token: string): { n: number; prefix?: string } | undefined {
  const m = /^(?:([a-z0-9](?:[-a-z0-9]*[a-z0-9])?)-)?(\d+)$/.exec(token);
  return m ? { n: Number(m[2]), prefix: m[1] } : undefined;
}

/** all | last | batch ID | A..B (names or numbers) | name[,name...] */
export function parseSelectionText(text: string, opts: SelectionParseOptions = {}): SelectionParse {
  const t = text.trim();
  const p = opts.prefix ?? 'test';
  const fix = `Use all, last, batch ID, a range like ${p}-3..${p}-40, or names like ${p}-1,${p}-7.`;
  const fail = (error: string, why = fix): SelectionParse => ({ ok: false, error, fix: why });
  if (!t) return fail(`say what to delete: all, last, batch ID, a range like ${p}-1..${p}-50, or names`);
  if (t === 'all') return { ok: true, selection: { kind: 'all' } };
  if (t === 'last' || t === 'last-batch') return { ok: true, selection: { kind: 'last-batch' } };
  const batch = /^batch\s+(\S+)$/.exec(t);
  if (batch) return { ok: true, selection: { kind: 'batch', batchId: batch[1]! } };
  const range = /^(\S+)\s*\.\.\s*(\S+)$/.exec(t);
  if (range) {
    const from = clusterNumber(range[1]!);
    const to = clusterNumber(range[2]!);
    if (from === undefined || to === undefined)
      return fail(`"${t}" is not a range or a list of cluster names: write ${p}-1..${p}-50 or 1..50`);
    if (from.prefix && to.prefix && from.prefix !== to.prefix)
      return fail(`the range ${t} mixes prefixes ${from.prefix} and ${to.prefix}: use one`);
    const prefix = from.prefix ?? to.prefix;
    if (opts.prefix && prefix && prefix !== opts.prefix)
      return fail(
        `"${t}" is not a range or a list of this run's clusters: they are named ${opts.prefix}-N`,
        `Write the range with ${opts.prefix}-, e.g. ${opts.prefix}-${Math.min(from.n, to.n)}..${opts.prefix}-${Math.max(from.n, to.n)}.`,
      );
    if (to.n < from.n)
      return fail(
        `the range ${t} ends before it starts: write the smaller number first`,
        `Write the lower number first, e.g. ${prefix ?? p}-${to.n}..${prefix ?? p}-${from.n}.`,
      );
    return { ok: true, selection: { kind: 'range', from: from.n, to: to.n }, ...(prefix ? { prefix } : {}) };
  }
  const names = t.split(/[\s,]+/).filter(Boolean);
  if (names.length === 0) return fail(`"${t}" is not a range or a list of cluster names`);
  const bad = names.find((n) => !NAME.test(n));
  if (bad) return fail(`"${bad}" is not a cluster name: use lowercase names like ${p}-7, or a range ${p}-1..${p}-50`);
  return { ok: true, selection: { kind: 'names', names } };
}
