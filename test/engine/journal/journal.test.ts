import { appendFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Journal, listRuns, readJournal, runJournalPath } from '../../../src/core/journal/journal.js';
import { replay } from '../../../src/core/journal/replay.js';
import type { JournalEvent } from '../../../src/core/types.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'journal-'));
  dirs.push(d);
  return d;
}

describe('journal', () => {
  it('appends JSON lines with private permissions and reads them back, skipping a torn last line', () => {
    const dir = tmp();
    const path = runJournalPath(dir, 'run-1');
    const j = new Journal(path);
    j.append({ t: 1, type: 'batch-start', batchId: 'b1', requested: 2, backing: 'auto' });
    j.append({ t: 2, type: 'allocated', cluster: 'test-1', number: 1, namespace: 'test-1', batchId: 'b1' });
    j.close();
    appendFileSync(path, '{"t":3,"type":"phase","clus'); // SIGKILL mid-write
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const events = readJournal(path);
    expect(events.map((e) => e.type)).toEqual(['batch-start', 'allocated']);
    expect(listRuns(dir)).toEqual(['run-1']);
  });

  it('replays allocations, phases, failures and deletions', () => {
    const ev: JournalEvent[] = [
      { t: 1, type: 'batch-start', batchId: 'b1', requested: 3, backing: 'auto' },
      { t: 2, type: 'allocated', cluster: 'test-1', number: 1, namespace: 'test-1', batchId: 'b1' },
      { t: 2, type: 'allocated', cluster: 'test-2', number: 2, namespace: 'test-2', batchId: 'b1', placement: 'b-a' },
      { t: 2, type: 'allocated', cluster: 'test-3', number: 3, namespace: 'test-3', batchId: 'b1' },
      { t: 3, type: 'phase', cluster: 'test-1', phase: 'objects' },
      { t: 4, type: 'phase', cluster: 'test-1', phase: 'ready' },
      { t: 5, type: 'phase', cluster: 'test-2', phase: 'failed', step: 'etcd-tenant', reason: 'boom' },
      { t: 6, type: 'phase', cluster: 'test-3', phase: 'deleting' },
      { t: 7, type: 'phase', cluster: 'test-1', phase: 'deleting' },
      { t: 8, type: 'phase', cluster: 'test-1', phase: 'deleted' },
    ];
    const s = replay(ev);
    expect([...s.clusters.keys()]).toEqual(['test-2', 'test-3']);
    expect(s.clusters.get('test-2')!.failure).toMatchObject({ step: 'etcd-tenant', reason: 'boom' });
    expect(s.clusters.get('test-2')!.placement).toBe('b-a');
    expect([...s.deleting]).toEqual(['test-3']);
    expect(s.maxNumber).toBe(3);
    expect(s.batches.get('b1')!.clusters).toEqual(['test-1', 'test-2', 'test-3']);
  });
});
