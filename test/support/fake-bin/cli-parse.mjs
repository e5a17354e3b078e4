// The argv check each fake tool runs before its rules (types: cli-parse.d.mts).
//
// kind, kubectl, clusterctl, etcdctl and docker are Go programs built on cobra + pflag;
// ssh parses with getopt(3). This file re-implements how those parsers decide that an
// argv is wrong: which subcommand a word selects, which flags exist, which take a value,
// and what each tool prints when they do not line up. The tables of what exists are in
// specs/; the messages and exit codes below were read from the real binaries (kubectl
// 1.32, etcdctl 3.4, docker 28, OpenSSH 9.2) and from kind's and clusterctl's sources.

/** @typedef {import('./cli-parse.d.mts').ToolSpec} ToolSpec */
/** @typedef {import('./cli-parse.d.mts').CobraToolSpec} CobraToolSpec */
/** @typedef {import('./cli-parse.d.mts').GetoptToolSpec} GetoptToolSpec */
/** @typedef {import('./cli-parse.d.mts').CommandSpec} CommandSpec */
/** @typedef {import('./cli-parse.d.mts').FlagSpec} FlagSpec */
/** @typedef {import('./cli-parse.d.mts').ParseResult} ParseResult */

// cobra adds these to every command.
const HELP_FLAG = { name: 'help', short: 'h', type: 'bool' };

/** @param {ToolSpec} spec @param {string[]} argv @returns {ParseResult} */
export function parseArgv(spec, argv) {
  return spec.style === 'getopt' ? parseGetopt(spec, argv) : parseCobra(spec, argv);
}

// ---------------------------------------------------------------- cobra / pflag

/** Flags visible to the command at `chain` (root..cmd): its own, persistent ones of it and its ancestors, help. */
function flagSet(chain) {
  const cmd = chain[chain.length - 1];
  const all = [...(cmd.flags ?? [])];
  for (const c of chain) all.push(...(c.persistentFlags ?? []));
  if (all.some((f) => f.name === 'help')) return all;
  all.push(all.some((f) => f.short === 'h') ? { ...HELP_FLAG, short: undefined } : HELP_FLAG);
  return all;
}

const byName = (flags, name) => flags.find((f) => f.name === name);
const byShort = (flags, c) => flags.find((f) => f.short === c);
/** pflag's NoOptDefVal: bools and optional-value flags never take the next word. */
const standsAlone = (f) => f !== undefined && (f.type === 'bool' || f.optionalValue === true);

/**
 * cobra's stripFlags: the words of `args` that are not flags or flag values, as cobra
 * sees them while looking for a subcommand. An unknown `--flag` is assumed to take the
 * next word (so `kubectl --kubeconfig get pods` looks for a command named "pods").
 */
function stripFlags(args, flags) {
  const words = [];
  for (let i = 0; i < args.length; i++) {
    const s = args[i];
    if (s === '--') break;
    const longTakes = s.startsWith('--') && !s.includes('=') && !standsAlone(byName(flags, s.slice(2)));
    const shortTakes = s.startsWith('-') && !s.includes('=') && s.length === 2 && !standsAlone(byShort(flags, s[1]));
    if (longTakes || shortTakes) {
      if (args.length - i - 1 <= 1) break;
      i++;
      continue;
    }
    if (s !== '' && !s.startsWith('-')) words.push(s);
  }
  return words;
}

/** cobra's argsMinusFirstX: drop the first non-flag word equal to `x`. */
function argsMinusFirst(args, x, flags) {
  for (let i = 0; i < args.length; i++) {
    const s = args[i];
    if (s === '--') break;
    const longTakes = s.startsWith('--') && !s.includes('=') && !standsAlone(byName(flags, s.slice(2)));
    const shortTakes = s.startsWith('-') && !s.includes('=') && s.length === 2 && !standsAlone(byShort(flags, s[1]));
    if (longTakes || shortTakes) {
      i++;
      continue;
    }
    if (!s.startsWith('-') && s === x) return [...args.slice(0, i), ...args.slice(i + 1)];
  }
  return args;
}

