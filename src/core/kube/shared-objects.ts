// One parsed copy of each object version for every informer in this process. The demo runs
// the engine and every emulated controller in one process, each with caches of its own (as
// upstream's controllers run as separate processes): a Machine was held five times, a
// Cluster five times, a KubeadmControlPlane three times, each a separate JSON.parse of the
// same watch line. Informers now hand their cache the table's copy when one is alive.
//
// An object version is named by apiVersion, kind, uid and resourceVersion: a server never
// gives two different bodies the same uid and resourceVersion, and the apiVersion keeps the
// same object served at two versions apart. Cached objects are read-only (as in client-go,
// whose informers share their cache with every reader in the process).
//
// The table holds its objects weakly: an entry lives as long as some cache holds the object,
// so it needs no release calls and cannot outgrow what the caches hold (1000 clusters
// created and deleted leave it empty once their objects are collected).
import type { KubeObject } from '../../manifests/types.js';

const table = new Map<string, WeakRef<KubeObject>>();
const cleanup = new FinalizationRegistry<string>((key) => {
  const ref = table.get(key);
  if (ref && ref.deref() === undefined) table.delete(key);
});

function versionKey(obj: KubeObject): string | undefined {
  const md = obj.metadata as { uid?: unknown; resourceVersion?: unknown } | undefined;
  if (typeof md?.uid !== 'string' || typeof md.resourceVersion !== 'string') return undefined;
  if (!md.uid || !md.resourceVersion) return undefined;
  return `${obj.apiVersion}\u0000${obj.kind}\u0000${md.uid}\u0000${md.resourceVersion}`;
}

/**
 * The process's copy of this object version: an equal one another cache already holds, or
 * `obj` itself (then registered). Objects without a uid or resourceVersion are not shared.
 */
export function sharedObject(obj: KubeObject): KubeObject {
  const key = versionKey(obj);
  if (key === undefined) return obj;
  const live = table.get(key)?.deref();
  if (live) return live;
  table.set(key, new WeakRef(obj));
  cleanup.register(obj, key);
  return obj;
}

/** Entries in the table, collected or not yet swept (tests). */
export function sharedObjectEntries(): number {
  return table.size;
}

/** Entries whose object is still alive (tests). */
export function liveSharedObjects(): number {
  let n = 0;
  for (const ref of table.values()) if (ref.deref() !== undefined) n++;
  return n;
}
