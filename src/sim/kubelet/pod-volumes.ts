// A pod's volumes on the simulated node, as the kubelet's volume manager lays them out:
// Secret and ConfigMap contents written as 0600 files in 0700 directories (items and optional
// honoured), emptyDirs, a PersistentVolumeClaim as a directory under <rootDir>/volumes that
// outlives the pod (a replacement etcd-0 finds its data), and hostPath as the path itself.
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { PodLike, PodRuntimeDeps } from './pod-spec.js';

/**
 * Lays out the pod's volumes under `podDir` (0700 directories, 0600 files) and returns each
 * volume's directory on the node; a missing Secret/ConfigMap or key throws the kubelet's
 * MountVolume.SetUp message, and a kind not simulated throws too.
 */
export async function materializeVolumes(
  pod: PodLike,
  namespace: string,
  podDir: string,
  d: Pick<PodRuntimeDeps, 'rootDir' | 'secret' | 'configMap'>,
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  mkdirSync(podDir, { recursive: true, mode: 0o700 });
  chmodSync(podDir, 0o700);
  for (const v of pod.spec.volumes ?? []) {
    const dir = join(podDir, 'volumes', v.name);
    if (v.secret || v.configMap) {
      const src = v.secret
        ? { kind: 'secret', name: v.secret.secretName, ...v.secret }
        : { kind: 'configmap', ...v.configMap! };
      const data = v.secret ? await d.secret(namespace, src.name) : await d.configMap(namespace, src.name);
      if (!data && !src.optional) {
        throw new Error(`MountVolume.SetUp failed for volume "${v.name}" : ${src.kind} "${src.name}" not found`);
      }
      rmSync(dir, { recursive: true, force: true });
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const items = src.items ?? Object.keys(data ?? {}).map((key) => ({ key, path: key }));
      for (const it of items) {
        const bytes = data?.[it.key];
        if (!bytes) throw new Error(`MountVolume.SetUp failed for volume "${v.name}" : key "${it.key}" not found`);
        const file = join(dir, it.path);
        mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
        writeFileSync(file, bytes, { mode: 0o600 });
        chmodSync(file, 0o600);
      }
    } else if (v.emptyDir) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
    } else if (v.persistentVolumeClaim) {
      const pv = join(d.rootDir, 'volumes', namespace, v.persistentVolumeClaim.claimName);
      mkdirSync(pv, { recursive: true, mode: 0o700 });
      out.set(v.name, pv);
      continue;
    } else if (v.hostPath) {
      out.set(v.name, v.hostPath.path);
      continue;
    } else {
      const kinds = 'secret, configMap, emptyDir, persistentVolumeClaim and hostPath';
      throw new Error(`volume "${v.name}": only ${kinds} are simulated`);
    }
    out.set(v.name, dir);
  }
  return out;
}