// cobra adds a `help` command to every root that has subcommands.
const HELP_COMMAND = { name: 'help', args: {} };

function findNext(spec, cmd, word) {
  const subs = cmd.commands ?? [];
  const addsHelp = cmd === spec.root && subs.length > 0 && !subs.some((c) => c.name === 'help');
  if (addsHelp && word === 'help') return HELP_COMMAND;
  const exact = subs.find((c) => c.name === word || (c.aliases ?? []).includes(word));
  if (exact || !spec.prefixMatching) return exact;
  const prefixed = subs.filter((c) => c.name.startsWith(word) || (c.aliases ?? []).some((a) => a.startsWith(word)));
  return prefixed.length === 1 ? prefixed[0] : undefined;
}

/** cobra's Find: descend through subcommands named by the non-flag words. */
function find(spec, argv) {
  const chain = [spec.root];
  let args = argv;
  for (;;) {
    const cmd = chain[chain.length - 1];
    const flags = flagSet(chain);
    const words = stripFlags(args, flags);
    if (words.length === 0) return { chain, args };
    const next = findNext(spec, cmd, words[0]);
    if (!next) return { chain, args };
    args = argsMinusFirst(args, words[0], flags);
    chain.push(next);
  }
}

function levenshtein(a, b) {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length][b.length];
}

/** cobra's findSuggestions: commands within edit distance 2, or that start with the word. */
function suggestions(spec, cmd, word) {
  let subs = (cmd.commands ?? []).filter((c) => c.name !== 'help');
  if (spec.sortCommands) subs = [...subs].sort((a, b) => a.name.localeCompare(b.name));
  const w = word.toLowerCase();
  const hits = subs.filter((c) => levenshtein(w, c.name.toLowerCase()) <= 2 || c.name.toLowerCase().startsWith(w));
  return hits.length === 0 ? '' : `\n\nDid you mean this?\n${hits.map((c) => `\t${c.name}\n`).join('')}`;
}

const GO_BOOL = new Set(['1', 't', 'T', 'TRUE', 'true', 'True', '0', 'f', 'F', 'FALSE', 'false', 'False']);
const GO_INT = /^[+-]?(0[xX][0-9a-fA-F](_?[0-9a-fA-F])*|0[bB][01](_?[01])*|0[oO]?[0-7](_?[0-7])*|[1-9](_?[0-9])*|0)$/;
const DURATION_UNITS = new Set(['ns', 'us', 'µs', 'μs', 'ms', 's', 'm', 'h']);

/** time.ParseDuration's error for `s`, or undefined when Go accepts it. */
function durationError(s) {
  let rest = s.replace(/^[+-]/, '');
  if (rest === '0') return undefined;
  if (rest === '') return `time: invalid duration ${JSON.stringify(s)}`;
  while (rest !== '') {
    const num = /^(\d+\.?\d*|\.\d+)/.exec(rest);
    if (!num) return `time: invalid duration ${JSON.stringify(s)}`;
    rest = rest.slice(num[0].length);
    const unit = /^[^\d.]*/.exec(rest)[0];
    if (unit === '') return `time: missing unit in duration ${JSON.stringify(s)}`;
    if (!DURATION_UNITS.has(unit)) {
      return `time: unknown unit ${JSON.stringify(unit)} in duration ${JSON.stringify(s)}`;
    }
    rest = rest.slice(unit.length);
  }
  return undefined;
}

