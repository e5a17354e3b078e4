// A run as one file to share: `report --pack RUN` writes <run>.tar.gz holding the run's
// directory (journal and report artifacts only: a run directory could one day hold key
// material, so only known-safe names are packed), and `report ARCHIVE` reads it back.
//
// Why the `tar` package (npm's own, isaacs/node-tar) and not zlib plus a hand-written
// writer: reading archives someone else made is the risky half, and node-tar already
// refuses absolute paths and `..` entries, drops link tricks, and handles long names
// (PAX headers). A small writer would be easy; a safe reader is not.
import { existsSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { create, extract, list } from 'tar';
import { UserError } from '../../core/errors.js';
import { JOURNAL_FILE } from '../../core/journal/journal.js';

/** Files a packed run may hold: the journal and what `report` writes next to it. */
const PACKABLE = /^(journal\.jsonl|[\w.-]+\.(svg|json|xml|md|csv))$/;

export function isArchivePath(p: string): boolean {
  return /\.(tar\.gz|tgz)$/.test(p);
}

/** Packs the run directory `runDir` (which holds journal.jsonl) into `outFile`; returns the packed names. */
export async function packRun(runDir: string, outFile: string): Promise<string[]> {
  if (!existsSync(join(runDir, JOURNAL_FILE)))
    throw new UserError(`${runDir} holds no ${JOURNAL_FILE}`, 'Pass a run id or a run directory to --pack.', 1);
  const runId = basename(runDir);
  const files = readdirSync(runDir)
    .filter((f) => PACKABLE.test(f) && statSync(join(runDir, f)).isFile())
    .sort()
    .map((f) => `${runId}/${f}`);
  // portable: no uid/gid/user names or mtimes beyond what tar needs, so two packs of one run compare equal.
  await create({ gzip: true, file: outFile, cwd: dirname(runDir), portable: true, mode: 0o600 }, files);
  return files;
}

/**
 * Unpacks an archive made by packRun into a new private temp directory and returns the run
 * directory inside it. Anything that is not a plain file under one run directory is refused.
 */
export async function unpackRun(archive: string): Promise<string> {
  if (!existsSync(archive))
    throw new UserError(`archive ${archive} does not exist`, 'Pass the .tar.gz that `report --pack` wrote.', 1);
  const entries: Array<{ path: string; type: string }> = [];
  try {
    await list({ file: archive, onReadEntry: (e) => entries.push({ path: e.path, type: e.type }) });
  } catch (err) {
    throw new UserError(
      `${archive} is not a readable .tar.gz: ${(err as Error).message}`,
      'Pass the archive `scale-tui report --pack RUN` wrote.',
      1,
    );
  }
  const tops = new Set(entries.map((e) => e.path.split('/')[0]!));
  const bad = entries.find((e) => (e.type !== 'File' && e.type !== 'Directory') || e.path.includes('..'));
  if (tops.size !== 1 || bad || !entries.some((e) => e.path.endsWith(`/${JOURNAL_FILE}`))) {
    throw new UserError(
      `${archive} is not a packed scale-tui run (${bad ? `entry ${bad.path} is a ${bad.type}` : `expected one run directory with ${JOURNAL_FILE}`})`,
      'Pass an archive written by `scale-tui report --pack RUN`.',
      1,
    );
  }
  const dest = mkdtempSync(join(tmpdir(), 'scale-tui-run-'));
  await extract({ file: archive, cwd: dest, strict: true, preservePaths: false });
  return join(dest, [...tops][0]!);
}
