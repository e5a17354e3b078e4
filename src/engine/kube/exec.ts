// `kubectl exec` into a pod, for the few things only a shell in the pod does (etcdctl
// inside the etcd pod when no route to it exists). Non-zero exits are returned, not thrown.
import { runTool, type ToolResult } from '../tools/run.js';
import { kubectlArgs, type KubectlTarget } from '../tools/kubectl.js';

export interface ExecTarget extends KubectlTarget {
  namespace: string;
  pod: string;
  container?: string;
}

export function execArgs(t: ExecTarget, command: string[]): string[] {
  return kubectlArgs(t, [
    'exec',
    '-n',
    t.namespace,
    t.pod,
    ...(t.container ? ['-c', t.container] : []),
    '--',
    ...command,
  ]);
}

export async function kubectlExec(
  t: ExecTarget,
  command: string[],
  opts: { input?: string; timeoutMs?: number } = {},
): Promise<ToolResult> {
  return runTool('kubectl', execArgs(t, command), { ...opts, allowFailure: true });
}