/** pflag's Set error for `value` on flag `f`, or undefined when it parses. */
function valueError(f, value) {
  let why;
  const q = JSON.stringify(value);
  if (f.type === 'bool' && !GO_BOOL.has(value)) why = `strconv.ParseBool: parsing ${q}: invalid syntax`;
  if (f.type === 'int' && !GO_INT.test(value)) why = `strconv.ParseInt: parsing ${q}: invalid syntax`;
  if (f.type === 'duration') why = durationError(value);
  // Go's flag package reports every bad number or duration as just "parse error".
  if (f.type === 'goDuration' && durationError(value)) why = 'parse error';
  if (f.type === 'goInt' && !GO_INT.test(value)) why = 'parse error';
  if (why === undefined) return undefined;
  const shown = f.short ? `-${f.short}, --${f.name}` : `--${f.name}`;
  return `invalid argument ${JSON.stringify(value)} for ${JSON.stringify(shown)} flag: ${why}`;
}

/**
 * pflag's Parse over the found command's arguments. Returns the first error message
 * pflag would return, or the flags, positional words and the words after `--`.
 */
function parseFlags(flags, args, interspersed = true) {
  const out = { flags: [], args: [], dashArgs: [], help: false, rest: [] };
  const set = (f, value) => {
    const bad = valueError(f, value);
    if (bad) return bad;
    if (f.name === 'help' && value !== 'false') out.help = true;
    out.flags.push({ name: f.name, value });
    return undefined;
  };
  for (let i = 0; i < args.length; i++) {
    const s = args[i];
    if (s === '--') {
      out.dashArgs = args.slice(i + 1);
      return out;
    }
    if (s.length < 2 || !s.startsWith('-')) {
      if (!interspersed) {
        out.rest = args.slice(i);
        return out;
      }
      out.args.push(s);
      continue;
    }
    if (s.startsWith('--')) {
      const body = s.slice(2);
      if (body.startsWith('-') || body.startsWith('=')) return { error: `bad flag syntax: ${s}` };
      const eq = body.indexOf('=');
      const name = eq < 0 ? body : body.slice(0, eq);
      const f = byName(flags, name);
      if (!f) return { error: `unknown flag: --${name}` };
      let value;
      if (eq >= 0) value = body.slice(eq + 1);
      else if (standsAlone(f)) value = f.type === 'bool' ? 'true' : '';
      else if (i + 1 < args.length) value = args[++i];
      else return { error: `flag needs an argument: ${s}` };
      const bad = set(f, value);
      if (bad) return { error: bad };
      continue;
    }
    // One or more shorthands: -abc, -n value, -nvalue, -n=value.
    let shorthands = s.slice(1);
    while (shorthands.length > 0) {
      const c = shorthands[0];
      const f = byShort(flags, c);
      if (!f) return { error: `unknown shorthand flag: ${JSON.stringify(c).replace(/"/g, "'")} in -${shorthands}` };
      let value;
      let rest = shorthands.slice(1);
      if (shorthands.length > 2 && shorthands[1] === '=') {
        value = shorthands.slice(2);
        rest = '';
      } else if (standsAlone(f)) value = f.type === 'bool' ? 'true' : '';
      else if (shorthands.length > 1) {
        value = shorthands.slice(1);
        rest = '';
      } else if (i + 1 < args.length) value = args[++i];
      else return { error: `flag needs an argument: '${c}' in -${shorthands}` };
      const bad = set(f, value);
      if (bad) return { error: bad };
      shorthands = rest;
    }
  }
  return out;
}

