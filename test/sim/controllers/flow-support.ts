// Support for the upstream-flow suite: a `scale-tui sim apiserver` in its own process with
// the real CRDs from ../shared/crds (or the server named by SCALE_TUI_TEST_KUBECONFIG), a
// poll helper, and the normalised write log the golden files hold.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { KubeObject } from '../../../src/manifests/types.js';

export const CRD_DIRS = ['cluster-api', 'cluster-api-provider-metal3', 'baremetal-operator', 'ip-address-manager'].map(
  (d) => resolve(__dirname, '../../../../shared/crds', d),
);

async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
  });
}

export interface ExternalApi {
  kubeconfigYaml: string;
  stop(): Promise<void>;
}

/** Starts `scale-tui sim apiserver` as a separate process and waits for its kubeconfig. */
export async function startSimApiserverProcess(): Promise<ExternalApi> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'flow-api-'));
  const kcPath = join(dir, 'kubeconfig');
  const args = ['bin/scale-tui.js', 'sim', 'apiserver', '--listen', `127.0.0.1:${port}`, '--kubeconfig-out', kcPath];
  for (const d of CRD_DIRS) args.push('--crds', d);
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: resolve(__dirname, '../../..'),
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
  const deadline = Date.now() + 90_000;
  while (!existsSync(kcPath)) {
    if (child.exitCode !== null) throw new Error(`sim apiserver exited ${child.exitCode}: ${stderr}`);
    if (Date.now() > deadline) {
      child.kill('SIGTERM');
      throw new Error(`sim apiserver wrote no kubeconfig in 90 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  await new Promise((r) => setTimeout(r, 300)); // the file is written whole before the listener? be safe
  return {
    kubeconfigYaml: readFileSync(kcPath, 'utf8'),
    stop: () =>
      new Promise<void>((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
      }),
  };
}

export async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

export interface Write {
  controller: string;
  verb: string;
  path: string;
  body: unknown;
  status: number;
  at: number;
}

/** One write as the golden files hold it: verb, kind[/subresource], normalised name and key fields. */
export function signature(w: Write, ns: string, cluster: string, rename: (s: string) => string = (s) => s): string {
  const m = /\/(?:api|apis\/[^/]+)\/[^/]+(?:\/namespaces\/[^/]+)?\/([a-z0-9]+)(?:\/([^/?]+))?(?:\/([a-z]+))?/.exec(
    w.path,
  );
  const plural = m?.[1] ?? w.path;
  const sub = m?.[3] ? `/${m[3]}` : '';
  const norm = (s: string) =>
    rename(s)
      .replaceAll(ns, '<ns>')
      .replaceAll(cluster, '<c>')
      .replace(/-[bcdfghjklmnpqrstvwxz2456789]{5}(?=$|-)/g, '-<rand>');
  const body = (w.body ?? {}) as {
    metadata?: KubeObject['metadata'] & { finalizers?: string[] };
    status?: Record<string, unknown>;
    spec?: Record<string, unknown>;
  };
  const name = norm(m?.[2] ? decodeURIComponent(m[2]) : (body.metadata?.name ?? ''));
  const fields: string[] = [];
  if (w.verb === 'POST') {
    const owners = (body.metadata?.ownerReferences ?? []).map((o) => `${o.kind}${o.controller ? '*' : ''}`);
    fields.push(`owners=[${owners.join(',')}]`);
    if (body.metadata?.finalizers?.length) fields.push(`finalizers=[${body.metadata.finalizers.join(',')}]`);
    if (plural === 'metal3machines' || plural === 'kubeadmconfigs' || plural === 'metal3datas')
      fields.push(
        `annotations=[${Object.keys(body.metadata?.annotations ?? {})
          .sort()
          .join(',')}]`,
      );
  } else if (w.verb === 'PATCH') {
    if (body.metadata?.finalizers) fields.push('finalizers');
    if (body.metadata?.ownerReferences)
      fields.push(
        `owners=[${body.metadata.ownerReferences.map((o) => `${o.kind}${o.controller ? '*' : ''}`).join(',')}]`,
      );
    if (body.metadata?.annotations)
      fields.push(`annotations=[${Object.keys(body.metadata.annotations).sort().join(',')}]`);
    if (body.spec) fields.push(`spec=[${Object.keys(body.spec).sort().join(',')}]`);
    const st = body.status;
    if (st) {
      const phase = (st.phase as string | undefined) ?? (st.provisioning as { state?: string } | undefined)?.state;
      fields.push(phase ? `phase=${phase}` : `status=[${Object.keys(st).sort().join(',')}]`);
    }
  }
  return `${w.verb} ${plural}${sub} ${name} ${fields.join(' ')}`.trim();
}

/** Each signature once, in order of first appearance: the golden form of one controller's writes. */
export function distinctInOrder(sigs: string[]): string[] {
  return sigs.filter((s, i) => sigs.indexOf(s) === i);
}

/**
 * Stable names for the objects of one run: the random suffixes differ per run, so each
 * Machine (and the KubeadmConfig, Metal3Machine, Metal3DataClaim and Secrets named after
 * it) becomes cp-N (made by KCP, in creation order) or md-N (made by a MachineSet), each
 * MachineSet ms-N, and each BareMetalHost host-<its consumer> (which free host a machine
 * gets is CAPM3's choice, not part of the flow).
 */
export function nameAliases(writes: Write[]): Array<[string, string]> {
  const out = new Map<string, string>();
  const add = (name: string | undefined, prefix: string) => {
    if (!name || out.has(name)) return;
    const n = [...out.values()].filter((a) => a.startsWith(`${prefix}-`)).length;
    out.set(name, `${prefix}-${n}`);
  };
  for (const w of writes) {
    const body = w.body as KubeObject | undefined;
    if (w.verb !== 'POST') continue;
    if (w.path.endsWith('/machines')) add(body?.metadata.name, w.controller === 'kcp' ? 'cp' : 'md');
    if (w.path.endsWith('/machinesets')) add(body?.metadata.name, 'ms');
  }
  for (const w of writes) {
    const consumer = (w.body as { spec?: { consumerRef?: { name?: string } | null } } | undefined)?.spec?.consumerRef
      ?.name;
    const host = /\/baremetalhosts\/([^/]+)$/.exec(w.path)?.[1];
    const alias = consumer ? out.get(consumer) : undefined;
    if (w.verb === 'PATCH' && host && alias && !out.has(host)) out.set(host, `host-${alias}`);
  }
  // Longest first, so a name that contains another is replaced whole.
  return [...out.entries()].sort((a, b) => b[0].length - a[0].length);
}

interface ConditionLike {
  type: string;
  status: string;
  reason?: string;
}

/**
 * One controller's writes for the golden file, deterministic however the run was timed:
 * - the objects it created, in creation order (a controller's creations follow each other
 *   causally: KCP's Metal3Machine, KubeadmConfig, Machine);
 * - then, per object (sorted by kind and name), the sequence of its writes, each as verb,
 *   kind[/subresource], the fields it set and, for a conditions write, which conditions it
 *   changed in the store (type=status); a write equal
 *   to the one before it on the same object (a requeue, a retry after a conflict) counts once.
 * Failed writes (409 conflicts, 404 races) are left out: only what reached the store counts.
 * Events are not object writes of the flow and are left out.
 */
export function goldenSequence(all: Write[], controller: string, ns: string, cluster: string): string[] {
  const aliases = nameAliases(all);
  const mine = all.filter((w) => w.controller === controller && w.status < 300 && !w.path.includes('/events'));
  const alias = (s: string) => {
    let out = s;
    for (const [name, a] of aliases) out = out.replaceAll(name, a);
    return out;
  };
  // What each conditions write changed in the store: against the object's conditions as the
  // last accepted write (by any controller) left them, so conditions another controller set
  // and this write merely carried along do not count, whichever write came first.
  const stored = new Map<string, ConditionLike[]>();
  const changedBy = new Map<Write, string>();
  for (const w of all) {
    const conds = (w.body as { status?: { conditions?: ConditionLike[] } } | undefined)?.status?.conditions;
    if (w.status >= 300 || w.verb !== 'PATCH' || !Array.isArray(conds)) continue;
    const object = w.path.replace(/\/status$/, '');
    const before = stored.get(object) ?? [];
    const changed = conds
      .filter((c) => before.find((b) => b.type === c.type)?.status !== c.status)
      .map((c) => `${c.type}=${c.status}`)
      .sort();
    stored.set(object, conds);
    changedBy.set(w, `changed={${changed.join(',')}}`);
  }
  const byObject = new Map<string, string[]>();
  const lastSig = new Map<string, string>();
  const creations: string[] = [];
  for (const w of mine) {
    const sig = signature(w, ns, cluster, alias);
    const [verb, kind, name] = sig.split(' ') as [string, string, string];
    const object = `${kind.split('/')[0]} ${name}`;
    const changed = changedBy.get(w);
    const line = changed ? `${sig} ${changed}` : sig;
    if (verb === 'POST') creations.push(`${kind} ${name}`);
    const seq = byObject.get(object) ?? [];
    // A repeat of the write before it, or a conditions write that changed no status: idempotent.
    const repeat = seq.at(-1) === line || (lastSig.get(object) === sig && changed === 'changed={}');
    if (!repeat) seq.push(line);
    lastSig.set(object, sig);
    byObject.set(object, seq);
  }
  const out = ['creations:', ...creations.map((c) => `  ${c}`)];
  for (const key of [...byObject.keys()].sort()) out.push(`${key}:`, ...byObject.get(key)!.map((l) => `  ${l}`));
  return out;
}
