// kind adapter: typed wrappers over the few kind invocations setup and `backing create` need.
import { runTool, type ToolResult } from './run.js';

export async function kindVersion(): Promise<string> {
  const r = await runTool('kind', ['version']);
  return parseKindVersion(r.stdout);
}

/** `kind v0.30.0 go1.24.6 linux/amd64` -> `v0.30.0`. */
export function parseKindVersion(text: string): string {
  return /\bv\d+\.\d+\.\d+\S*/.exec(text)?.[0] ?? text.trim();
}

export async function kindClusters(): Promise<string[]> {
  const r = await runTool('kind', ['get', 'clusters']);
  // kind prints "No kind clusters found." on stderr and nothing on stdout when there are none.
  return r.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
}

export async function kindCreateCluster(name: string, configYaml: string, waitSeconds = 300): Promise<ToolResult> {
  return runTool('kind', ['create', 'cluster', '--name', name, '--config', '-', '--wait', `${waitSeconds}s`], {
    input: configYaml,
    timeoutMs: (waitSeconds + 300) * 1000,
  });
}

export async function kindKubeconfig(name: string): Promise<string> {
  return (await runTool('kind', ['get', 'kubeconfig', '--name', name])).stdout;
}

/** Deletes one kind cluster by name; `backing remove --purge` calls it only for one scale-tui made. */
export async function kindDeleteCluster(name: string, timeoutMs = 300_000): Promise<ToolResult> {
  return runTool('kind', ['delete', 'cluster', '--name', name], { timeoutMs });
}
