// The SIGKILL kill matrix (issue 14, defect 4). Unlike the graceful-abort rounds
// (abort-harness.ts: engine.abort() in-process, which still runs every finally block), this
// SIGKILLs the REAL binary, `node bin/scale-tui.js`, at seeded points of `create`,
// `create --resume` and `delete --all --yes`: nothing after the kill runs, so what the
// journal, the API servers, etcd and the state dir hold at that instant is what the next run
// must work from. Per seed a PRNG picks the topology (dedicated: a tenant per cluster in a
// real etcd; shared: one shared API and its tenant), the cluster count and batch size, and
// the kill points (after K phase lines on stdout, or after a delay). A seed replays its plan
// exactly; where a delay kill lands in the work depends on the machine's load, a line kill
// much less. The records are read with `status --json`; everything else is checked from
// outside the tool (the management API, etcdctl, the ports, the state dir's key material).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { LABEL_CLUSTER } from '../../src/manifests/labels.js';
import type { ClusterRecord } from '../../src/core/types.js';
import { type CliWorld, startCliWorld } from '../support/cli-world.js';
import { freePortBlock } from '../support/ports.js';
import { prng } from './prng.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export type MatrixTopology = 'dedicated' | 'shared';

/** Where one process is SIGKILLed: after K matching stdout lines, or after a delay from spawn. */
export type KillPoint = { kind: 'lines'; after: number } | { kind: 'delay'; ms: number };

export interface KillPlan {
  seed: number;
  topology: MatrixTopology;
  count: number;
  batchSize: number;
  concurrency: number;
  /** [0] applies to `create --count N`, each further one to the next `create --resume`. */
  createKills: KillPoint[];
  /** Each applies to one `delete --all --yes`; a final delete then runs to completion. */
  deleteKills: KillPoint[];
}

export interface MatrixOptions {
  /** Cluster count range per seed (inclusive). */
  minCount: number;
  maxCount: number;
}

/** The plan of one seed: everything random in a round comes from here, so a seed replays it. */
export function planFor(seed: number, o: MatrixOptions): KillPlan {
  const r = prng(seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));
  const topology: MatrixTopology = r() < 0.65 ? 'dedicated' : 'shared';
  const count = int(o.minCount, o.maxCount);
  // Mostly one batch; sometimes several, so a kill can leave later batches never allocated.
  const batchSize = r() < 0.6 ? count : int(3, count - 1);
  const concurrency = int(3, 8);
  // Line kills land anywhere in the phase lines (9 per cluster on create, 2 on delete); a
  // delay kill can also land in start-up (loading the journal, starting informers, etcd).
  const point = (lines: number, maxMs: number): KillPoint =>
    r() < 0.7 ? { kind: 'lines', after: int(1, lines) } : { kind: 'delay', ms: int(300, maxMs) };
  const createKills = [point(9 * count - 1, 15_000)];
  // A resume run prints every known cluster once, then its transitions.
  if (r() < 0.5) createKills.push(point(3 * count, 10_000));
  if (createKills.length === 2 && r() < 0.4) createKills.push(point(3 * count, 10_000));
  const deleteKills = [point(2 * count - 1, 8_000)];
  if (r() < 0.3) deleteKills.push(point(2 * count - 1, 6_000));
  return { seed, topology, count, batchSize, concurrency, createKills, deleteKills };
}

function showPoint(p: KillPoint): string {
  if (p.kind === 'delay') return `after ${(p.ms / 1000).toFixed(1)} s`;
  return `after ${p.after} line${p.after === 1 ? '' : 's'}`;
}

export function describePlan(p: KillPlan): string {
  const creates = p.createKills.map((k, i) => `${i ? 'resume' : 'create'} ${showPoint(k)}`).join(', ');
  const deletes = p.deleteKills.map((k) => `delete ${showPoint(k)}`).join(', ');
  const batches = p.batchSize >= p.count ? 'one batch' : `batches of ${p.batchSize}`;
  const shape = `${p.topology}, ${p.count} clusters in ${batches}, concurrency ${p.concurrency}`;
  return `seed ${p.seed}: ${shape}; kill ${creates}; ${deletes}`;
}

/**
 * Seeds from SCALE_TUI_KILL_SEEDS ("7,42,1001", or "random" / "random:N" for fresh ones,
 * printed so a failure can be replayed), else the given defaults.
 */
