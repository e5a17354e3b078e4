// Proves the tenancy model against a real etcd with TLS and auth (SEED-SCRIPTS §6, §15.13-14).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { EtcdctlAdmin, localEtcdctl } from '../../../src/engine/etcd/etcdctl.js';
import { prefixRangeEnd, tenantPrefix } from '../../../src/core/etcd/admin.js';
import { runTool } from '../../../src/engine/tools/run.js';
import { requireEtcd, startEtcd, type TestEtcd } from '../../support/etcd-server.js';

const skip = requireEtcd();

describe.skipIf(skip !== undefined)('etcd tenancy against a real etcd', () => {
  let etcd: TestEtcd;
  let admin: EtcdctlAdmin;
  const rootPassword = randomBytes(18).toString('base64url');

  /** etcdctl as the identity in the client certificate (no user/password), like kube-apiserver. */
  async function as(cn: string, args: string[]) {
    const f = etcd.clientFiles(cn);
    return runTool(
      'etcdctl',
      [
        `--endpoints=${etcd.endpoint}`,
        `--cacert=${etcd.caFile}`,
        `--cert=${f.certFile}`,
        `--key=${f.keyFile}`,
        '--command-timeout=5s',
        ...args,
      ],
      {
        allowFailure: true,
        env: { ETCDCTL_API: '3' },
      },
    );
  }

  beforeAll(async () => {
    etcd = await startEtcd();
    const root = etcd.clientFiles('root');
    admin = new EtcdctlAdmin(localEtcdctl({ endpoints: [etcd.endpoint], caFile: etcd.caFile, ...root }), rootPassword);
    await admin.ensureRoot();
    for (const t of ['test-1', 'test-10', 'test-2']) await admin.ensureTenant(t);
  });

  afterAll(async () => {
    await etcd?.stop();
  });

  it('auth is on: an unknown identity can neither read nor write', async () => {
    const w = await as('nobody', ['put', '/test-1/x', 'v']);
    expect(w.exitCode).not.toBe(0);
    expect(w.stderr).toMatch(/user name not found|permission denied|authentication/i);
  });

  it('a tenant (cert CN = tenant, as kube-apiserver presents it) reads and writes its own prefix', async () => {
    expect((await as('test-1', ['put', '/test-1/registry/pods/a', 'one'])).exitCode).toBe(0);
    const g = await as('test-1', ['get', '/test-1/registry/pods/a', '--print-value-only']);
    expect(g.exitCode).toBe(0);
    expect(g.stdout.trim()).toBe('one');
  });

  it('a tenant cannot touch another tenant, a sibling name with the same stem, or the root namespace', async () => {
    expect((await as('test-10', ['put', '/test-10/registry/pods/b', 'ten'])).exitCode).toBe(0);
    for (const key of ['/test-10/registry/pods/b', '/test-2/x', '/other', '/test-1']) {
      const w = await as('test-1', ['put', key, 'evil']);
      expect(w.exitCode, `write ${key}`).not.toBe(0);
      expect(w.stderr).toMatch(/permission denied/i);
    }
    const r = await as('test-1', ['get', '/test-10/registry/pods/b']);
    expect(r.exitCode).not.toBe(0);
    expect(r.stderr).toMatch(/permission denied/i);
    // A prefix read over the sibling stem is denied as a whole, not silently filtered.
    expect((await as('test-1', ['get', '/test-1', '--prefix'])).exitCode).not.toBe(0);
  });

  it('a client with only the root password (in the environment) administers tenants', async () => {
    // The server cert's CN is not a user; the password is what authenticates root here.
    // (The in-pod path authenticates by the mounted root certificate: see no-secret-argv.)
    const serverAsClient = etcd.clientFiles('etcd-server');
    const podLike = new EtcdctlAdmin(
      localEtcdctl(
        { endpoints: [etcd.endpoint], caFile: etcd.caFile, ...serverAsClient },
        { user: 'root', password: rootPassword },
      ),
      rootPassword,
    );
    await podLike.ensureRoot();
    await podLike.ensureTenant('test-3');
    expect((await as('test-3', ['put', '/test-3/k', 'v'])).exitCode).toBe(0);
    await podLike.deleteTenant('test-3');
    const wrong = new EtcdctlAdmin(
      localEtcdctl(
        { endpoints: [etcd.endpoint], caFile: etcd.caFile, ...serverAsClient },
        { user: 'root', password: 'not-the-password-at-all' },
      ),
      rootPassword,
    );
    const err = await wrong.ensureTenant('test-4').catch((e: unknown) => e as Error);
    expect((err as Error).message).toMatch(/authentication failed/);
    expect((err as { hint?: string }).hint).toMatch(/root credentials do not match/);
    expect((err as Error).message).not.toContain('not-the-password-at-all');
  });

  it('status reports the DB size and the tenants', async () => {
    const s = await admin.status();
    expect(s.dbSizeBytes).toBeGreaterThan(0);
    expect(s.tenants).toEqual(['test-1', 'test-10', 'test-2']);
  });

  it('re-running setup is idempotent and keeps the data', async () => {
    await admin.ensureRoot();
    await admin.ensureTenant('test-1');
    await admin.ensureTenant('test-10');
    expect((await admin.status()).tenants).toEqual(['test-1', 'test-10', 'test-2']);
    const g = await as('test-1', ['get', '/test-1/registry/pods/a', '--print-value-only']);
    expect(g.stdout.trim()).toBe('one');
  });

  it('deleting test-1 removes its user, role and keys, and leaves test-10 intact', async () => {
    await as('test-1', ['put', '/test-1/registry/pods/c', 'two']);
    const res = await admin.deleteTenant('test-1');
    expect(res.deletedKeys).toBe(2);
    expect((await admin.status()).tenants).toEqual(['test-10', 'test-2']);
    // test-1's identity is gone.
    expect((await as('test-1', ['get', '/test-1/registry/pods/a'])).exitCode).not.toBe(0);
    // test-10's data and access survive (the seed's `/test-1` prefix delete wiped them).
    const g = await as('test-10', ['get', '/test-10/registry/pods/b', '--print-value-only']);
    expect(g.exitCode).toBe(0);
    expect(g.stdout.trim()).toBe('ten');
    // And nothing remains under /test-1/ (checked as root).
    const left = await as('root', ['get', tenantPrefix('test-1'), '--prefix', '--keys-only']);
    expect(left.exitCode).toBe(0);
    expect(left.stdout.trim()).toBe('');
    const sibling = await as('root', ['get', '/test-10/', '--prefix', '--keys-only']);
    expect(sibling.stdout.trim()).toBe('/test-10/registry/pods/b');
    // Deleting again is a no-op, not an error.
    expect((await admin.deleteTenant('test-1')).deletedKeys).toBe(0);
  });
});

describe('tenant prefixes', () => {
  it('always end with a slash and compute a tight range end', () => {
    expect(tenantPrefix('test-1')).toBe('/test-1/');
    expect(prefixRangeEnd('/test-1/')).toBe('/test-10');
    expect('/test-10/x' >= prefixRangeEnd('/test-1/')).toBe(true);
    expect(() => tenantPrefix('root')).toThrow(/administrator/);
    expect(() => tenantPrefix('Bad/Name')).toThrow(/not a valid/);
  });
});
