// How a container's command, args and env are turned into a process on the node without a
// mount or network namespace (the why is atop ./pod-runtime.ts): container paths under a
// volumeMount are rewritten to the volume's node directory, `$(VAR)` references expand as
// Kubernetes expands them, fieldRef values come from the pod, and wildcard --listen-*-urls
// bind the node address and loopback. Pure string functions, tested one by one.
import type { PodLike } from './pod-spec.js';

/** A volumeMount resolved to the node: the container's path and the directory standing for it. */
export interface Mount {
  mountPath: string;
  hostPath: string;
}

const LOOPBACK = '127.0.0.1';

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Rewrites container paths under the mounts to their node directories (see the file comment). */
export function mapPaths(s: string, mounts: Mount[]): string {
  if (mounts.length === 0) return s;
  const sorted = [...mounts].sort((a, b) => b.mountPath.length - a.mountPath.length);
  const byPath = new Map(sorted.map((m) => [m.mountPath, m.hostPath]));
  const alternatives = sorted.map((m) => escapeRe(m.mountPath)).join('|');
  const re = new RegExp(`(^|[\\s=,:;'"])(${alternatives})(?=$|[/\\s,:;'"])`, 'g');
  return s.replace(re, (_all, pre: string, path: string) => `${pre}${byPath.get(path) ?? path}`);
}

/** Kubernetes' `$(VAR)` expansion: defined variables expand, `$$` escapes, others stay as written. */
export function expandVars(s: string, vars: Record<string, string>): string {
  return s.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (all, name: string | undefined) =>
    name === undefined ? '$' : (vars[name] ?? all),
  );
}

/** --listen-*-urls=...: wildcard hosts become the node address and loopback (see the file comment). */
export function bindWildcards(arg: string, address: string): string {
  const m = /^(--listen-[a-z-]*urls=)(.*)$/.exec(arg);
  if (!m) return arg;
  const hosts = [...new Set([address, LOOPBACK])].map((h) => (h.includes(':') ? `[${h}]` : h));
  const urls = m[2]!.split(',').flatMap((u) => {
    let url: URL;
    try {
      url = new URL(u);
    } catch {
      return [u];
    }
    if (url.hostname !== '0.0.0.0' && url.hostname !== '[::]') return [u];
    return hosts.map((h) => `${url.protocol}//${h}${url.port ? `:${url.port}` : ''}`);
  });
  return `${m[1]}${[...new Set(urls)].join(',')}`;
}

/** The value of an env fieldRef (name, namespace, uid, node, pod/host IP, a label or annotation). */
export function podField(pod: PodLike, path: string, address: string): string {
  const md = pod.metadata;
  const label = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (label) return (label[1] === 'labels' ? md.labels : md.annotations)?.[label[2]!] ?? '';
  const fields: Record<string, string | undefined> = {
    'metadata.name': md.name,
    'metadata.namespace': md.namespace,
    'metadata.uid': md.uid,
    'spec.nodeName': pod.spec.nodeName,
    'status.podIP': address,
    'status.hostIP': address,
  };
  return fields[path] ?? '';
}
