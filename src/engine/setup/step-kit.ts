// What every setup step is made of (steps.ts): the context a step runs in, the step's shape,
// its report line, and the waits most steps end with. Apart so steps.ts holds only the steps.
import type { ExperimentConfig } from '../config/schema.js';
import type { KubectlTarget } from '../tools/kubectl.js';
import { deploymentPending, type SetupKube } from './conditions.js';
import { waitFor } from './wait.js';

export interface SetupContext {
  config: ExperimentConfig;
  /** Where the management kubeconfig lives (written by the kind step). */
  kubeconfigPath: string;
  context?: string;
  /** Client for the management cluster; created lazily because the cluster may not exist yet. */
  kube(): SetupKube;
  log(line: string): void;
  /** Scales every wait (tests use small values). */
  timeouts: { shortMs: number; longMs: number };
  pollMs: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface SetupStep {
  id: string;
  title: string;
  isDone(ctx: SetupContext): Promise<boolean>;
  run(ctx: SetupContext): Promise<void>;
}

export interface StepReport {
  id: string;
  title: string;
  result: 'done' | 'skipped';
  ms: number;
}

export function target(ctx: SetupContext): KubectlTarget {
  return { kubeconfig: ctx.kubeconfigPath, context: ctx.context };
}

export async function waitDeployments(
  ctx: SetupContext,
  list: Array<{ namespace: string; name: string }>,
  timeoutMs: number,
  hint: string,
): Promise<void> {
  for (const d of list) {
    await waitFor(() => deploymentPending(ctx.kube(), d.namespace, d.name), {
      what: `Deployment ${d.namespace}/${d.name} Available`,
      timeoutMs,
      pollMs: ctx.pollMs,
      hint,
      sleep: ctx.sleep,
    });
  }
}

export async function allReady(checks: Array<Promise<string | undefined>>): Promise<boolean> {
  return (await Promise.all(checks.map((c) => c.catch((e: Error) => e.message)))).every((r) => r === undefined);
}
