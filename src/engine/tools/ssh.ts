// ssh adapter: runs one remote command per call, non-interactively (BatchMode), so a
// missing key fails fast with ssh's own message instead of hanging on a prompt.
import { UserError } from '../../core/errors.js';
import { runTool, type ToolResult } from './run.js';

export interface SshTarget {
  user: string;
  host: string;
  port?: number;
}

export function parseSshTarget(spec: string): SshTarget {
  const m = /^([a-z_][a-z0-9_.-]*)@([A-Za-z0-9.-]+|\[[0-9a-fA-F:]+\])(?::(\d{1,5}))?$/.exec(spec.trim());
  if (!m)
    throw new UserError(
      `--ssh "${spec}" is not USER@HOST`,
      'Pass it as e.g. --ssh ubuntu@10.0.0.5 (optionally :PORT).',
    );
  const port = m[3] ? Number(m[3]) : undefined;
  if (port !== undefined && (port < 1 || port > 65535))
    throw new UserError(`--ssh port ${port} is out of range`, 'Use a port from 1 to 65535.');
  return { user: m[1]!, host: m[2]!.replace(/^\[|\]$/g, ''), port };
}

export function sshArgs(t: SshTarget, remoteCommand: string): string[] {
  const args = ['-o', 'BatchMode=yes', '-o', 'ConnectTimeout=15'];
  if (t.port) args.push('-p', String(t.port));
  args.push(`${t.user}@${t.host}`, '--', remoteCommand);
  return args;
}

export async function ssh(
  t: SshTarget,
  remoteCommand: string,
  opts: { input?: string; timeoutMs?: number; allowFailure?: boolean } = {},
): Promise<ToolResult> {
  return runTool('ssh', sshArgs(t, remoteCommand), opts);
}
