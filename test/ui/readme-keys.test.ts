// The README's key table lists every key of the command table and every `:` verb, so
// the documentation cannot fall behind the keys.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VERBS } from '../../src/ui/model/command.js';
import { COMMANDS } from '../../src/ui/model/commands.js';

const readme = readFileSync(resolve(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
const tui = readme.slice(readme.indexOf('## The TUI'), readme.indexOf('## A real run'));
const rows = tui.split('\n').filter((l) => l.startsWith('| `'));

const SHOWN: Record<string, string> = { up: '↑↓', down: '↑↓', pgup: 'PgUp', pgdn: 'PgDn' };
const RANGES: Array<[RegExp, string]> = [
  [/^[1-4]$/, '`1`-`4`'],
  [/^[0-5]$/, '`0`-`5`'],
];

describe('README key table', () => {
  it.each(COMMANDS.map((c) => [c.command, c]))('lists the keys of %s', (_id, c) => {
    for (const k of c.keys) {
      const range = RANGES.find(
        ([re]) => re.test(k) && (c.command.startsWith('focus-') || c.command.startsWith('since-')),
      );
      const token = range ? range[1] : `\`${SHOWN[k] ?? k}\``;
      expect(
        rows.some((r) => r.split('|')[1]!.includes(token)),
        `${c.command}: ${token}`,
      ).toBe(true);
    }
  });

  it.each([...VERBS])('lists :%s', (verb) => {
    expect(tui).toMatch(new RegExp(`\`:${verb}\\b`));
  });
});