/** What the tool prints and exits with; one function per dialect, one case per kind of failure. */
const DIALECTS = {
  // kubectl: cmdutil.CheckErr prints "error: ..."; its flag-error hook adds the See line.
  kubectl: {
    flag: (path, msg) => fail(`error: ${msg}\nSee '${path} --help' for usage.\n`, 1),
    unknownCommand: (root, word, sugg) => fail(`error: ${unknown(root, word)}${sugg || '\n'}`, 1),
    args: (path, msg) => fail(`error: ${msg}\nSee '${path} -h' for help and examples\n`, 1),
    plugin: (first) => fail(`Error: flags cannot be placed before plugin name: ${first}\n`, 1),
  },
  // kind: SilenceErrors; main() logs "ERROR: <err>" and exits 1.
  kind: {
    flag: (_path, msg) => fail(`ERROR: ${msg}\n`, 1),
    unknownCommand: (root, word, sugg) => fail(`ERROR: ${unknown(root, word)}${sugg || '\n'}`, 1),
    args: (_path, msg) => fail(`ERROR: ${msg}\n`, 1),
    group: (path, msg) => fail(`ERROR: ${msg}\n`, 1, `Usage:\n  ${path} [command]\n`),
  },
  // clusterctl: cobra's own printing (SilenceUsage): "Error: <err>"; Find errors add the Run line;
  // argument errors are helpErrors, followed by a blank line and the help text.
  clusterctl: {
    flag: (_path, msg) => fail(`Error: ${msg}\n`, 1),
    unknownCommand: (root, word, sugg) =>
      fail(`Error: ${unknown(root, word)}${sugg}\nRun '${root} --help' for usage.\n`, 1),
    args: (path, msg) => fail(`Error: ${msg}\n\n`, 1, `Usage:\n  ${path} [flags]\n`),
    plugin: (first) => fail(`Error: flags cannot be placed before plugin name: ${first}\n`, 1),
  },
  // etcdctl: cobra prints "Error: <err>" and the usage, then etcdctl's ExitWithError prints it again.
  etcdctl: {
    flag: (path, msg) => fail(`Error: ${msg}\nUSAGE:\n\t${path} [flags]\n\n\nError: ${msg}\n`, 1),
    unknownCommand: (root, word, sugg) => {
      const err = `Error: ${unknown(root, word)}${sugg}\n`;
      return fail(`${err}Run '${root} --help' for usage.\n${err}`, 1);
    },
    args: (_path, msg, exit) => fail(`Error: ${msg}\n`, exit ?? 128),
  },
  // docker: flag errors exit 125 with the command's usage line; unknown commands exit 1.
  docker: {
    flag: (path, msg, usage) => fail(`${msg}\n\nUsage:  ${usage}\n\nRun '${path} --help' for more information\n`, 125),
    unknownCommand: (root, word) => dockerUnknown(root, word),
    args: (path, msg, _exit, usage) =>
      fail(`${msg}\n\nUsage:  ${usage}\n\nRun '${path} --help' for more information\n`, 1),
    rootArgs: (root, word) => dockerUnknown(root, word),
  },
};

const unknown = (path, word) => `unknown command "${word}" for "${path}"`;
const dockerUnknown = (root, word) =>
  fail(`${root}: unknown command: ${root} ${word}\n\nRun '${root} --help' for more information\n`, 1);

function fail(stderr, exit, stdout = '') {
  return { ok: false, stdout, stderr, exit };
}

function helpText(path, cmd) {
  const subs = (cmd.commands ?? []).map((c) => `  ${c.name}\n`).join('');
  return `Usage:\n  ${path} [flags]\n${subs ? `\nAvailable Commands:\n${subs}` : ''}`;
}

