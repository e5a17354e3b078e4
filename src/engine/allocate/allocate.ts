// Cluster numbers, names and placement are chosen by the engine (the seed needed a
// hand-given start index and collided across backing clusters and reruns).
import { UserError } from '../../core/errors.js';

export interface PlacementTarget {
  name: string;
  capacity: number;
  /** Clusters already placed there (from the API servers and the journal). */
  used: number;
}

export interface Allocation {
  number: number;
  name: string;
  placement?: string;
}

/**
 * The numbers in use: every name `<prefix>-N` seen anywhere (journal, namespaces in the
 * management and backing clusters, labelled or not), so a rerun never reuses a number
 * and never adopts a user's own namespace that happens to be called `test-3`.
 */
export function usedNumbers(prefix: string, names: Iterable<string>): Set<number> {
  const re = new RegExp(`^${prefix.replace(/[-]/g, '\\-')}-(\\d+)$`);
  const used = new Set<number>();
  for (const n of names) {
    const m = re.exec(n);
    if (m) used.add(Number(m[1]));
  }
  return used;
}

/**
 * Allocates `count` fresh numbers above every number ever used (never filling gaps, so a
 * number identifies one cluster for the run's lifetime) and places each on the target
 * with the most free capacity. `only` pins placement to one target.
 */
export function allocate(opts: {
  prefix: string;
  count: number;
  used: Set<number>;
  /** Highest number the journal ever handed out (deleted clusters included). */
  floor?: number;
  targets?: PlacementTarget[];
  only?: string;
  /** Upper bound on N (port scheme basePort+N must stay valid). */
  maxNumber?: number;
}): Allocation[] {
  const { prefix, count } = opts;
  let next = Math.max(opts.floor ?? 0, ...opts.used, 0) + 1;
  const maxNumber = opts.maxNumber ?? Number.MAX_SAFE_INTEGER;
  if (next + count - 1 > maxNumber) {
    throw new UserError(
      `allocating ${count} clusters would need number ${next + count - 1}, above the limit ${maxNumber} of the endpoint port range`,
      'Lower endpoint.basePort in the config, or delete old clusters and start a new state directory.',
    );
  }
  const targets = opts.targets?.map((t) => ({ ...t }));
  if (targets && opts.only !== undefined && opts.only !== 'auto') {
    const t = targets.find((x) => x.name === opts.only);
    if (!t) {
      throw new UserError(
        `backing cluster "${opts.only}" is not registered`,
        `Use one of: ${targets.map((x) => x.name).join(', ') || '(none registered; run `scale-tui backing add`)'} or "auto".`,
      );
    }
    if (t.capacity - t.used < count) {
      throw new UserError(
        `backing cluster "${t.name}" has room for ${Math.max(0, t.capacity - t.used)} more clusters, ${count} requested`,
        'Request fewer clusters, use --backing auto, or raise its capacity in the config.',
      );
    }
  }
  if (targets) {
    const free = targets.reduce((s, t) => s + Math.max(0, t.capacity - t.used), 0);
    if (free < count) {
      throw new UserError(
        `the backing clusters have room for ${free} more clusters, ${count} requested`,
        'Register another backing cluster, raise capacities in the config, or request fewer.',
      );
    }
  }
  const out: Allocation[] = [];
  for (let i = 0; i < count; i++) {
    const number = next++;
    let placement: string | undefined;
    if (targets) {
      const pool = opts.only && opts.only !== 'auto' ? targets.filter((t) => t.name === opts.only) : targets;
      // Most free room first; ties by name so placement is deterministic.
      const best = pool
        .filter((t) => t.capacity > t.used)
        .sort((a, b) => b.capacity - b.used - (a.capacity - a.used) || a.name.localeCompare(b.name))[0];
      if (!best)
        throw new UserError(
          'no backing cluster has free capacity',
          'Register another backing cluster or raise capacities.',
        );
      best.used++;
      placement = best.name;
    }
    out.push({ number, name: `${prefix}-${number}`, placement });
  }
  return out;
}
