// The `:` command line and the delete dialog's selection syntax, parsed into UI intents.
// Pure: the app decides what to confirm and then calls the engine.
import {
  CONTROLLER_IDS,
  MAX_BATCH,
  TUNE_LIMITS,
  type ClusterSelection,
  type ControllerId,
  type TuneRequest,
} from '../../core/types.js';
import { parseSelectionText } from '../../state/selection.js';

export type UiIntent =
  | { type: 'add'; count: number; backing?: string }
  /** `prefix`: the name prefix a range was written with (test-1..test-9), checked before deleting. */
  | { type: 'delete'; selection: ClusterSelection; prefix?: string }
  | { type: 'tune'; controller: ControllerId; request: TuneRequest }
  | { type: 'concurrency'; n: number }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'help' }
  | { type: 'quit' }
  | { type: 'describe'; cluster: string }
  | { type: 'log'; source: string }
  | { type: 'sort'; column: string; desc: boolean }
  | { type: 'wide' }
  | { type: 'retry'; cluster: string };

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const err = <T>(error: string): Parsed<T> => ({ ok: false, error });

export const COMMAND_HELP = [
  ':create N [BACKING]      add a batch of N clusters (BACKING: auto or a backing cluster name)',
  ':delete SELECTION        all | last | batch ID | test-1..test-50 | test-3,test-7',
  ':tune CTRL k=v ...       concurrency= (main flag), qps=, burst=, NAME-concurrency=, e.g. kcp concurrency=100 qps=200',
  ':concurrency N           clusters in flight at once',
  ":describe CLUSTER        the cluster's objects, conditions, events, logs, timings, endpoint (also enter)",
  ':log [engine|throttling|CTRL]  the log viewer on that log',
  ':sort COLUMN [desc]      sort the focused table (cluster, phase, age, backing, batch, namespace, reason; cpu, mem, queue …)',
  ':wide                    more columns',
  ':retry CLUSTER           re-run that failed cluster only (the engine resumes just it)',
  ':pause  :resume  :help  :quit',
];

/** Every verb `:` knows, for Tab completion and the unknown-command message. */
export const VERBS = [
  'create',
  'delete',
  'tune',
  'concurrency',
  'describe',
  'log',
  'sort',
  'wide',
  'retry',
  'pause',
  'resume',
  'help',
  'quit',
] as const;

export function parseInteger(text: string, what: string, min: number, max: number): Parsed<number> {
  const t = text.trim();
  if (!/^-?\d+$/.test(t)) return err(`${what} must be a whole number from ${min} to ${max}, got "${t}"`);
  const n = Number(t);
  if (n < min || n > max) return err(`${what} must be from ${min} to ${max}, got ${n}`);
  return ok(n);
}

/** The prefix a range was written with, if any (both ends must agree). */
export function rangePrefix(text: string): string | undefined {
  const r = parseSelectionText(text);
  return r.ok ? r.prefix : undefined;
}

/** all | last | batch ID | A..B (names or numbers) | name[,name...]: the parser the CLI uses too. */
export function parseSelection(text: string): Parsed<ClusterSelection> {
  const r = parseSelectionText(text);
  return r.ok ? ok(r.selection) : err(r.error);
}

function parseTune(args: string[]): Parsed<UiIntent> {
  const [id, ...pairs] = args;
  if (!id || !(CONTROLLER_IDS as readonly string[]).includes(id))
    return err(`tune needs a controller: one of ${CONTROLLER_IDS.join(', ')}`);
  if (pairs.length === 0) return err(`say what to set, e.g. :tune ${id} concurrency=100 qps=200 burst=300`);
  const request: TuneRequest = {};
  for (const p of pairs) {
    const m = /^([a-z-]+)=(.*)$/.exec(p);
    if (!m) return err(`"${p}" is not key=value (e.g. qps=200)`);
    const [, key, value] = m as unknown as [string, string, string];
    if (key === 'concurrency' || key === 'qps' || key === 'burst') {
      const lim = TUNE_LIMITS[key];
      const n = parseInteger(value, key, lim.min, lim.max);
      if (!n.ok) return n;
      request[key] = n.value;
    } else if (key.endsWith('-concurrency')) {
      const n = parseInteger(value, key, TUNE_LIMITS.concurrency.min, TUNE_LIMITS.concurrency.max);
      if (!n.ok) return n;
      request.concurrencyFlags = { ...request.concurrencyFlags, [key]: n.value };
    } else {
      return err(`unknown setting "${key}": use concurrency, qps, burst or a flag name ending in -concurrency`);
    }
  }
  return ok({ type: 'tune', controller: id as ControllerId, request });
}

export function parseCommand(text: string): Parsed<UiIntent> {
  const words = text.trim().replace(/^:/, '').trim().split(/\s+/).filter(Boolean);
  const [verb, ...args] = words;
  switch (verb) {
    case undefined:
      return err('type a command, e.g. create 100 (:help lists them)');
    case 'create':
    case 'add': {
      if (args.length === 0 || args.length > 2) return err('usage: :create N [BACKING]');
      const n = parseInteger(args[0]!, 'the count', 1, MAX_BATCH);
      if (!n.ok) return n;
      return ok({ type: 'add', count: n.value, backing: args[1] });
    }
    case 'delete': {
      const text = args.join(' ');
      const sel = parseSelection(text);
      return sel.ok
        ? ok({ type: 'delete', selection: sel.value, ...(rangePrefix(text) ? { prefix: rangePrefix(text) } : {}) })
        : sel;
    }
    case 'tune':
      return parseTune(args);
    case 'concurrency': {
      const n = parseInteger(args[0] ?? '', 'concurrency', 1, 500);
      return n.ok ? ok({ type: 'concurrency', n: n.value }) : n;
    }
    case 'pause':
    case 'resume':
    case 'help':
      return ok({ type: verb });
    case 'q':
    case 'quit':
      return ok({ type: 'quit' });
    case 'describe':
    case 'retry': {
      if (args.length !== 1) return err(`usage: :${verb} CLUSTER (e.g. :${verb} test-7)`);
      return ok({ type: verb, cluster: args[0]! });
    }
    case 'log':
      if (args.length > 1) return err('usage: :log [engine|throttling|CONTROLLER]');
      return ok({ type: 'log', source: args[0] ?? 'engine' });
    case 'sort': {
      if (args.length < 1 || args.length > 2 || (args[1] !== undefined && !['asc', 'desc'].includes(args[1])))
        return err('usage: :sort COLUMN [asc|desc]');
      return ok({ type: 'sort', column: args[0]!, desc: args[1] === 'desc' });
    }
    case 'wide':
      return ok({ type: 'wide' });
    default:
      return err(`unknown command "${verb}": try ${VERBS.join(', ')}`);
  }
}
