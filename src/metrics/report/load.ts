// Finding a run's journal in the state dir, with errors that name the runs there are.
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { listRuns, readJournal, runJournalPath } from '../../core/journal/journal.js';
import { UserError } from '../../core/errors.js';
import type { JournalEvent } from '../../core/types.js';

export interface LoadedRun {
  runId: string;
  dir: string;
  events: JournalEvent[];
}

export function loadRun(stateDir: string, runId?: string): LoadedRun {
  const runs = listRuns(stateDir);
  if (runs.length === 0) {
    throw new UserError(
      `no runs in ${stateDir}`,
      existsSync(stateDir)
        ? 'Create clusters first (scale-tui create or the TUI), or pass --state-dir where a run was recorded.'
        : `Pass --state-dir with the directory of a run (${stateDir} does not exist).`,
    );
  }
  const id = runId ?? runs[runs.length - 1]!;
  if (!runs.includes(id)) {
    const shown = runs.slice(-10).join(', ');
    throw new UserError(
      `run "${id}" is not in ${stateDir}`,
      `Use one of: ${shown}${runs.length > 10 ? ` (and ${runs.length - 10} older)` : ''}.`,
    );
  }
  const path = runJournalPath(stateDir, id);
  const events = readJournal(path);
  if (events.length === 0)
    throw new UserError(
      `run "${id}" has an empty journal (${path})`,
      'Pick another run, or let the run record something first.',
    );
  return { runId: id, dir: dirname(path), events };
}
