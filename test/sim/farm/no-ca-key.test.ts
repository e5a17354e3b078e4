// A farm, perhaps on another machine, never receives or keeps a cluster's CA private key: the
// engine's FarmClient sends the CA certificates and the leaves it issued from them, and the
// farm's state dir (0600 files) holds those and no CA key, also after an FKAS-style register
// that sent CA keys, and after a farm upgraded in place rewrites a state file that held them.
// A restart still serves the same certificates. What is sent is read off the wire through a
// recording proxy; what is kept, off every file under the state dir. A private key is found
// in any encoding (PEM, PEM in base64, PKCS#1 or PKCS#8) and compared by its public key.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveFarm, type FarmHandle } from '../../../src/engine/topology/farm-serve.js';
import { FarmClient } from '../../../src/engine/topology/farm.js';
import { createCA, type CertKeyPair } from '../../../src/core/pki/index.js';
import { freePortBlock } from '../../support/ports.js';

const PEM_KEY = /-----BEGIN ([A-Z ]*)PRIVATE KEY-----[\s\S]*?-----END \1PRIVATE KEY-----/g;

/** Every string inside a JSON text (each also base64-decoded), or a plain text as it is. */
function textsOf(raw: string): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (typeof v === 'string') {
      out.push(v);
      if (/^[A-Za-z0-9+/=\s]{40,}$/.test(v)) out.push(Buffer.from(v, 'base64').toString('utf8'));
    } else if (v && typeof v === 'object') for (const x of Object.values(v)) walk(x);
  };
  try {
    walk(JSON.parse(raw));
  } catch {
    // not JSON (a log, a token): the raw text is searched as it is
    out.push(raw);
  }
  return out;
}

/** The public keys (SPKI DER, base64) of every private key in `raw`. */
function privateKeysIn(raw: string): Set<string> {
  const found = new Set<string>();
  for (const t of textsOf(raw))
    for (const m of t.matchAll(PEM_KEY)) {
      const pub = createPublicKey(createPrivateKey(m[0]));
      found.add(pub.export({ type: 'spki', format: 'der' }).toString('base64'));
    }
  return found;
}

const publicOf = (ca: CertKeyPair): string =>
  new X509Certificate(ca.certPem).publicKey.export({ type: 'spki', format: 'der' }).toString('base64');

/** Every file under `dir` with its mode. */
function filesUnder(dir: string): Array<{ path: string; mode: number }> {
  const out: Array<{ path: string; mode: number }> = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const st = statSync(path);
    if (st.isDirectory()) out.push(...filesUnder(path));
    else out.push({ path, mode: st.mode & 0o777 });
  }
  return out;
}

/** The certificate a cluster's listener presents (its fingerprint). */
function servedFingerprint(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      resolve(s.getPeerX509Certificate()?.fingerprint256 ?? '');
      s.destroy();
    });
    s.once('error', reject);
    s.setTimeout(5000, () => s.destroy(new Error('no TLS answer within 5 s')));
  });
}

