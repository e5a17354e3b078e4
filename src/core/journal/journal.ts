// The append-only JSONL run journal (DESIGN.md §6). Each event is written with one
// synchronous append so that a SIGKILL leaves at most one torn last line, which the
// reader skips: resume must work from whatever reached the disk.
import { appendFileSync, closeSync, existsSync, mkdirSync, openSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { JournalEvent } from '../types.js';

export const JOURNAL_FILE = 'journal.jsonl';

export class Journal {
  private fd: number;

  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    this.fd = openSync(path, 'a', 0o600);
  }

  append(event: JournalEvent): void {
    if (this.fd < 0) return;
    appendFileSync(this.fd, `${JSON.stringify(event)}\n`);
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}

/** Reads a journal; a torn or garbled line (crash mid-write) is skipped, not fatal. */
export function readJournal(path: string): JournalEvent[] {
  if (!existsSync(path)) return [];
  const events: JournalEvent[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const parsed: unknown = JSON.parse(line);
      if (isEvent(parsed)) events.push(parsed);
    } catch {
      // torn final line after a kill
    }
  }
  return events;
}

function isEvent(v: unknown): v is JournalEvent {
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof (v as { type?: unknown }).type === 'string' &&
    typeof (v as { t?: unknown }).t === 'number'
  );
}

/** Run directories under stateDir/runs, oldest first (run ids sort by time). */
export function listRuns(stateDir: string): string[] {
  const dir = join(stateDir, 'runs');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((d) => existsSync(join(dir, d, JOURNAL_FILE)))
    .sort();
}

export function runJournalPath(stateDir: string, runId: string): string {
  return join(stateDir, 'runs', runId, JOURNAL_FILE);
}
