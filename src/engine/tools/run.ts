// The one place scale-tui starts external programs. Every adapter (kind, clusterctl,
// kubectl, docker, ssh, etcdctl) goes through runTool so that a missing binary or a
// failing command becomes a UserError naming the command and quoting its stderr.
import { execa } from 'execa';
import { UserError } from '../../core/errors.js';
import { redact } from '../log/redact.js';

export interface ToolResult {
  command: string;
  args: string[];
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Text written to the program's stdin (e.g. manifests for `kubectl apply -f -`). */
  input?: string;
  /** Kill the program after this many ms (default 10 min). */
  timeoutMs?: number;
  env?: Record<string, string>;
  /** Return the result instead of throwing when the exit code is non-zero. */
  allowFailure?: boolean;
  cwd?: string;
}

/** Install hints per tool, used when the binary is not on PATH. */
const INSTALL_HINTS: Record<string, string> = {
  kind: 'Install kind (https://kind.sigs.k8s.io/docs/user/quick-start/#installation) and put it on PATH.',
  kubectl: 'Install kubectl (e.g. `apt-get install kubectl` or the release binary) and put it on PATH.',
  clusterctl:
    'Install clusterctl matching the pinned CAPI version (release binary `clusterctl-linux-amd64`) and put it on PATH.',
  docker: 'Install Docker Engine (docker-ce) and start the daemon.',
  ssh: 'Install an OpenSSH client (`apt-get install openssh-client`).',
  etcdctl: 'Install etcdctl (`apt-get install etcd-client`).',
};

export function installHint(tool: string): string {
  return INSTALL_HINTS[tool] ?? `Install ${tool} and put it on PATH.`;
}

/** Last few non-empty stderr lines: enough to say what went wrong without flooding the terminal. */
export function stderrTail(stderr: string, lines = 6): string {
  const kept = stderr
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.length > 0);
  return kept.slice(-lines).join('\n');
}

export async function runTool(command: string, args: string[], opts: RunOptions = {}): Promise<ToolResult> {
  let res: Awaited<ReturnType<typeof execa>>;
  try {
    res = await execa(command, args, {
      input: opts.input,
      timeout: opts.timeoutMs ?? 600_000,
      env: opts.env,
      cwd: opts.cwd,
      reject: false,
      stripFinalNewline: false,
    });
  } catch (err) {
    throw new UserError(`could not run ${command}: ${(err as Error).message.split('\n')[0]}`, installHint(command));
  }
  const stdout = typeof res.stdout === 'string' ? res.stdout : '';
  const stderr = typeof res.stderr === 'string' ? res.stderr : '';
  const code = (res as { code?: string }).code;
  if (code === 'ENOENT' || (res.failed && res.exitCode === undefined && /ENOENT/.test(String(res.message)))) {
    throw new UserError(`${command} is not installed (not found on PATH)`, installHint(command));
  }
  if (res.timedOut) {
    throw new UserError(
      `${command} ${summarizeArgs(args.slice(0, 3))} did not finish within ` +
        `${Math.round((opts.timeoutMs ?? 600_000) / 1000)} s`,
      'Check that the cluster/host it talks to is reachable, then run the command again.',
    );
  }
  const result: ToolResult = { command, args, exitCode: res.exitCode ?? 1, stdout, stderr };
  if (result.exitCode !== 0 && !opts.allowFailure) throw toolFailure(result);
  return result;
}

export function toolFailure(r: ToolResult, hint?: string): UserError {
  // A tool may echo its own command line (or a config) in its output: redact that too.
  const tail = redact(stderrTail(r.stderr) || stderrTail(r.stdout) || '(no output)');
  return new UserError(
    `${r.command} ${summarizeArgs(r.args)} failed (exit ${r.exitCode}):\n${indent(tail)}`,
    hint ??
      `Read the ${r.command} output above; fix the cause and re-run (scale-tui skips steps that are already done).`,
  );
}

/**
 * Trims long argument lists and keeps secrets out of messages. Redacted as one line, not
 * argument by argument, so that a secret in the argument after its flag (`--user root:PW`,
 * `--password PW`, `user add root:PW`) is caught as well as `--user=root:PW`.
 */
export function summarizeArgs(args: string[]): string {
  return redact(args.slice(0, 6).join(' ')) + (args.length > 6 ? ' ...' : '');
}

function indent(s: string): string {
  return s
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
}

/** Resolves whether a program is on PATH and returns its version output (first line), or undefined. */
export async function probeTool(
  command: string,
  versionArgs: string[],
): Promise<{ found: boolean; version?: string; error?: string }> {
  try {
    const r = await runTool(command, versionArgs, { allowFailure: true, timeoutMs: 15_000 });
    const text = (r.stdout.trim() || r.stderr.trim()).split('\n')[0] ?? '';
    if (r.exitCode !== 0) return { found: true, error: stderrTail(r.stderr, 2) || text };
    return { found: true, version: text };
  } catch (err) {
    if (err instanceof UserError && /not installed/.test(err.message)) return { found: false };
    return { found: false, error: (err as Error).message };
  }
}
