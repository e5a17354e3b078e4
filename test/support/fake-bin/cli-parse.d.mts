// Types of cli-parse.mjs, the argv validator the fake tools run before their rules.
// The recorder is plain JavaScript (it runs as an executable with no build step); these
// declarations give the TypeScript tables in specs/ and the tests a typed boundary.

/**
 * How a flag takes its value, as pflag parses it. `bool` flags stand alone or take
 * `=VALUE`; `list` is any repeatable or comma-separated value (stringArray,
 * stringSlice); `goDuration` is a Go `flag` duration added to pflag (kubectl's
 * --log-flush-frequency) and `goInt` a Go `flag` int (clusterctl's -v): their parse
 * errors read "parse error".
 */
export type FlagType = 'bool' | 'string' | 'int' | 'duration' | 'goInt' | 'goDuration' | 'list';

export interface FlagSpec {
  /** Long name without the dashes. */
  name: string;
  /** One-letter shorthand, if any. */
  short?: string;
  type: FlagType;
  /** pflag's NoOptDefVal on a non-bool flag: `--dry-run` alone is valid, `--dry-run x` does not take `x`. */
  optionalValue?: boolean;
}

/** Positional-argument check of one command (cobra's Args), with the message the tool prints. */
export interface ArgsSpec {
  min?: number;
  max?: number;
  /** The tool's own message; without one the dialect's cobra default is used. */
  message?: string;
  /** Exit code when the count is wrong (default: the dialect's usage-error code). */
  exit?: number;
}

export interface CommandSpec {
  name: string;
  aliases?: string[];
  /** Flags of this command only. */
  flags?: FlagSpec[];
  /** Flags this command and all its descendants accept. */
  persistentFlags?: FlagSpec[];
  commands?: CommandSpec[];
  /** Omitted: any number of positional arguments (kubectl validates most of its own later). */
  args?: ArgsSpec;
  /** The usage line docker prints under an error ("docker version [OPTIONS]"). */
  usage?: string;
  /**
   * A group command that has a Run of its own which fails without a subcommand (kind's
   * `create`/`get`: help, then "Subcommand is required"). Without it, a group command with
   * no subcommand prints help and exits 0, as cobra does.
   */
  groupError?: string;
  /** A real command whose flags these tables do not hold: the fake refuses it loudly. */
  unmodelled?: boolean;
}

/** The error conventions of one tool's binary (see errorFor* in cli-parse.mjs). */
export type Dialect = 'kubectl' | 'kind' | 'clusterctl' | 'etcdctl' | 'docker';

export interface CobraToolSpec {
  style: 'cobra';
  tool: string;
  /** The release the table was read from, and from where. */
  version: string;
  source: string;
  dialect: Dialect;
  /** cobra.EnablePrefixMatching (etcdctl): an unambiguous prefix names a subcommand. */
  prefixMatching?: boolean;
  /** cobra.EnableCommandSorting: suggestions in name order instead of definition order. */
  sortCommands?: boolean;
  /** The root's own flags go before the command word only, and no subcommand inherits them (docker). */
  rootFlagsFirst?: boolean;
  root: CommandSpec;
}

/** How ssh checks the value of one `-o Keyword=value`. */
export type SshOptionType = 'yesno' | 'time' | 'port' | 'loglevel' | 'text';

export interface GetoptToolSpec {
  style: 'getopt';
  tool: string;
  version: string;
  source: string;
  /** Option letters that stand alone. */
  noArg: string;
  /** Option letters that take a value. */
  withArg: string;
  /** The usage text printed after an option error. */
  usage: string;
  /** ssh_config keywords (lower case) accepted by -o, and how each value is checked. */
  options: Record<string, SshOptionType>;
  /** Exit code of every usage error. */
  exit: number;
}

export type ToolSpec = CobraToolSpec | GetoptToolSpec;

/** What the real tool would do with this argv before doing any work. */
export type ParseResult =
  | {
      ok: true;
      /** Command path below the tool, e.g. ['create', 'cluster']; for ssh: []. */
      command: string[];
      /** Flag long names (ssh: option letters) as given, with their values. */
      flags: Array<{ name: string; value: string }>;
      /** Positional arguments before `--`. */
      args: string[];
      /** Arguments after `--` (kubectl exec's command, ssh's remote command). */
      dashArgs: string[];
    }
  | { ok: false; stdout: string; stderr: string; exit: number };

export function parseArgv(spec: ToolSpec, argv: string[]): ParseResult;

/** Splits a shell command line the way sh would for plain words and quotes; undefined if it has shell syntax. */
export function shellWords(line: string): string[] | undefined;

/**
 * Validates what a fake hands on to another tool the real one would run: kubectl exec's
 * command (e.g. etcdctl inside the pod) and ssh's remote command (kind/docker on the host).
 * Returns the failure as the outer tool reports it, or undefined when it passes.
 */
export function nestedFailure(
  tool: string,
  parsed: Extract<ParseResult, { ok: true }>,
  specs: Record<string, ToolSpec>,
): { stdout: string; stderr: string; exit: number } | undefined;
