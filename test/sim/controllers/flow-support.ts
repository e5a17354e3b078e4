// Support for the suites that run the emulated controllers against an API server (upstream
// flow, controllers, KCP rollout and etcd, provisioning times): one world to start and stop
// (startFlowWorld: the management API, providers, kubelet, a workload API or a farm, the
// controllers with a write recorder), a `scale-tui sim apiserver` in its own process with the
// real CRDs from ../shared/crds (or the server named by SCALE_TUI_TEST_KUBECONFIG), a poll
// helper, and the normalised write log the golden files hold. The world is one piece so that
// every suite tears down the same way: in reverse, each step bounded, and a step that fails or
// runs out of time fails the suite's afterAll instead of leaving a shared server dirty unseen.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { managementObjects } from '../../../src/demo/manifests.js';
import type { KubeObject } from '../../../src/manifests/types.js';
import { type ApiServerHandle, startApiServer } from '../../../src/sim/apiserver/index.js';
import { type RunningControllers, startControllers } from '../../../src/sim/controllers/index.js';
import { RestClient } from '../../../src/sim/controllers/rest.js';
import type { CostModel } from '../../../src/sim/cost-model/model.js';
import { Farm } from '../../../src/sim/farm/farm.js';
import { Kubelet } from '../../../src/sim/kubelet/kubelet.js';
import { freePortBlock } from '../../support/ports.js';
import { type ClusterPki, clusterPki } from './fixtures.js';

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
  const stop = () =>
    new Promise<void>((done) => {
      const gone = () => {
        rmSync(dir, { recursive: true, force: true });
        done();
      };
      if (child.exitCode !== null || child.signalCode !== null) return gone();
      child.once('exit', gone);
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
    });
  const deadline = Date.now() + 90_000;
  while (!existsSync(kcPath)) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`sim apiserver exited ${child.exitCode}: ${stderr}`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`sim apiserver wrote no kubeconfig in 90 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  await new Promise((r) => setTimeout(r, 300)); // the file is written whole before the listener? be safe
  return { kubeconfigYaml: readFileSync(kcPath, 'utf8'), stop };
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

/** The value at `path` inside `o` (status, provisioning, state), or undefined where a step is missing. */
export function field<T>(o: unknown, ...path: string[]): T | undefined {
  let cur: unknown = o;
  for (const p of path) cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[p] : undefined;
  return cur as T | undefined;
}

/** The collection path of an object whose kind's plural is its name in lower case plus `s`. */
export function pathOf(o: KubeObject): string {
  const [group, version] = o.apiVersion.includes('/') ? o.apiVersion.split('/') : ['', o.apiVersion];
  const base = group ? `/apis/${group}/${version}` : `/api/${version}`;
  const plural = `${o.kind.toLowerCase()}s`;
  return o.metadata.namespace ? `${base}/namespaces/${o.metadata.namespace}/${plural}` : `${base}/${plural}`;
}

export interface FlowWorldOptions {
  /** Names the kubelet's Node (`<name>-node`), the workload API (`<name>-workload`), an embedded management server (`<name>`). */
  name: string;
  model: CostModel;
  /**
   * The management API when SCALE_TUI_TEST_KUBECONFIG names none: `scale-tui sim apiserver`
   * in its own process with the real CRDs, or an embedded server in this process (whose
   * metrics the kubelet feeds).
   */
  management: 'process' | 'embedded';
  /** Use the server SCALE_TUI_TEST_KUBECONFIG names, when set (default true). */
  external?: boolean;
  /** A workload API server with TLS from a new cluster PKI (its client CA is the cluster CA). */
  workload?: boolean;
  /** An in-process farm with a block of this many free ports, its state in a temporary folder. */
  farmPorts?: number;
  /** How often the controllers sample their pods' usage (default 500 ms). */
  sampleMs?: number;
  /** Each controller log line, with the pod that wrote it. */
  onLog?: (pod: string, line: string) => void;
  /** The controllers' pod logs and metrics also go to the embedded management server. */
  feedEmbedded?: boolean;
  /** Which of the controllers' writes `writes` keeps (none without it). */
  record?: (w: Write) => boolean;
}

export interface FlowWorld {
  kc: KubeConfig;
  client: RestClient;
  /** The in-process management server, when the world runs on one. */
  embedded?: ApiServerHandle;
  kubelet: Kubelet;
  controllers: RunningControllers;
  workload?: { server: ApiServerHandle; client: RestClient; pki: ClusterPki };
  farm?: Farm;
  /** The recorded writes, in the order the controllers sent them. */
  writes: Write[];
  /**
   * Tears everything down in reverse order of start: first each group of `release` (deleted
   * while the controllers still run, so their finalizers go, then waited for until gone),
   * then the controllers, farm, workload API, kubelet, the providers and Node this world
   * created, the clients and the management API. Every step runs within what is left of
   * `budgetMs` (default 50 s, under the 60 s hook timeout); each step that fails or runs out
   * of time is still followed by the rest, and then named in the error this throws.
   */
  stop(opts?: { release?: Array<string | string[]>; budgetMs?: number }): Promise<void>;
}

/** One thing to undo, named for the error that reports it. */
export interface CleanupStep {
  what: string;
  run: () => Promise<unknown> | unknown;
}

/** Runs `work` within `ms`; says why not (its error, or the time it ran out of) or nothing. */
async function within(what: string, ms: number, work: () => Promise<unknown> | unknown): Promise<string | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<string>((ok) => {
    timer = setTimeout(() => ok(`${what}: not done within ${(ms / 1000).toFixed(1)} s`), Math.max(0, ms));
  });
  try {
    return await Promise.race([
      Promise.resolve()
        .then(work)
        .then(() => undefined),
      late,
    ]);
  } catch (err) {
    return `${what}: ${err instanceof Error ? err.message : String(err)}`;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Undoes `steps` last first (emptying the list), each within what is left until `deadline`;
 * a step that throws or runs out of time is followed by the rest all the same. Says which
 * failed, and why, in order.
 */
export async function unwind(steps: CleanupStep[], deadline: number): Promise<string[]> {
  const failures: string[] = [];
  for (const step of steps.splice(0).reverse()) {
    // Past the budget a step still gets a second, so a quick one (closing a client) is not
    // reported late for what an earlier step used up.
    const failed = await within(step.what, Math.max(1_000, Math.min(30_000, deadline - Date.now())), step.run);
    if (failed) failures.push(failed);
  }
  return failures;
}

/**
 * Starts the world a controller suite runs in. If a step fails, what was already started is
 * torn down before the error is thrown, so a failed beforeAll leaves nothing behind either.
 */
export async function startFlowWorld(opts: FlowWorldOptions): Promise<FlowWorld> {
  const steps: CleanupStep[] = [];
  const writes: Write[] = [];
  try {
    const kc = new KubeConfig();
    const given = opts.external === false ? undefined : process.env.SCALE_TUI_TEST_KUBECONFIG;
    let embedded: ApiServerHandle | undefined;
    if (given) kc.loadFromString(readFileSync(given, 'utf8'));
    else if (opts.management === 'process') {
      const api = await startSimApiserverProcess();
      steps.push({ what: 'stop the sim apiserver process', run: () => api.stop() });
      kc.loadFromString(api.kubeconfigYaml);
    } else {
      const server = await startApiServer({ name: opts.name });
      embedded = server;
      steps.push({ what: 'stop the embedded management server', run: () => server.stop() });
      kc.loadFromString(server.kubeconfigYaml);
    }
    const client = new RestClient(kc);
    steps.push({ what: 'close the management client', run: () => client.close() });
    // What this world created goes again: a server named by SCALE_TUI_TEST_KUBECONFIG is
    // shared by every suite, and one that creates the providers with its own flags must find none.
    const made: string[] = [];
    steps.push({
      what: 'delete the providers and Node this world created',
      run: async () => {
        for (const path of made.splice(0).reverse()) await client.delete(path);
      },
    });
    for (const o of managementObjects())
      if ((await client.create(pathOf(o), o)) && o.kind !== 'Namespace') made.push(`${pathOf(o)}/${o.metadata.name}`);
    const nodeName = `${opts.name}-node`;
    const kubelet = new Kubelet({ kubeconfig: kc, nodeName, metrics: embedded?.metrics });
    if (!(await client.get(`/api/v1/nodes/${nodeName}`))) made.push(`/api/v1/nodes/${nodeName}`);
    steps.push({ what: 'stop the kubelet', run: () => kubelet.stop() });
    await kubelet.start();

    let workload: FlowWorld['workload'];
    if (opts.workload) {
      const pki = await clusterPki();
      const server = await startApiServer({
        name: `${opts.name}-workload`,
        builtinCrds: false,
        tls: {
          certPem: pki.serving.certPem,
          keyPem: pki.serving.keyPem,
          caPem: pki.ca.certPem,
          clientCaPem: pki.ca.certPem,
        },
      });
      steps.push({ what: 'stop the workload API', run: () => server.stop() });
      const wkc = new KubeConfig();
      wkc.loadFromString(server.kubeconfigYaml);
      const workloadClient = new RestClient(wkc);
      steps.push({ what: 'close the workload client', run: () => workloadClient.close() });
      workload = { server, client: workloadClient, pki };
    }

    let farm: Farm | undefined;
    if (opts.farmPorts) {
      const dir = mkdtempSync(join(tmpdir(), `${opts.name}-`));
      steps.push({ what: 'remove the farm state', run: () => rmSync(dir, { recursive: true, force: true }) });
      const opened = await Farm.open({ stateDir: join(dir, 'state'), basePort: await freePortBlock(opts.farmPorts) });
      farm = opened;
      steps.push({ what: 'close the farm', run: () => opened.close() });
    }

    const feed = opts.feedEmbedded ? embedded : undefined;
    const controllers = await startControllers({
      kubeconfig: kc,
      model: opts.model,
      sampleMs: opts.sampleMs ?? 500,
      sink: {
        appendLog: (ns, pod, container, line) => {
          opts.onLog?.(pod, line);
          feed?.logs.append(ns, pod, container, line);
        },
        setPodMetrics: (ns, pod, containers) => feed?.metrics.setPodMetrics(ns, pod, containers),
      },
      onWrite: opts.record
        ? (controller, verb, path, body, status) => {
            const w: Write = { controller, verb, path, body, status, at: Date.now() };
            if (opts.record?.(w)) writes.push(w);
          }
        : undefined,
    });
    steps.push({ what: 'stop the controllers', run: () => controllers.stop() });

    return {
      kc,
      client,
      embedded,
      kubelet,
      controllers,
      workload,
      farm,
      writes,
      stop: async ({ release = [], budgetMs = 50_000 } = {}) => {
        const deadline = Date.now() + budgetMs;
        const failures: string[] = [];
        for (const group of release.map((g) => (Array.isArray(g) ? g : [g]))) {
          const failed = await within(`release ${group.join(', ')}`, deadline - Date.now(), async () => {
            for (const path of group) await client.delete(path);
            await until(
              `${group.join(', ')} gone`,
              async () => {
                for (const path of group) if (await client.get(path)) return false;
                return true;
              },
              Math.max(0, deadline - Date.now()),
            );
          });
          if (failed) failures.push(failed);
        }
        failures.push(...(await unwind(steps, deadline)));
        if (failures.length) throw new Error(`flow world clean-up incomplete:\n${failures.join('\n')}`);
      },
    };
  } catch (err) {
    const failures = await unwind(steps, Date.now() + 50_000);
    if (failures.length) throw new Error(`${String(err)}; clean-up after it incomplete:\n${failures.join('\n')}`);
    throw err;
  }
}
