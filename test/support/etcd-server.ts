// Starts a real etcd (Debian etcd-server) on loopback for tests: TLS from a throwaway CA,
// client-cert-auth on, ephemeral ports, temp data dir. `requireEtcd()` tells a suite
// whether to run: skip with a message when etcd is absent, fail under SCALE_TUI_REQUIRE_ETCD=1.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCA, issueCert } from '../../src/core/pki/index.js';

export interface CertPair {
  certPem: string;
  keyPem: string;
}

export interface TestCa extends CertPair {
  issue(cn: string, opts?: { server?: boolean; organizations?: string[] }): CertPair;
}

/** A CA from existing PEMs (e.g. the experiment's etcd CA from src/engine/backing/etcd-pki). */
export function caFromPem(certPem: string, keyPem: string): TestCa {
  return issuerOf({ certPem, keyPem });
}

/** A throwaway CA for one suite, from the project's own issuer (src/core/pki). */
export function testCa(cn = 'etcd-ca'): TestCa {
  return issuerOf(createCA(cn, { validityDays: 1 }));
}

function issuerOf(ca: CertPair): TestCa {
  return {
    ...ca,
    issue(leafCn, opts = {}) {
      // etcd's peers and clients: a server certificate also serves as a client one (etcdctl, peers).
      return issueCert(ca, {
        commonName: leafCn,
        organizations: opts.organizations,
        usage: opts.server ? 'server-client' : 'client',
        validityDays: 1,
        dnsNames: opts.server ? ['localhost'] : [],
        ipAddresses: opts.server ? ['127.0.0.1'] : [],
      });
    },
  };
}

export function etcdAvailable(): boolean {
  return spawnSync('etcd', ['--version']).status === 0 && spawnSync('etcdctl', ['version']).status === 0;
}

/** Returns a skip reason, or undefined when etcd can run. Throws when CI demands etcd and it is absent. */
export function requireEtcd(): string | undefined {
  if (etcdAvailable()) return undefined;
  if (process.env.SCALE_TUI_REQUIRE_ETCD === '1') {
    throw new Error(
      'SCALE_TUI_REQUIRE_ETCD=1 but etcd/etcdctl are not installed (apt-get install etcd-server etcd-client)',
    );
  }
  console.warn('skipping real-etcd suite: etcd/etcdctl not installed (apt-get install etcd-server etcd-client)');
  return 'etcd not installed';
}

export interface TestEtcd {
  endpoint: string;
  dir: string;
  ca: TestCa;
  caFile: string;
  /** Writes a client cert/key for CN into the temp dir and returns the file paths. */
  clientFiles(cn: string): { certFile: string; keyFile: string };
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** With `pki`, etcd serves the given server cert and trusts the given CA (the experiment's own). */
export async function startEtcd(pki?: { ca: CertPair; server: CertPair }): Promise<TestEtcd> {
  const dir = mkdtempSync(join(tmpdir(), 'scale-tui-etcd-'));
  chmodSync(dir, 0o700);
  const ca = pki ? caFromPem(pki.ca.certPem, pki.ca.keyPem) : testCa();
  const server = pki ? pki.server : ca.issue('etcd-server', { server: true });
  const write = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text, { mode: 0o600 });
    return p;
  };
  const caFile = write('ca.crt', ca.certPem);
  const serverCert = write('server.crt', server.certPem);
  const serverKey = write('server.key', server.keyPem);
  const clientPort = await freePort();
  const peerPort = await freePort();
  const endpoint = `https://127.0.0.1:${clientPort}`;
  const proc: ChildProcess = spawn(
    'etcd',
    [
      '--name=test',
      `--data-dir=${join(dir, 'data')}`,
      `--listen-client-urls=${endpoint}`,
      `--advertise-client-urls=${endpoint}`,
      `--listen-peer-urls=http://127.0.0.1:${peerPort}`,
      `--initial-advertise-peer-urls=http://127.0.0.1:${peerPort}`,
      `--initial-cluster=test=http://127.0.0.1:${peerPort}`,
      '--client-cert-auth=true',
      `--trusted-ca-file=${caFile}`,
      `--cert-file=${serverCert}`,
      `--key-file=${serverKey}`,
      '--listen-metrics-urls=',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  proc.stderr?.on('data', (d: Buffer) => {
    log = (log + d.toString()).slice(-8000);
  });
  const files: TestEtcd['clientFiles'] = (cn) => {
    const pair = ca.issue(cn);
    return { certFile: write(`${cn}.crt`, pair.certPem), keyFile: write(`${cn}.key`, pair.keyPem) };
  };
  const root = files('root');
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`etcd exited early:\n${log}`);
    const r = spawnSync(
      'etcdctl',
      [
        `--endpoints=${endpoint}`,
        `--cacert=${caFile}`,
        `--cert=${root.certFile}`,
        `--key=${root.keyFile}`,
        '--command-timeout=2s',
        'endpoint',
        'health',
      ],
      {
        env: { ...process.env, ETCDCTL_API: '3' },
      },
    );
    if (r.status === 0) break;
    if (Date.now() > deadline) {
      proc.kill('SIGKILL');
      throw new Error(`etcd did not become healthy within 30 s:\n${log}`);
    }
    await new Promise((res) => setTimeout(res, 200));
  }
  return {
    endpoint,
    dir,
    ca,
    caFile,
    clientFiles: files,
    async stop() {
      if (proc.exitCode === null) {
        const exited = new Promise((res) => proc.once('exit', res));
        proc.kill('SIGTERM');
        await Promise.race([exited, new Promise((res) => setTimeout(res, 5000))]);
        if (proc.exitCode === null) proc.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
