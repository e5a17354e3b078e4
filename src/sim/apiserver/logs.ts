// pods/log: text lines a provider appends per container, kept in a bounded ring, served with
// tailLines, sinceSeconds, timestamps and follow (new lines streamed to open followers).
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

export class LogStore {
  private readonly logs = new Map<string, ContainerLog>();

  private entry(ns: string, pod: string, container: string): ContainerLog {
    const k = `${ns}/${pod}/${container}`;
    let e = this.logs.get(k);
    if (!e) this.logs.set(k, (e = { lines: [], followers: new Set() }));
    return e;
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
    const e = this.entry(ns, pod, container);
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
    q.onClose(() => e.followers.delete(f));
  }
}
