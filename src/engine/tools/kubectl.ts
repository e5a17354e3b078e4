// kubectl adapter. The engine talks to API servers through KubeClient; kubectl is kept
// for what only it does well: `apply -k` of remote kustomizations, server-side apply of
// large release manifests, `exec` and `port-forward`.
import { runTool, type ToolResult } from './run.js';

export interface KubectlTarget {
  kubeconfig?: string;
  context?: string;
}

export function kubectlArgs(target: KubectlTarget, args: string[]): string[] {
  const out: string[] = [];
  if (target.kubeconfig) out.push(`--kubeconfig=${target.kubeconfig}`);
  if (target.context) out.push(`--context=${target.context}`);
  return out.concat(args);
}

export async function kubectl(
  target: KubectlTarget,
  args: string[],
  opts: { input?: string; timeoutMs?: number; allowFailure?: boolean } = {},
): Promise<ToolResult> {
  return runTool('kubectl', kubectlArgs(target, args), opts);
}

/** `kubectl version --client -o json` -> gitVersion. */
export async function kubectlClientVersion(): Promise<string> {
  const r = await runTool('kubectl', ['version', '--client', '-o', 'json']);
  return parseKubectlVersion(r.stdout);
}

export function parseKubectlVersion(json: string): string {
  try {
    const v = JSON.parse(json) as { clientVersion?: { gitVersion?: string } };
    return v.clientVersion?.gitVersion ?? 'unknown';
  } catch {
    return /v\d+\.\d+\.\d+/.exec(json)?.[0] ?? 'unknown';
  }
}

export async function applyKustomization(target: KubectlTarget, url: string): Promise<ToolResult> {
  return kubectl(target, ['apply', '--server-side', '--force-conflicts', '--field-manager=scale-tui', '-k', url], {
    timeoutMs: 300_000,
  });
}
