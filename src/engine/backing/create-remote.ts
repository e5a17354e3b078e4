// `scale-tui backing create NAME --ssh USER@HOST`: the seed's ansible role done by the
// tool, over plain ssh. On a host that already has docker and kind it checks the
// prerequisites, creates a single-node kind cluster bound to the host address with the
// NodePort slots exposed, fetches its kubeconfig (server rewritten to the host address)
// and hands it to `backing add`. Installing docker/kind is left to the user: it needs
// root and a package source, and the error says exactly what to run.
import { writePrivateFile } from '../../core/pki/files.js';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { UserError } from '../../core/errors.js';
import { ssh, type SshTarget } from '../tools/ssh.js';
import { backingKindConfig } from '../setup/kind-config.js';
import { INOTIFY_MIN, INOTIFY_RECOMMENDED } from '../setup/doctor.js';

export interface RemoteCreateOptions {
  name: string;
  target: SshTarget;
  capacity: number;
  stateDir: string;
  nodePortBase?: number;
  log?: (line: string) => void;
}

export interface RemoteCreateResult {
  kubeconfigPath: string;
  apiServerAddress: string;
  created: boolean;
  warnings: string[];
}

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * Points the kubeconfig at the host address other machines use, keeping the port kind
 * chose (6443 with our config). kind writes 127.0.0.1 unless apiServerAddress is set, and
 * the seed's parser accepted only `https://<ipv4>:6443` (§15.17).
 */
export function rewriteServer(kubeconfig: string, address: string): string {
  const doc = parseDocument(kubeconfig);
  const server = doc.getIn(['clusters', 0, 'cluster', 'server']);
  if (typeof server !== 'string')
    throw new UserError(
      'kind returned a kubeconfig without a cluster server',
      'Run `kind get kubeconfig` on the host to see what is wrong.',
    );
  let port = '6443';
  try {
    port = new URL(server).port || '443';
  } catch {
    throw new UserError(
      `kind returned an unreadable server address "${server}"`,
      'Run `kind get kubeconfig` on the host to see what is wrong.',
    );
  }
  doc.setIn(
    ['clusters', 0, 'cluster', 'server'],
    `https://${address.includes(':') ? `[${address}]` : address}:${port}`,
  );
  return doc.toString();
}

export async function createRemoteBacking(o: RemoteCreateOptions): Promise<RemoteCreateResult> {
  const log = o.log ?? (() => {});
  const t = o.target;
  const where = `${t.user}@${t.host}`;
  const warnings: string[] = [];

  const docker = await ssh(t, "docker version --format '{{.Server.Version}}'", { allowFailure: true });
  if (docker.exitCode === 255)
    throw new UserError(
      `cannot ssh to ${where}: ${docker.stderr.trim().split('\n').slice(-1)[0] ?? ''}`,
      `Check that \`ssh ${where} true\` works without a password prompt (key in ssh-agent or ~/.ssh/config).`,
    );
  if (docker.exitCode !== 0) {
    throw new UserError(
      `docker is not usable on ${where}: ${docker.stderr.trim().split('\n').slice(-1)[0] ?? ''}`,
      `On ${t.host}: install docker-ce, add ${t.user} to the docker group and log in again.`,
    );
  }
  log(`${where}: docker ${docker.stdout.trim()}`);
  const kind = await ssh(t, 'kind version', { allowFailure: true });
  if (kind.exitCode !== 0)
    throw new UserError(
      `kind is not installed on ${where}`,
      `On ${t.host}: install the kind release binary to /usr/local/bin/kind.`,
    );

  const limits = await ssh(t, 'cat /proc/sys/fs/inotify/max_user_watches /proc/sys/fs/inotify/max_user_instances', {
    allowFailure: true,
  });
  const [watches, instances] = limits.stdout.trim().split(/\s+/).map(Number);
  if ((watches ?? 0) < INOTIFY_MIN.maxUserWatches || (instances ?? 0) < INOTIFY_MIN.maxUserInstances) {
    const raise = await ssh(
      t,
      `sudo -n sysctl -w fs.inotify.max_user_watches=${INOTIFY_RECOMMENDED.maxUserWatches} fs.inotify.max_user_instances=${INOTIFY_RECOMMENDED.maxUserInstances}`,
      { allowFailure: true },
    );
    if (raise.exitCode !== 0)
      warnings.push(
        `inotify limits on ${t.host} are low (${watches}/${instances}) and could not be raised without a password; run: sudo sysctl -w fs.inotify.max_user_watches=${INOTIFY_RECOMMENDED.maxUserWatches} fs.inotify.max_user_instances=${INOTIFY_RECOMMENDED.maxUserInstances}`,
      );
    else log(`${where}: raised inotify limits`);
  }

  let address = t.host;
  if (!IPV4.test(address)) {
    const ip = await ssh(t, "hostname -I | awk '{print $1}'");
    address = ip.stdout.trim();
    if (!IPV4.test(address))
      throw new UserError(
        `cannot tell the IPv4 address of ${t.host} (got "${address}")`,
        'Pass --ssh USER@IPV4 with the address the management machine reaches it on.',
      );
  }

  const clusters = await ssh(t, 'kind get clusters');
  const exists = clusters.stdout
    .split('\n')
    .map((l) => l.trim())
    .includes(o.name);
  if (exists) {
    log(`${where}: kind cluster ${o.name} already exists, reusing it`);
  } else {
    const config = backingKindConfig({
      name: o.name,
      apiServerAddress: address,
      capacity: o.capacity,
      nodePortBase: o.nodePortBase,
    });
    log(`${where}: creating kind cluster ${o.name} (API ${address}:6443, ${o.capacity} NodePort slots)`);
    await ssh(t, `kind create cluster --name ${shellQuote(o.name)} --config - --wait 300s`, {
      input: config,
      timeoutMs: 900_000,
    });
  }
  const kc = await ssh(t, `kind get kubeconfig --name ${shellQuote(o.name)}`);
  const text = rewriteServer(kc.stdout, address);
  const dir = join(o.stateDir, 'backing');
  const kubeconfigPath = join(dir, `${o.name}.kubeconfig`);
  writePrivateFile(kubeconfigPath, text);
  return { kubeconfigPath, apiServerAddress: address, created: !exists, warnings };
}