/** @param {CobraToolSpec} spec @param {string[]} argv @returns {ParseResult} */
function parseCobra(spec, argv) {
  const d = DIALECTS[spec.dialect];
  const rootName = spec.root.name;
  // docker parses its root options up to the command word and gives subcommands none of them.
  const lead = spec.rootFlagsFirst ? parseFlags(flagSet([spec.root]), argv, false) : undefined;
  if (lead?.error) return d.flag(rootName, lead.error, spec.root.usage ?? rootName);
  if (lead?.help) return { ok: false, stdout: helpText(rootName, spec.root), stderr: '', exit: 0 };
  const { chain, args } = find(spec, lead ? lead.rest : argv);
  const cmd = chain[chain.length - 1];
  const path = chain.map((c) => c.name).join(' ');
  const flags = flagSet(chain);
  const atRoot = chain.length === 1;
  // cobra's legacyArgs: a word that names no subcommand of the root is an unknown command.
  const stray = atRoot && cmd.args === undefined && (cmd.commands ?? []).length > 0 ? stripFlags(args, flags) : [];
  if (stray.length > 0) {
    // kubectl and clusterctl first try a plugin; a flag before the plugin name fails there.
    const firstWord = argv.find((a) => !a.startsWith('-'));
    if (d.plugin && firstWord !== 'help' && argv[0].startsWith('-')) return d.plugin(argv[0]);
    return d.unknownCommand(rootName, stray[0], suggestions(spec, cmd, stray[0]));
  }
  if (cmd.unmodelled) {
    return fail(
      `fake ${spec.tool}: '${path}' is a real command the fake's table does not describe; add it to ` +
        `test/support/fake-bin/specs/${spec.tool}.ts\n`,
      2,
    );
  }
  const parsed = parseFlags(flags, args);
  if (parsed.error) return d.flag(path, parsed.error, cmd.usage ?? `${path} [OPTIONS]`);
  if (parsed.help || cmd.name === 'help') return { ok: false, stdout: helpText(path, cmd), stderr: '', exit: 0 };
  // A group below the root with no Run of its own: cobra prints its help and exits 0,
  // whatever words follow (`etcdctl user ad x` is help, not an error); kind's groups fail.
  const a = cmd.args;
  const positional = [...parsed.args, ...parsed.dashArgs];
  const group = (cmd.commands ?? []).length > 0 && !atRoot;
  if (group && cmd.groupError && d.group && (a === undefined || positional.length === 0)) {
    return d.group(path, cmd.groupError);
  }
  if (group && a === undefined) return { ok: false, stdout: helpText(path, cmd), stderr: '', exit: 0 };
  const tooFew = a?.min !== undefined && positional.length < a.min;
  const tooMany = a?.max !== undefined && positional.length > a.max;
  if (a && (tooFew || tooMany)) {
    // docker's root treats any word as a command name it does not know.
    if (atRoot && d.rootArgs) return d.rootArgs(rootName, positional[0]);
    // Without a message of the tool's own, cobra.NoArgs': the stray word is an unknown command.
    const msg = a.message ?? `unknown command "${positional[0]}" for "${path}"`;
    return d.args(path, msg, a.exit, cmd.usage ?? `${path} [OPTIONS]`);
  }
  const command = chain.slice(1).map((c) => c.name);
  const allFlags = [...(lead?.flags ?? []), ...parsed.flags];
  return { ok: true, command, flags: allFlags, args: parsed.args, dashArgs: parsed.dashArgs };
}

// ---------------------------------------------------------------- getopt (ssh)

/** @param {GetoptToolSpec} spec @param {string} keyword @param {string} value */
function sshOptionError(spec, keyword, value) {
  const type = spec.options[keyword.toLowerCase()];
  if (type === undefined) return `command-line: line 0: Bad configuration option: ${keyword.toLowerCase()}`;
  if (value === '') return `command-line line 0: no argument after keyword "${keyword.toLowerCase()}"`;
  if (type === 'yesno' && !/^(yes|no|true|false)$/i.test(value)) {
    return `command-line line 0: unsupported option "${value}".`;
  }
  if (type === 'time' && !/^(\d+[sSmMhHdDwW]?)+$/.test(value)) return 'command-line line 0: invalid time value.';
  if (type === 'port' && !validPort(value)) return `command-line line 0: Bad port '${value}'.`;
  const levels = /^(QUIET|FATAL|ERROR|INFO|VERBOSE|DEBUG|DEBUG1|DEBUG2|DEBUG3)$/i;
  if (type === 'loglevel' && !levels.test(value)) return `command-line line 0: unsupported log level '${value}'`;
  return undefined;
}

const validPort = (p) => /^\d+$/.test(p) && Number(p) >= 1 && Number(p) <= 65535;