export function seedsFromEnv(defaults: number[]): number[] {
  const v = process.env.SCALE_TUI_KILL_SEEDS?.trim();
  if (!v) return defaults;
  const rnd = /^random(?::(\d+))?$/.exec(v);
  if (rnd) {
    const n = rnd[1] ? Number(rnd[1]) : defaults.length;
    return Array.from({ length: n }, () => randomBytes(4).readUInt32BE() >>> 1);
  }
  const seeds = v.split(',').map((s) => Number(s.trim()));
  if (seeds.some((s) => !Number.isSafeInteger(s) || s < 0)) {
    throw new Error(`SCALE_TUI_KILL_SEEDS=${v}: expected non-negative integers separated by commas, or "random[:N]"`);
  }
  return seeds;
}

// ---------- the world: one management cluster, controllers, real etcd ----------

/**
 * The world of test/cli/create.test.ts: emulated controllers and a simulated kubelet on an
 * embedded management API, and a real etcd the binary administers through
 * SCALE_TUI_MANAGEMENT_ETCD (test/support/cli-world.ts).
 */
export type MatrixWorld = CliWorld;
export const startMatrixWorld = (): Promise<MatrixWorld> => startCliWorld('kill-matrix-');

// ---------- running the binary ----------

export interface CliRun {
  args: string[];
  code: number | null;
  signal: NodeJS.Signals | null;
  /** True when this harness delivered the SIGKILL (false: the run ended before its kill point). */
  killed: boolean;
  lines: number;
  stdout: string;
  stderr: string;
  ms: number;
}

/** A run that never ends is a finding, not a reason to wait forever. */
const HANG_MS = 240_000;

/** One experiment the binary runs: its config file, its state dir, its cluster-name prefix. */
export interface CliTarget {
  config: string;
  state: string;
  /** Lines of its clusters: `<prefix>-N <phase>[ (step: reason)]`. */
  phaseLine: RegExp;
}

export interface TargetOptions {
  prefix: string;
  topology: MatrixTopology;
  batchSize: number;
  concurrency: number;
  basePort: number;
}

/** Writes a config for `o.prefix` in `dir` and returns the target (state dir `dir/state`). */
export function cliTarget(dir: string, o: TargetOptions): CliTarget {
  const config = join(dir, 'config.yaml');
  writeFileSync(
    config,
    [
      `topology: ${o.topology}`,
      `naming:\n  prefix: ${o.prefix}`,
      `batch:\n  size: ${o.batchSize}\n  concurrency: ${o.concurrency}`,
      `endpoint:\n  mode: port-forward\n  host: 127.0.0.1\n  basePort: ${o.basePort}`,
      '',
    ].join('\n'),
  );
  return { config, state: join(dir, 'state'), phaseLine: new RegExp(`^${o.prefix}-\\d+ \\S`) };
}

