// Starts a real etcd (Debian etcd-server) on loopback for tests: TLS from a throwaway CA,
// client-cert-auth on, ephemeral ports, temp data dir. `requireEtcd()` tells a suite
// whether to run: skip with a message when etcd is absent, fail under SCALE_TUI_REQUIRE_ETCD=1.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import forge from 'node-forge';

export interface CertPair {
  certPem: string;
  keyPem: string;
}

export interface TestCa extends CertPair {
  issue(cn: string, opts?: { server?: boolean; organizations?: string[] }): CertPair;
}

/** A minimal CA for tests until src/engine/pki is wired in; node:crypto keys, forge certificates. */
/** A CA from existing PEMs (e.g. the experiment's etcd CA from src/engine/backing/etcd-pki). */
export function caFromPem(certPem: string, keyPem: string): TestCa {
  const caCert = forge.pki.certificateFromPem(certPem);
  const priv = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  return issuerOf(caCert, priv, certPem, keyPem);
}

export function testCa(cn = 'etcd-ca'): TestCa {
  const ca = keyPair();
  const caCert = forge.pki.createCertificate();
  caCert.publicKey = ca.pub;
  caCert.serialNumber = serial();
  caCert.validity.notBefore = new Date(Date.now() - 60_000);
  caCert.validity.notAfter = new Date(Date.now() + 24 * 3600_000);
  caCert.setSubject([{ name: 'commonName', value: cn }]);
  caCert.setIssuer([{ name: 'commonName', value: cn }]);
  caCert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, digitalSignature: true, critical: true },
  ]);
  caCert.sign(ca.priv, forge.md.sha256.create());
  return issuerOf(caCert, ca.priv, forge.pki.certificateToPem(caCert), ca.pem);
}

function issuerOf(
  caCert: forge.pki.Certificate,
  caPriv: forge.pki.rsa.PrivateKey,
  certPem: string,
  keyPem: string,
): TestCa {
  return {
    certPem,
    keyPem,
    issue(leafCn, opts = {}) {
      const k = keyPair();
      const c = forge.pki.createCertificate();
      c.publicKey = k.pub;
      c.serialNumber = serial();
      c.validity.notBefore = new Date(Date.now() - 60_000);
      c.validity.notAfter = new Date(Date.now() + 24 * 3600_000);
      const subject: forge.pki.CertificateField[] = [{ name: 'commonName', value: leafCn }];
      for (const o of opts.organizations ?? []) subject.push({ name: 'organizationName', value: o });
      c.setSubject(subject);
      c.setIssuer(caCert.subject.attributes);
      const ext: object[] = [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
        { name: 'extKeyUsage', clientAuth: true, serverAuth: opts.server ?? false },
      ];
      if (opts.server)
        ext.push({
          name: 'subjectAltName',
          altNames: [
            { type: 2, value: 'localhost' },
            { type: 7, ip: '127.0.0.1' },
          ],
        });
      c.setExtensions(ext);
      c.sign(caPriv, forge.md.sha256.create());
      return { certPem: forge.pki.certificateToPem(c), keyPem: k.pem };
    },
  };
}

function keyPair(): { pub: forge.pki.PublicKey; priv: forge.pki.rsa.PrivateKey; pem: string } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  const priv = forge.pki.privateKeyFromPem(pem) as forge.pki.rsa.PrivateKey;
  const pub = forge.pki.setRsaPublicKey(priv.n, priv.e);
  return { pub, priv, pem };
}

function serial(): string {
  // Positive 16-byte serial (high bit cleared).
  const b = randomBytes(16);
  b[0] = b[0]! & 0x7f;
  return b.toString('hex');
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
