// Network namespaces for the lab: the test VM ("host"), kind's docker network as a bridge
// with the host's gateway address on it, kind node namespaces, and backing VMs on a
// second bridge. Every address lives inside namespaces made here; the root namespace gets
// nothing and no namespace has a route out of the lab. Teardown kills every process in
// the lab's namespaces and deletes them, which removes their bridges and veths; a lab
// left behind by a killed test run is swept by the next one (its creator pid is in the
// namespace names).
import { execFileSync, spawnSync } from 'node:child_process';

export interface LabHost {
  /** Namespace name (`ip netns exec NAME ...`). */
  ns: string;
  /** Its address on its network. */
  ip: string;
}

export interface LabNetwork {
  prefix: string;
  /** The test VM. */
  host: string;
  /** The host's address on the kind network: what kind's nodes see as their gateway. */
  kindGateway: string;
  /** The host's address on the VM network. */
  vmGateway: string;
  nodes: LabHost[];
  vms: LabHost[];
  /** Cut (false) or restore (true) one host's link, as a cable pulled on a VM. */
  setLink(h: LabHost, up: boolean): void;
  destroy(): void;
}

// Ranges chosen to stay clear of docker's defaults and common LANs; they exist only
// inside the lab's namespaces.
const KIND_NET = '172.31.250';
const VM_NET = '10.251.250';
const NAME = /^stl-(\d+)-/;

function ip(args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 });
}

function inNs(ns: string, args: string[]): void {
  ip(['netns', 'exec', ns, ...args]);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function listNamespaces(): string[] {
  const r = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8', timeout: 10_000 });
  return (r.stdout ?? '')
    .split('\n')
    .map((l) => l.split(' ')[0]!)
    .filter(Boolean);
}

/** Kills every process in a namespace, then deletes it (its links go with it). */
export function removeNamespace(ns: string): void {
  for (let i = 0; i < 20; i++) {
    const r = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8', timeout: 10_000 });
    const pids = (r.stdout ?? '')
      .split('\n')
      .map(Number)
      .filter((n) => n > 0);
    if (pids.length === 0) break;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    spawnSync('sleep', ['0.1']);
  }
  spawnSync('ip', ['netns', 'del', ns], { timeout: 10_000 });
}

/** Removes labs whose creating process is gone (a test runner that was SIGKILLed). */
export function sweepStaleLabs(): string[] {
  const stale = listNamespaces().filter((n) => {
    const m = NAME.exec(n);
    return m && !alive(Number(m[1]));
  });
  for (const n of stale) removeNamespace(n);
  return stale;
}

/** Why the lab cannot run here, or undefined when it can (root, iproute2, netns support). */
export function labUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'the lab needs Linux network namespaces';
  if (process.getuid?.() !== 0) return 'the lab needs root (ip netns, veth, bridges)';
  const probe = `stl-${process.pid}-probe`;
  const r = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8', timeout: 10_000 });
  if (r.error || r.status !== 0) return `ip netns add failed: ${(r.error?.message ?? r.stderr).trim()}`;
  spawnSync('ip', ['netns', 'del', probe], { timeout: 10_000 });
  return undefined;
}

export interface LabNetworkSpec {
  /** kind node namespaces (the management cluster has 1; kind's default 3 need no more here). */
  nodes: number;
  /** Backing VMs. */
  vms: number;
}

export function createLabNetwork(spec: LabNetworkSpec): LabNetwork {
  sweepStaleLabs();
  const prefix = `stl-${process.pid}-${Math.random().toString(36).slice(2, 6)}`;
  const made: string[] = [];
  const host = `${prefix}-host`;
  // Interface names are at most 15 bytes: keep them short and unique within the host ns.
  const tag = prefix.slice(-4);
  const net: LabNetwork = {
    prefix,
    host,
    kindGateway: `${KIND_NET}.1`,
    vmGateway: `${VM_NET}.1`,
    nodes: [],
    vms: [],
    setLink(h, up) {
      const idx = [...net.nodes, ...net.vms].indexOf(h);
      if (idx < 0) throw new Error(`${h.ns} is not in this lab`);
      inNs(host, ['ip', 'link', 'set', `v${tag}${idx}`, up ? 'up' : 'down']);
    },
    destroy() {
      process.off('exit', onExit);
      for (const ns of [...made].reverse()) removeNamespace(ns);
      made.length = 0;
    },
  };
  // A test runner that exits without calling destroy() (a failed hook, a thrown error)
  // still takes the lab down; one that is SIGKILLed is swept by the next run.
  const onExit = () => net.destroy();
  process.once('exit', onExit);
  const add = (ns: string) => {
    ip(['netns', 'add', ns]);
    made.push(ns);
    inNs(ns, ['ip', 'link', 'set', 'lo', 'up']);
  };
  try {
    add(host);
    // The host routes between its two networks, as the test VM does for kind's nodes
    // reaching other VMs; this sysctl is per namespace.
    inNs(host, ['sysctl', '-qw', 'net.ipv4.ip_forward=1']);
    for (const [br, addr] of [
      ['kindnet', `${KIND_NET}.1/24`],
      ['vmnet', `${VM_NET}.1/24`],
    ] as const) {
      inNs(host, ['ip', 'link', 'add', br, 'type', 'bridge']);
      inNs(host, ['ip', 'addr', 'add', addr, 'dev', br]);
      inNs(host, ['ip', 'link', 'set', br, 'up']);
    }
    const attach = (kind: 'node' | 'vm', i: number, idx: number): LabHost => {
      const ns = `${prefix}-${kind}${i + 1}`;
      const [bridge, subnet, gw] =
        kind === 'node' ? ['kindnet', KIND_NET, `${KIND_NET}.1`] : ['vmnet', VM_NET, `${VM_NET}.1`];
      const addr = `${subnet}.${i + 2}`;
      add(ns);
      const outer = `v${tag}${idx}`;
      inNs(host, ['ip', 'link', 'add', outer, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
      inNs(host, ['ip', 'link', 'set', outer, 'master', bridge]);
      inNs(host, ['ip', 'link', 'set', outer, 'up']);
      inNs(ns, ['ip', 'addr', 'add', `${addr}/24`, 'dev', 'eth0']);
      inNs(ns, ['ip', 'link', 'set', 'eth0', 'up']);
      // The default route leads to the lab's host, which has none beyond the lab.
      inNs(ns, ['ip', 'route', 'add', 'default', 'via', gw]);
      return { ns, ip: addr };
    };
    for (let i = 0; i < spec.nodes; i++) net.nodes.push(attach('node', i, i));
    for (let i = 0; i < spec.vms; i++) net.vms.push(attach('vm', i, spec.nodes + i));
  } catch (err) {
    net.destroy();
    throw err;
  }
  return net;
}
