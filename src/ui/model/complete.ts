// Tab completion for the `:` line: the verb first, then what that verb takes (cluster
// names, controller ids, backing names, log sources, sort columns). Completes to the
// longest common prefix; several choices are listed by the caller.
import { CONTROLLER_IDS } from '../../core/types.js';
import type { ScaleState } from '../../state/store.js';
import { VERBS } from './command.js';
import { sortableColumns, TABLE_COLUMNS } from './columns.js';

export interface Completion {
  text: string;
  choices: string[];
}

function commonPrefix(words: string[]): string {
  if (words.length === 0) return '';
  let p = words[0]!;
  for (const w of words) while (!w.startsWith(p)) p = p.slice(0, -1);
  return p;
}

function candidates(verb: string, argIndex: number, state: ScaleState): string[] {
  const clusters = () =>
    Object.values(state.clusters)
      .sort((a, b) => a.number - b.number)
      .map((c) => c.name);
  switch (verb) {
    case 'describe':
    case 'retry':
    case 'delete':
      return argIndex === 0 ? (verb === 'delete' ? ['all', 'last', 'batch', ...clusters()] : clusters()) : [];
    case 'tune':
      return argIndex === 0 ? [...CONTROLLER_IDS] : ['concurrency=', 'qps=', 'burst='];
    case 'create':
    case 'add':
      return argIndex === 1 ? ['auto', ...Object.keys(state.backing).sort()] : [];
    case 'log':
      return argIndex === 0
        ? [
            'engine',
            'throttling',
            ...new Set([
              ...CONTROLLER_IDS,
              ...Object.keys(state.controllerLogs),
              ...state.throttling.recent.map((t) => t.controller),
            ]),
          ]
        : [];
    case 'sort': {
      if (argIndex === 1) return ['asc', 'desc'];
      const ids = new Set(Object.values(TABLE_COLUMNS).flatMap((cols) => sortableColumns(cols).map((c) => c.id)));
      return argIndex === 0 ? [...ids] : [];
    }
    default:
      return [];
  }
}

export function complete(text: string, state: ScaleState): Completion {
  const words = text.replace(/^:/, '').split(' ');
  const last = words[words.length - 1] ?? '';
  const pool = words.length === 1 ? [...VERBS] : candidates(words[0]!, words.length - 2, state);
  const choices = pool.filter((c) => c.startsWith(last));
  if (choices.length === 0) return { text, choices };
  const done = choices.length === 1 && !choices[0]!.endsWith('=');
  const word = choices.length === 1 ? choices[0]! : commonPrefix(choices);
  const head = words.slice(0, -1).join(' ');
  return { text: `${head ? `${head} ` : ''}${word}${done ? ' ' : ''}`, choices };
}
