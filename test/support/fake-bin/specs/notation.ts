// The tables in this directory write flags the way `--help` lists them, one string each:
// `'-n --namespace string'`, `'--server-side bool'`, `'--dry-run string?'` (the value may be
// left out: pflag's NoOptDefVal). flags() turns them into the FlagSpec rows the parser reads.
import type { FlagSpec, FlagType } from '../cli-parse.mjs';

const TYPES: readonly FlagType[] = ['bool', 'string', 'int', 'duration', 'goInt', 'goDuration', 'list'];

export function flags(...rows: string[]): FlagSpec[] {
  return rows.map((row) => {
    const m = /^(?:-(\w) )?--([\w-]+) (\w+)(\?)?$/.exec(row);
    const type = m?.[3] as FlagType | undefined;
    if (!m || !type || !TYPES.includes(type)) throw new Error(`fake-bin spec: cannot read flag row "${row}"`);
    const f: FlagSpec = { name: m[2]!, type };
    if (m[1]) f.short = m[1];
    if (m[4]) f.optionalValue = true;
    return f;
  });
}
