// Finding a run's journal in the state dir, with errors that name the runs there are.
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { JOURNAL_FILE, listRuns, readJournal, runJournalPath } from '../../core/journal/journal.js';
import { isArchivePath, unpackRun } from './archive.js';
import { UserError } from '../../core/errors.js';
import type { JournalEvent } from '../../core/types.js';

export interface LoadedRun {
  runId: string;
  dir: string;
  events: JournalEvent[];
  /** Unpacked from an archive into a temp dir (dirname(dir)) that the caller removes. */
  temporary?: boolean;
}

export function loadRun(stateDir: string, runId?: string): LoadedRun {
  const runs = listRuns(stateDir);
  if (runs.length === 0) {
    throw new UserError(
      `no runs in ${stateDir}`,
      existsSync(stateDir)
        ? 'Create clusters first (scale-tui create or the TUI), or pass --state-dir where a run was recorded.'
        : `Pass --state-dir with the directory of a run (${stateDir} does not exist).`,
      1,
    );
  }
  const id = runId ?? runs[runs.length - 1]!;
  if (!runs.includes(id)) {
    const shown = runs.slice(-10).join(', ');
    throw new UserError(
      `run "${id}" is not in ${stateDir}`,
      `Use one of: ${shown}${runs.length > 10 ? ` (and ${runs.length - 10} older)` : ''}.`,
      1,
    );
  }
  const path = runJournalPath(stateDir, id);
  const events = readJournal(path);
  if (events.length === 0)
    throw new UserError(
      `run "${id}" has an empty journal (${path})`,
      'Pick another run, or let the run record something first.',
      1,
    );
  return { runId: id, dir: dirname(path), events };
}

/**
 * A RUN argument as `report` accepts it: an archive from `report --pack`, a run directory
 * (it holds journal.jsonl), a state directory (its latest run, e.g. a `demo --state-dir`),
 * or a run id in `stateDir`.
 */
export async function openRun(arg: string | undefined, stateDir: () => Promise<string>): Promise<LoadedRun> {
  if (arg && isArchivePath(arg)) return { ...loadRunDir(await unpackRun(arg)), temporary: true };
  if (arg && existsSync(join(arg, JOURNAL_FILE))) return loadRunDir(arg);
  if (arg && existsSync(join(arg, 'runs'))) return loadRun(arg);
  return loadRun(await stateDir(), arg);
}

function loadRunDir(dir: string): LoadedRun {
  const path = join(dir, JOURNAL_FILE);
  const events = readJournal(path);
  if (events.length === 0) throw new UserError(`run directory ${dir} has an empty journal`, 'Pick another run.', 1);
  return { runId: basename(dir), dir, events };
}
