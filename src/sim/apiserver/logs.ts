// pods/log: text lines a provider appends per container, kept in a bounded ring, served with
// tailLines, sinceSeconds, timestamps and follow (new lines streamed to open followers).
// The logs of a pod go with the pod: given `podExists`, entries of pods that are gone (deleted,
// or replaced by a rollout under a new name) are swept, amortized over new entries and by
// sweep(); a 1000-cluster churn would otherwise keep 5,000 lines for every pod ever seen.
import type { ServerResponse } from 'node:http';

interface Line {
  at: number;
  text: string;
}

interface ContainerLog {
  lines: Line[];
  followers: Set<(l: Line) => void>;
}

const MAX_LINES = 5000;

export interface LogStoreOptions {
  /** Whether the pod still exists; without it nothing is swept (a store with no object view). */
  podExists?: (namespace: string, pod: string) => boolean;
}

export class LogStore {
  private readonly logs = new Map<string, ContainerLog>();
  private createdSinceSweep = 0;

  constructor(private readonly opts: LogStoreOptions = {}) {}

  /** Containers with an entry (lines or followers): what the leak tests watch. */
  get size(): number {
    return this.logs.size;
  }

  private entry(ns: string, pod: string, container: string): ContainerLog {
    const k = `${ns}/${pod}/${container}`;
    let e = this.logs.get(k);
    if (!e) {
      e = { lines: [], followers: new Set() };
      this.logs.set(k, e);
      // Amortized: a sweep costs O(entries) and runs once per (entries / 2) new ones.
      if (++this.createdSinceSweep >= Math.max(64, this.logs.size / 2)) this.sweep();
    }
    return e;
  }

  /** Drops the logs of pods that no longer exist, unless someone still follows them. */
  sweep(): void {
    this.createdSinceSweep = 0;
    const exists = this.opts.podExists;
    if (!exists) return;
    for (const [k, e] of this.logs) {
      if (e.followers.size > 0) continue;
      const [ns, pod] = k.split('/', 2) as [string, string];
      if (!exists(ns, pod)) this.logs.delete(k);
    }
  }

  append(ns: string, pod: string, container: string, text: string): void {
    const e = this.entry(ns, pod, container);
    const line = { at: Date.now(), text: text.endsWith('\n') ? text.slice(0, -1) : text };
    e.lines.push(line);
    if (e.lines.length > MAX_LINES * 1.25) e.lines = e.lines.slice(-MAX_LINES);
    for (const f of e.followers) f(line);
  }

  containersWithLogs(ns: string, pod: string): string[] {
    const prefix = `${ns}/${pod}/`;
    return [...this.logs.keys()].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length));
  }

  serve(
    res: ServerResponse,
    ns: string,
    pod: string,
    container: string,
    q: {
      follow: boolean;
      tailLines?: number;
      sinceSeconds?: number;
      timestamps: boolean;
      onClose: (fn: () => void) => void;
    },
  ): void {
    // Reading never creates an entry (a GET for any name would otherwise leave one behind);
    // only a follower needs one to wait on.
    const k = `${ns}/${pod}/${container}`;
    const e = this.logs.get(k) ?? (q.follow ? this.entry(ns, pod, container) : { lines: [], followers: new Set() });
    let lines = e.lines;
    if (q.sinceSeconds !== undefined) {
      const from = Date.now() - q.sinceSeconds * 1000;
      lines = lines.filter((l) => l.at >= from);
    }
    if (q.tailLines !== undefined) lines = q.tailLines === 0 ? [] : lines.slice(-q.tailLines);
    const fmt = (l: Line): string => (q.timestamps ? `${new Date(l.at).toISOString()} ${l.text}\n` : `${l.text}\n`);
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.write(lines.map(fmt).join(''));
    if (!q.follow) {
      res.end();
      return;
    }
    const f = (l: Line): void => {
      res.write(fmt(l));
    };
    e.followers.add(f);
    q.onClose(() => {
      e.followers.delete(f);
      if (e.followers.size === 0 && e.lines.length === 0 && this.logs.get(k) === e) this.logs.delete(k);
    });
  }
}
