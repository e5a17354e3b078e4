// The world the binary's own suites run `node bin/scale-tui.js` in: emulated controllers and
// a simulated kubelet on an embedded management API, and a real etcd, with root enabled, that
// the binary administers through SCALE_TUI_MANAGEMENT_ETCD (a root client certificate,
// etcdctl run locally). The create, safety and kill-matrix suites each built it, and the
// graceful-abort rounds the etcd part of it; one copy keeps them starting the same thing.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeClient } from '../../src/core/kube/client.js';
import { EtcdctlAdmin, type EtcdTlsFiles, localEtcdctl } from '../../src/engine/etcd/etcdctl.js';
import { startEtcd, type TestEtcd } from './etcd-server.js';
import { startWorld, type World } from './fake-controllers.js';

export interface RootedEtcd {
  etcd: TestEtcd;
  /** The root client certificate's files and the endpoint: what etcdctl and the binary connect with. */
  conn: EtcdTlsFiles;
  /** New for each start, never a literal (the seed used `rootpw`). */
  rootPassword: string;
  admin: EtcdctlAdmin;
}

/** A real etcd with the root user and auth enabled, as the engine finds a management etcd. */
export async function startRootedEtcd(): Promise<RootedEtcd> {
  const etcd = await startEtcd();
  try {
    const conn = { endpoints: [etcd.endpoint], caFile: etcd.caFile, ...etcd.clientFiles('root') };
    const rootPassword = randomBytes(24).toString('base64url');
    const admin = new EtcdctlAdmin(localEtcdctl(conn), rootPassword);
    await admin.ensureRoot();
    return { etcd, conn, rootPassword, admin };
  } catch (err) {
    await etcd.stop();
    throw err;
  }
}

export interface CliWorld {
  world: World;
  etcd: TestEtcd;
  admin: EtcdctlAdmin;
  /** A temporary folder holding etcd.json and mgmt.kubeconfig (both 0600); removed by stop(). */
  dir: string;
  kubeconfig: string;
  /** The environment for the binary: SCALE_TUI_MANAGEMENT_ETCD names etcd.json. */
  env: NodeJS.ProcessEnv;
  mgmt: KubeClient;
  /** etcdctl as root; asynchronous, so the in-process API and controllers keep running meanwhile. */
  etcdctl(args: string[]): Promise<string>;
  stop(): Promise<void>;
}

export async function startCliWorld(prefix = 'cli-world-'): Promise<CliWorld> {
  const world = await startWorld();
  let rooted: RootedEtcd | undefined;
  try {
    rooted = await startRootedEtcd();
    const { etcd, conn, rootPassword, admin } = rooted;
    const dir = mkdtempSync(join(tmpdir(), prefix));
    const etcdFile = join(dir, 'etcd.json');
    writeFileSync(etcdFile, JSON.stringify({ ...conn, rootPassword }), { mode: 0o600 });
    const kubeconfig = join(dir, 'mgmt.kubeconfig');
    writeFileSync(kubeconfig, world.management.kubeconfigYaml, { mode: 0o600 });
    // Asynchronous on purpose: the management API and the controllers run in this process,
    // and a synchronous etcdctl would stall them while a child scale-tui waits on them.
    const etcdctl = (args: string[]): Promise<string> =>
      new Promise((res, rej) => {
        const tls = [`--cacert=${conn.caFile}`, `--cert=${conn.certFile}`, `--key=${conn.keyFile}`];
        const env = { ...process.env, ETCDCTL_API: '3' };
        execFile('etcdctl', [`--endpoints=${etcd.endpoint}`, ...tls, ...args], { env }, (err, stdout, stderr) =>
          err ? rej(new Error(`etcdctl ${args.join(' ')}: ${stderr || err.message}`)) : res(stdout),
        );
      });
    return {
      world,
      etcd,
      admin,
      dir,
      kubeconfig,
      env: { ...process.env, SCALE_TUI_MANAGEMENT_ETCD: etcdFile },
      mgmt: KubeClient.from({ kubeconfigYaml: world.management.kubeconfigYaml }),
      etcdctl,
      async stop() {
        await world.stop();
        await etcd.stop();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await world.stop();
    await rooted?.etcd.stop();
    throw err;
  }
}