/** Runs `node bin/scale-tui.js ARGS` for the target; SIGKILLs it at `kill` if it gets there first. */
export function runCli(m: MatrixWorld, s: CliTarget, args: string[], kill?: KillPoint): Promise<CliRun> {
  const started = Date.now();
  const session = ['--kubeconfig', m.kubeconfig, '--state-dir', s.state];
  const all = ['bin/scale-tui.js', '-c', s.config, ...args, ...session];
  return new Promise((done) => {
    const child = spawn(process.execPath, all, { env: m.env, cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let partial = '';
    let lines = 0;
    let killed = false;
    const killNow = (): void => {
      if (killed || child.exitCode !== null || child.signalCode !== null) return;
      killed = true;
      child.kill('SIGKILL');
    };
    const timer = kill?.kind === 'delay' ? setTimeout(killNow, kill.ms) : undefined;
    const hang = setTimeout(() => {
      stderr += `\n[kill-matrix] no exit after ${HANG_MS / 1000} s: killed as hung`;
      child.kill('SIGKILL');
    }, HANG_MS);
    child.stdout.on('data', (d: Buffer) => {
      const text = d.toString();
      stdout += text;
      const parts = (partial + text).split('\n');
      partial = parts.pop() ?? '';
      for (const l of parts) if (s.phaseLine.test(l)) lines++;
      if (kill?.kind === 'lines' && lines >= kill.after) killNow();
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      clearTimeout(hang);
      done({ args, code, signal, killed, lines, stdout, stderr, ms: Date.now() - started });
    });
  });
}

function tail(text: string, n = 8): string {
  return text.trim().split('\n').slice(-n).join('\n    ');
}

/** The last lines of a run's stderr and stdout, indented under its problem line. */
function outputOf(r: CliRun): string {
  return `\n    ${tail(r.stderr)}\n    ${tail(r.stdout)}`;
}

function showRun(r: CliRun): string {
  const end = r.killed ? 'SIGKILLed' : r.signal ? `signal ${r.signal}` : `exit ${r.code}`;
  return `${r.args.join(' ')}: ${end} (${r.lines} lines, ${(r.ms / 1000).toFixed(1)} s)`;
}

/** Ports nothing listens on: a dead process's sockets are closed before its parent sees it exit. */
function busy(port: number): Promise<boolean> {
  return new Promise((res) => {
    const srv = createServer();
    srv.once('error', () => res(true));
    srv.listen(port, '127.0.0.1', () => srv.close(() => res(false)));
  });
}

async function busyPorts(ports: Iterable<number>): Promise<number[]> {
  const out: number[] = [];
  for (const p of ports) if (await busy(p)) out.push(p);
  return out;
}

// ---------- what is on the API servers, in etcd and in the state dir ----------

/** Every kind the pipeline or the emulated controllers create for a cluster. */
const KINDS: Array<[string, string]> = [
  ['v1', 'Namespace'],
  ['v1', 'Secret'],
  ['v1', 'Service'],
  ['v1', 'ConfigMap'],
  ['apps/v1', 'Deployment'],
  ['cluster.x-k8s.io/v1beta2', 'Cluster'],
  ['cluster.x-k8s.io/v1beta2', 'Machine'],
  ['controlplane.cluster.x-k8s.io/v1beta2', 'KubeadmControlPlane'],
  ['bootstrap.cluster.x-k8s.io/v1beta2', 'KubeadmConfig'],
  ['infrastructure.cluster.x-k8s.io/v1beta2', 'Metal3Cluster'],
  ['infrastructure.cluster.x-k8s.io/v1beta2', 'Metal3Machine'],
  ['metal3.io/v1alpha1', 'BareMetalHost'],
];

interface Found {
  kind: string;
  namespace: string;
  name: string;
  /** scale-tui's cluster label, if any. */
  cluster?: string;
}

/** Objects of a seed: in a `<prefix>-...` namespace, so named (namespaces), or labelled with such a cluster. */
async function seedObjects(m: MatrixWorld, prefix: string): Promise<Found[]> {
  const ours = (s: string | undefined): boolean => s?.startsWith(`${prefix}-`) === true;
  const out: Found[] = [];
  for (const [v, k] of KINDS) {
    for (const o of await m.mgmt.list(v, k)) {
      const cluster = o.metadata.labels?.[LABEL_CLUSTER];
      const ns = o.metadata.namespace ?? '';
      if (ours(cluster) || ours(ns) || (k === 'Namespace' && ours(o.metadata.name))) {
        out.push({ kind: k, namespace: ns, name: o.metadata.name, cluster });
      }
    }
  }
  return out;
}

const show = (f: Found): string =>
  `${f.kind} ${f.namespace ? `${f.namespace}/` : ''}${f.name}${f.cluster ? ` [cluster=${f.cluster}]` : ''}`;

async function etcdNames(m: MatrixWorld, what: 'user' | 'role', prefix: string): Promise<string[]> {
  const all = (await m.etcdctl([what, 'list'])).split('\n').map((l) => l.trim());
  return all.filter((l) => l.startsWith(`${prefix}-`)).sort();
}

async function etcdKeys(m: MatrixWorld, keyPrefix: string): Promise<string[]> {
  return (await m.etcdctl(['get', keyPrefix, '--prefix', '--keys-only'])).split('\n').filter(Boolean);
}

interface StatusJson {
  clusters: ClusterRecord[];
  namespaces: Record<string, string[]>;
}

async function status(m: MatrixWorld, s: CliTarget, problems: string[]): Promise<StatusJson | undefined> {
  const r = await runCli(m, s, ['status', '--json']);
  if (r.code !== 0) {
    problems.push(`status --json: exit ${r.code}: ${tail(r.stderr)}`);
    return undefined;
  }
  return JSON.parse(r.stdout) as StatusJson;
}

// ---------- one round ----------

export interface MatrixResult {
  plan: KillPlan;
  /** One line per process run, in order. */
  runs: string[];
  /** SIGKILLs actually delivered (a run may end before its kill point). */
  kills: number;
  ready: number;
  failed: number;
  /** `name at step: reason` of clusters that ended cleanly failed (allowed, reported). */
  failures: string[];
  /** Everything wrong: duplicates, orphans, leftovers, stuck clusters, unexpected exits. */
  problems: string[];
  ms: number;
}

/** A run that was not killed ended as the command promises: 0, or 1 naming failed clusters. */
function endedCleanly(r: CliRun): boolean {
  return r.code === 0 || (r.code === 1 && /cluster\(s\) failed/.test(r.stderr));
}

export async function killMatrixRound(m: MatrixWorld, plan: KillPlan): Promise<MatrixResult> {
  const started = Date.now();
  const prefix = `km${plan.seed}`;
  // Outside the world's dir, which goes with the world: a failed seed's state is kept.
  const dir = mkdtempSync(join(tmpdir(), `kill-matrix-seed-${plan.seed}-`));
  const basePort = await freePortBlock(plan.count);
  const { topology, batchSize, concurrency } = plan;
  const s = cliTarget(dir, { prefix, topology, batchSize, concurrency, basePort });
  // The endpoint range: base+0 is the shared API's forwarder, base+N cluster N's.
  const endpointPorts = Array.from({ length: plan.count + 1 }, (_, i) => basePort + i);
  const runs: string[] = [];
  const problems: string[] = [];
  let kills = 0;
  const printed = new Set<string>();
  const run = async (args: string[], kill?: KillPoint): Promise<CliRun> => {
    const r = await runCli(m, s, args, kill);
    runs.push(showRun(r));
    if (r.killed) kills++;
    for (const l of r.stdout.split('\n')) if (s.phaseLine.test(l)) printed.add(l.split(' ')[0]!);
    // The forwarders live in the process: once it is gone, so must every listener be.
    const held = await busyPorts(endpointPorts);
    if (held.length) problems.push(`after ${showRun(r)}: endpoint ports listening: ${held.join(', ')}`);
    if (r.stderr.includes('[kill-matrix] no exit')) problems.push(`${showRun(r)} hung:${outputOf(r)}`);
    return r;
  };
  const mustEnd = (r: CliRun): void => {
    if (!r.killed && !endedCleanly(r)) problems.push(`${showRun(r)} failed:${outputOf(r)}`);
  };

  // 1. create, killed; then `create --resume`, maybe killed again; then a resume that finishes.
  const sizes = ['--batch-size', String(batchSize), '--concurrency', String(concurrency)];
  mustEnd(await run(['create', '--count', String(plan.count), ...sizes], plan.createKills[0]));
  for (const k of plan.createKills.slice(1)) mustEnd(await run(['create', '--resume'], k));
  const finish = await run(['create', '--resume', '--quiet']);
  if (!endedCleanly(finish)) problems.push(`final ${showRun(finish)} failed:${outputOf(finish)}`);
  // A kill before allocation (or between batches) leaves clusters never allocated: `--resume`
  // has nothing to finish for them, so the user asks for the rest, as a script would.
  let st = await status(m, s, problems);
  const have = st?.clusters.length ?? 0;
  if (st && have < plan.count) {
    const top = await run(['create', '--count', String(plan.count - have), '--batch-size', String(plan.count)]);
    if (!endedCleanly(top)) problems.push(`top-up ${showRun(top)} failed:${outputOf(top)}`);
    st = await status(m, s, problems);
  }

  // 2. After the resume: all there once, each ready or cleanly failed, nothing orphaned.
  const clusters = st?.clusters ?? [];
  if (st) problems.push(...checkRecords(plan.count, clusters, printed));
  const ready = clusters.filter((c) => c.phase === 'ready');
  const failedOnes = clusters.filter((c) => c.phase === 'failed');
  const failures = failedOnes.map((c) => `${c.name} at ${c.failure?.step}: ${c.failure?.reason}`);
  const seen = await checkAfterResume(m, prefix, topology, clusters, problems);

  // 3. delete --all, killed (maybe twice), then run to completion.
  for (const k of plan.deleteKills) mustEnd(await run(['delete', '--all', '--yes'], k));
  const del = await run(['delete', '--all', '--yes']);
  const clean = del.code === 0 && /deleted \d+, failed 0/.test(del.stdout);
  if (!clean) problems.push(`final ${showRun(del)}:${outputOf(del)}`);

  // 4. Nothing left: records, objects, namespaces, tenants, keys, listeners, key material.
  const after = await status(m, s, problems);
  if (after?.clusters.length) {
    problems.push(`after delete: status still lists ${after.clusters.map((c) => `${c.name} (${c.phase})`).join(', ')}`);
  }
  for (const [site, nss] of Object.entries(after?.namespaces ?? {})) {
    const left = nss.filter((n) => n.startsWith(`${prefix}-`));
    if (left.length) problems.push(`after delete: status lists namespaces on ${site}: ${left.join(', ')}`);
  }
  await checkAfterDelete(m, prefix, s.state, seen, problems);

  if (problems.length === 0) rmSync(dir, { recursive: true, force: true });
  else problems.push(`state dir kept for inspection: ${dir}`, ...runs.map((r) => `run: ${r}`));
  const ms = Date.now() - started;
  return { plan, runs, kills, ready: ready.length, failed: failedOnes.length, failures, problems, ms };
}

/** The journal's view (`status --json`): every cluster once, numbered 1..count, ready or failed with a reason. */
function checkRecords(count: number, clusters: ClusterRecord[], printed: Set<string>): string[] {
  const problems: string[] = [];
  const names = new Set(clusters.map((c) => c.name));
  const all = clusters.map((c) => c.name).join(',');
  if (clusters.length !== count) problems.push(`after resume: ${clusters.length} clusters (${all}), not ${count}`);
  if (names.size !== clusters.length) problems.push(`after resume: duplicate names in ${all}`);
  // Numbers are handed out above every number ever used and never reused: with no deletes
  // yet, the clusters are exactly 1..count.
  const numbers = clusters
    .map((c) => c.number)
    .sort((a, b) => a - b)
    .join(',');
  const expected = Array.from({ length: count }, (_, i) => i + 1).join(',');
  if (numbers !== expected) problems.push(`after resume: numbers ${numbers}, not 1..${count}`);
  for (const c of clusters) {
    if (c.phase === 'failed') {
      if (!c.failure?.step || !c.failure.reason) problems.push(`${c.name} failed without a step and reason`);
    } else if (c.phase !== 'ready') problems.push(`after resume: ${c.name} stuck in ${c.phase}`);
  }
  const lost = [...printed].filter((n) => !names.has(n));
  if (lost.length) problems.push(`after resume: clusters the runs printed are not in status: ${lost.join(', ')}`);
  return problems;
}

/** What a seed had on the API servers and in etcd after its resume: the delete must remove all of it. */
interface Seen {
  nodePorts: Set<number>;
  /** A key outside every tenant prefix, which delete must leave alone. */
  keep: string;
}

/**
 * The API's and etcd's view after the resume: no object, namespace or tenant without a
 * cluster record; each ready cluster with exactly one Cluster, its namespace and its tenant.
 */
async function checkAfterResume(
  m: MatrixWorld,
  prefix: string,
  topology: MatrixTopology,
  clusters: ClusterRecord[],
  problems: string[],
): Promise<Seen> {
  const sharedName = `${prefix}-shared`;
  const sharedNs = `${prefix}-shared-api`;
  const shared = topology === 'shared';
  const names = clusters.map((c) => c.name);
  const ready = clusters.filter((c) => c.phase === 'ready');
  // Who may own this seed's objects: its clusters, and in the shared topology the shared API.
  const allowed = new Set([...names, ...(shared ? [sharedName] : [])]);
  const objs = await seedObjects(m, prefix);
  for (const o of objs) {
    // CAPI's own objects carry no scale-tui label: their namespace names the cluster.
    const owner = o.kind === 'Namespace' ? o.name : (o.cluster ?? o.namespace);
    const record = owner === sharedNs ? sharedName : owner;
    if (!allowed.has(record)) problems.push(`orphan after resume (no cluster record): ${show(o)}`);
  }
  for (const c of ready) {
    const cl = objs.filter((o) => o.kind === 'Cluster' && o.name === c.name);
    if (cl.length !== 1) problems.push(`after resume: ${c.name} has ${cl.length} Cluster objects`);
    const ns = objs.some((o) => o.kind === 'Namespace' && o.name === c.namespace);
    if (!ns) problems.push(`after resume: ${c.name} has no namespace ${c.namespace}`);
  }
  const users = await etcdNames(m, 'user', prefix);
  const roles = await etcdNames(m, 'role', prefix);
  const tenants = shared ? [sharedName] : names;
  for (const t of [...users, ...roles]) {
    if (!tenants.includes(t)) problems.push(`etcd tenant without a cluster after resume: ${t}`);
  }
  const mustHave = shared ? (ready.length ? [sharedName] : []) : ready.map((c) => c.name);
  for (const t of mustHave) {
    if (!users.includes(t) || !roles.includes(t)) {
      problems.push(`after resume: etcd tenant ${t} incomplete (user ${users.includes(t)}, role ${roles.includes(t)})`);
    }
  }
  // The workload API servers (the simulated kubelet's, in this process) must go with the delete.
  const nodePorts = new Set<number>();
  for (const svc of await m.mgmt.list('v1', 'Service')) {
    if (!(svc.metadata.namespace ?? '').startsWith(`${prefix}-`)) continue;
    const ports = (svc.spec as { ports?: Array<{ nodePort?: number }> } | undefined)?.ports ?? [];
    for (const p of ports) if (p.nodePort) nodePorts.add(p.nodePort);
  }
  // The apiservers are embedded here and write no etcd keys: stand in for them, one key per
  // tenant, and one key outside every tenant prefix.
  for (const t of users) await m.etcdctl(['put', `/${t}/registry/marker`, 'x']);
  const keep = `/keep-${prefix}/k`;
  await m.etcdctl(['put', keep, 'keep']);
  return { nodePorts, keep };
}

/** Nothing of the seed left on the API, in etcd, in the state dir's key material, or listening. */
async function checkAfterDelete(
  m: MatrixWorld,
  prefix: string,
  state: string,
  seen: Seen,
  problems: string[],
): Promise<void> {
  for (const o of await seedObjects(m, prefix)) problems.push(`left after delete: ${show(o)}`);
  for (const u of await etcdNames(m, 'user', prefix)) problems.push(`left after delete: etcd user ${u}`);
  for (const r of await etcdNames(m, 'role', prefix)) problems.push(`left after delete: etcd role ${r}`);
  for (const k of await etcdKeys(m, `/${prefix}-`)) problems.push(`left after delete: etcd key ${k}`);
  if ((await etcdKeys(m, seen.keep)).length !== 1) problems.push(`delete removed ${seen.keep} (no tenant's key)`);
  await m.etcdctl(['del', seen.keep]);
  const pki = join(state, 'pki');
  const keyFile = (f: string): boolean => f.startsWith(`cluster-${prefix}-`) && f.endsWith('.json');
  for (const f of existsSync(pki) ? readdirSync(pki).filter(keyFile) : []) {
    problems.push(`left after delete: key material ${f}`);
  }
  // The kubelet stops a workload API server when it sees its Deployment go (a watch event),
  // so it gets a bounded moment before a port counts as held.
  let held = await busyPorts(seen.nodePorts);
  for (let i = 0; i < 60 && held.length; i++) {
    await new Promise((r) => setTimeout(r, 500));
    held = await busyPorts(held);
  }
  if (held.length) problems.push(`left after delete: workload API NodePorts still listening: ${held.join(', ')}`);
}

/** After a failed round: remove what the seed left so later seeds run on a clean world. */
export async function sweepSeed(m: MatrixWorld, seed: number): Promise<void> {
  const prefix = `km${seed}`;
  for (const o of (await seedObjects(m, prefix)).filter((f) => f.kind === 'Namespace')) {
    await m.mgmt.delete('v1', 'Namespace', o.name).catch(() => undefined);
  }
  for (const what of ['user', 'role'] as const) {
    for (const n of await etcdNames(m, what, prefix)) await m.etcdctl([what, 'delete', n]).catch(() => undefined);
  }
  await m.etcdctl(['del', `/${prefix}-`, '--prefix']).catch(() => undefined);
}

/** The plan, each run and the outcome of a round, as the tests print it. */
export function summarize(r: MatrixResult): string {
  const outcome = `${r.kills} kills, ${r.ready} ready, ${r.failed} cleanly failed, ${(r.ms / 1000).toFixed(0)} s`;
  const failed = r.failures.length ? `\n  cleanly failed: ${r.failures.join('; ')}` : '';
  return `${describePlan(r.plan)}\n  ${r.runs.join('\n  ')}\n  => ${outcome}${failed}`;
}
