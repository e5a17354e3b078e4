// docker adapter: only the daemon reachability check that kind depends on.
import { runTool } from './run.js';
import { stderrTail } from './run.js';

export interface DockerInfo {
  reachable: boolean;
  serverVersion?: string;
  error?: string;
}

export async function dockerInfo(): Promise<DockerInfo> {
  const r = await runTool('docker', ['version', '--format', '{{.Server.Version}}'], {
    allowFailure: true,
    timeoutMs: 20_000,
  });
  if (r.exitCode === 0 && r.stdout.trim()) return { reachable: true, serverVersion: r.stdout.trim() };
  return { reachable: false, error: stderrTail(r.stderr, 2) || 'docker did not report a server version' };
}
