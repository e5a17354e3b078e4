// The step kit every per-cluster pipeline shares (the default one in create.ts, capd's and
// the farm's in src/engine/topology/): a named step whose any error becomes a StepError the
// batch records and goes on from, and ownership-labelled create-or-skip writes. Apart from
// create.ts so that the workload-API bring-up (workload-api.ts) and delete can use it
// without importing the create pipeline.
import type { KubeClient } from '../../core/kube/client.js';
import type { ClusterRecord } from '../../core/types.js';
import { ownershipLabels } from '../../manifests/labels.js';
import type { KubeObject } from '../../manifests/types.js';
import type { PipelineContext } from './context.js';

/** A failure at a named step; the batch goes on. */
export class StepError extends Error {
  constructor(
    readonly step: string,
    readonly reason: string,
  ) {
    super(`${step}: ${reason}`);
  }
}

/** Runs one named pipeline step; any error becomes a StepError naming it (aborts pass through). */
export async function step<T>(name: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof StepError) throw err;
    if ((err as Error).name === 'AbortError' || (err as Error).message === 'aborted') throw err;
    const body = (err as { body?: unknown }).body;
    const detail =
      typeof body === 'string'
        ? body
        : typeof body === 'object' && body && 'message' in body
          ? String((body as { message: unknown }).message)
          : '';
    throw new StepError(name, `${(err as Error).message.split('\n')[0]}${detail ? ` (${detail.slice(0, 200)})` : ''}`);
  }
}

/** Adds scale-tui's ownership labels (generators set them too; this guarantees it). */
export function owned(obj: KubeObject, runId: string, rec: { name: string; batchId: string }): KubeObject {
  return {
    ...obj,
    metadata: {
      ...obj.metadata,
      labels: { ...ownershipLabels({ runId, cluster: rec.name, batchId: rec.batchId }), ...obj.metadata.labels },
    },
  };
}

export async function createObjects(
  ctx: PipelineContext,
  client: KubeClient,
  objs: KubeObject[],
  rec: ClusterRecord,
): Promise<void> {
  // Sequential on purpose: namespace before its content, Secrets before the objects
  // that reference them (CAPI webhooks validate cross references).
  for (const o of objs) {
    if (ctx.signal.aborted) throw new Error('aborted');
    await ctx.create(client, owned(o, ctx.runId, rec));
  }
}