/**
 * OpenSSH's option loop: getopt over the options, the destination, then getopt again
 * over what follows it (ssh accepts options after the host); the first other word, or
 * `--`, starts the remote command.
 * @param {GetoptToolSpec} spec @param {string[]} argv @returns {ParseResult}
 */
function parseGetopt(spec, argv) {
  const usage = (lead) => fail(`${lead}${spec.usage}`, spec.exit);
  const flags = [];
  let destination;
  let i = 0;
  for (; i < argv.length; i++) {
    const s = argv[i];
    if (s === '--') {
      i++;
      break;
    }
    if (!s.startsWith('-') || s === '-') {
      if (destination !== undefined) break;
      destination = s;
      continue;
    }
    for (let j = 1; j < s.length; j++) {
      const c = s[j];
      if (spec.noArg.includes(c)) {
        flags.push({ name: c, value: '' });
        continue;
      }
      if (!spec.withArg.includes(c)) return usage(`unknown option -- ${c}\r\n`);
      let value = s.slice(j + 1);
      if (value === '') {
        if (i + 1 >= argv.length) return usage(`option requires an argument -- ${c}\r\n`);
        value = argv[++i];
      }
      if (c === 'o') {
        const m = /^([^=\s]+)(?:[=\s]+(.*))?$/.exec(value);
        const bad = sshOptionError(spec, m ? m[1] : value, m?.[2] ?? '');
        // ssh's log functions end their lines with \r\n; its usage text and -p's check use \n.
        if (bad) return fail(`${bad}\r\n`, spec.exit);
      }
      if (c === 'p' && !validPort(value)) return fail(`Bad port '${value}'\n`, spec.exit);
      flags.push({ name: c, value });
      break;
    }
  }
  const rest = argv.slice(i);
  if (destination === undefined) {
    if (rest.length === 0) return usage('');
    destination = rest.shift();
  }
  return { ok: true, command: [], flags, args: [destination], dashArgs: rest };
}

// ---------------------------------------------------------------- nested commands

/**
 * sh's word splitting for the plain commands scale-tui sends over ssh: blanks, single and
 * double quotes. Anything with pipes, redirections, substitutions or globs is left alone.
 * @param {string} line @returns {string[] | undefined}
 */
export function shellWords(line) {
  if (/[|&;<>()`$*?[\]\\\n]/.test(line.replace(/'[^']*'/g, "''"))) return undefined;
  const words = [];
  let cur = '';
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === "'" || ch === '"') {
      const end = line.indexOf(ch, i + 1);
      if (end < 0) return undefined;
      cur += line.slice(i + 1, end);
      i = end;
      inWord = true;
    } else if (ch === ' ' || ch === '\t') {
      if (inWord) words.push(cur);
      cur = '';
      inWord = false;
    } else {
      cur += ch;
      inWord = true;
    }
  }
  if (inWord) words.push(cur);
  return words;
}

/** @returns {{stdout: string, stderr: string, exit: number} | undefined} */
export function nestedFailure(tool, parsed, specs) {
  let inner;
  if (tool === 'kubectl' && parsed.command[0] === 'exec') inner = parsed.dashArgs;
  if (tool === 'ssh' && parsed.dashArgs.length > 0) inner = shellWords(parsed.dashArgs.join(' '));
  const innerSpec = inner && inner.length > 0 ? specs[inner[0]] : undefined;
  if (!innerSpec) return undefined;
  const r = parseArgv(innerSpec, inner.slice(1));
  if (r.ok || r.exit === 0) return undefined;
  // kubectl exec relays the command's output and exits with its code, saying so on stderr.
  if (tool === 'kubectl') {
    return { stdout: r.stdout, stderr: `${r.stderr}command terminated with exit code ${r.exit}\n`, exit: r.exit };
  }
  return { stdout: r.stdout, stderr: r.stderr, exit: r.exit };
}