describe('farm: no CA private key is sent to or kept by a farm', () => {
  let dir: string;
  let basePort: number;
  let farm: FarmHandle;
  let proxy: http.Server;
  let proxyUrl: string;
  const sent: string[] = [];
  // RSA, as the engine's cluster CAs are (createCA's default).
  const ca = createCA('nk-1-ca');
  const etcdCa = createCA('nk-1-etcd');
  const fkasCa = createCA('nk-2-ca', { keyAlgorithm: 'ecdsa-p256' });
  const fkasEtcdCa = createCA('nk-2-etcd', { keyAlgorithm: 'ecdsa-p256' });
  const caKeys = [ca, etcdCa, fkasCa, fkasEtcdCa].map(publicOf);

  const open = () =>
    serveFarm({ stateDir: join(dir, 'farm'), host: '127.0.0.1', basePort, controlPort: 0, capacity: 10 });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'farm-nokey-'));
    basePort = await freePortBlock(4);
    farm = await open();
    // Records each request body on its way to the farm's control API.
    proxy = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks);
        sent.push(body.toString('utf8'));
        const up = http.request(`${farm.controlUrl}${req.url}`, { method: req.method, headers: req.headers }, (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        });
        up.on('error', () => res.destroy());
        up.end(body);
      });
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    proxy.closeAllConnections();
    await new Promise<void>((r) => proxy.close(() => r()));
    await farm.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("the engine's register sends CA certificates and issued leaves, no CA key; the farm serves them", async () => {
    const client = new FarmClient({ name: 'f', url: proxyUrl, token: farm.token });
    const reg = await client.register('nk-1', 'nk-1', { ca, etcdCa });
    expect(sent.length).toBeGreaterThan(0);
    const keysSent = new Set(sent.flatMap((b) => [...privateKeysIn(b)]));
    // The leaves' keys travel (serving, etcd serving, admin); no CA's does.
    expect(keysSent.size).toBe(3);
    for (const k of caKeys) expect(keysSent.has(k)).toBe(false);
    const rec = farm.farm.record('nk-1', 'nk-1');
    expect(rec.caCertPem).toBe(ca.certPem);
    expect(rec.etcdCaCertPem).toBe(etcdCa.certPem);
    const caCert = new X509Certificate(ca.certPem);
    expect(new X509Certificate(rec.serving.certPem).verify(caCert.publicKey)).toBe(true);
    expect(new X509Certificate(rec.admin.certPem).verify(caCert.publicKey)).toBe(true);
    expect(new X509Certificate(rec.etcdServing.certPem).verify(new X509Certificate(etcdCa.certPem).publicKey)).toBe(
      true,
    );
    expect(await servedFingerprint(reg.port)).toBe(new X509Certificate(rec.serving.certPem).fingerprint256);
  });

  it('an FKAS-style register with CA keys is served, and the keys are not kept', async () => {
    const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
    const res = await fetch(`${farm.controlUrl}/register`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        cluster: 'nk-2',
        namespace: 'nk-2',
        caCert: b64(fkasCa.certPem),
        caKey: b64(fkasCa.keyPem),
        etcdCert: b64(fkasEtcdCa.certPem),
        etcdKey: b64(fkasEtcdCa.keyPem),
      }),
      signal: AbortSignal.timeout(10_000),
    });
    expect(res.status).toBe(200);
    const rec = farm.farm.record('nk-2', 'nk-2');
    expect(new X509Certificate(rec.serving.certPem).verify(new X509Certificate(fkasCa.certPem).publicKey)).toBe(true);
    expect(Object.keys(rec)).not.toContain('ca');
    expect(Object.keys(rec)).not.toContain('etcdCa');
  });

  it('a leaf not issued by the CA sent with it is refused with a fix', async () => {
    const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
    const stranger = createCA('stranger', { keyAlgorithm: 'ecdsa-p256' });
    const res = await fetch(`${farm.controlUrl}/register`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        cluster: 'nk-3',
        namespace: 'nk-3',
        caCert: b64(ca.certPem),
        etcdCert: b64(etcdCa.certPem),
        // A CA's own pair where a leaf belongs: refused before anything is served.
        servingCert: b64(stranger.certPem),
        servingKey: b64(stranger.keyPem),
        etcdServingCert: b64(stranger.certPem),
        etcdServingKey: b64(stranger.keyPem),
        adminCert: b64(stranger.certPem),
        adminKey: b64(stranger.keyPem),
      }),
      signal: AbortSignal.timeout(10_000),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: string; fix: string };
    expect(body.error).toMatch(/serving: is a CA certificate/);
    expect(body.fix).toMatch(/<cluster>-ca/);
  });

  it('the state dir holds no CA key, every file 0600; a restart serves the same certificates', async () => {
    farm.farm.flush();
    const before = await servedFingerprint(farm.farm.record('nk-1', 'nk-1').port);
    const etcdBefore = farm.farm.record('nk-1', 'nk-1').etcdServing.certPem;
    const check = () => {
      const files = filesUnder(join(dir, 'farm'));
      expect(files.some((f) => f.path.endsWith('nk-1_nk-1.json'))).toBe(true);
      for (const f of files) {
        expect({ file: f.path, mode: f.mode.toString(8) }).toEqual({ file: f.path, mode: '600' });
        const keys = privateKeysIn(readFileSync(f.path, 'utf8'));
        for (const k of caKeys) expect({ file: f.path, caKey: keys.has(k) }).toEqual({ file: f.path, caKey: false });
      }
    };
    check();
    await farm.close();
    farm = await open();
    const rec = farm.farm.record('nk-1', 'nk-1');
    expect(await servedFingerprint(rec.port)).toBe(before);
    expect(rec.etcdServing.certPem).toBe(etcdBefore);
    check();
  });

  it('a state file of an older farm (both CA keys in it) is served again and rewritten without them', async () => {
    await farm.close();
    const file = join(dir, 'farm', 'clusters', 'nk-1_nk-1.json');
    const v2 = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    const { caCertPem: _c, etcdCaCertPem: _e, etcdServing: _s, ...rest } = v2;
    writeFileSync(file, JSON.stringify({ ...rest, version: 1, ca, etcdCa }), { mode: 0o600 });
    expect([...privateKeysIn(readFileSync(file, 'utf8'))]).toContain(publicOf(ca));
    farm = await open();
    const rec = farm.farm.record('nk-1', 'nk-1');
    expect(rec.version).toBe(2);
    expect(await servedFingerprint(rec.port)).toBe(
      new X509Certificate((v2.serving as CertKeyPair).certPem).fingerprint256,
    );
    expect(new X509Certificate(rec.etcdServing.certPem).verify(new X509Certificate(etcdCa.certPem).publicKey)).toBe(
      true,
    );
    const keys = privateKeysIn(readFileSync(file, 'utf8'));
    expect(keys.has(publicOf(ca))).toBe(false);
    expect(keys.has(publicOf(etcdCa))).toBe(false);
  });
});
