// The engine's farm client against two live farms: clusters go to the farm with the most room
// (capacity from each farm's control API), a silent farm gets none, a full set of farms is a
// clear error; register with the cluster's own CA (as the engine reads it from `<cluster>-ca`)
// makes the farm serve a certificate from that CA; remove frees the slot.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { serveFarm, type FarmHandle } from '../../../src/engine/topology/farm-serve.js';
import { FarmClient, allocateFarms, pickFarm } from '../../../src/engine/topology/farm.js';
import { createCA } from '../../../src/core/pki/index.js';
import { freePortBlock } from '../../support/ports.js';

describe('farm allocation by capacity', () => {
  let dir: string;
  const farms: FarmHandle[] = [];
  const clients: FarmClient[] = [];
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'farm-alloc-'));
    for (const [name, capacity] of [
      ['f-small', 2],
      ['f-big', 3],
    ] as const) {
      const h = await serveFarm({
        stateDir: join(dir, name),
        host: '127.0.0.1',
        basePort: await freePortBlock(4),
        controlPort: 0,
        capacity,
      });
      farms.push(h);
      clients.push(new FarmClient({ name, url: h.controlUrl, token: h.token }));
    }
    clients.push(new FarmClient({ name: 'f-gone', url: 'http://127.0.0.1:1' }));
  });
  afterAll(async () => {
    for (const h of farms) await h.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('picks the farm with most room, skips a silent one, refuses when all are full', async () => {
    const order = await allocateFarms(clients, 5);
    expect(order).toEqual(['f-big', 'f-big', 'f-small', 'f-big', 'f-small']);
    await expect(allocateFarms(clients, 6)).rejects.toThrow(/no farm has room \(not answering: f-gone\)/);
    expect(() => pickFarm([])).toThrow(/no farm/);
  });

  it("registers with the cluster's own CA and serves a certificate from it; remove frees the slot", async () => {
    const ca = createCA('c-1-ca', { keyAlgorithm: 'ecdsa-p256' });
    const etcdCa = createCA('c-1-etcd', { keyAlgorithm: 'ecdsa-p256' });
    const big = clients[1]!;
    const reg = await big.register('c-1', 'c-1', { ca, etcdCa });
    expect(reg).toMatchObject({ farm: 'f-big', host: '127.0.0.1' });
    const rec = farms[1]!.farm.record('c-1', 'c-1');
    expect(new X509Certificate(rec.serving.certPem).verify(new X509Certificate(ca.certPem).publicKey)).toBe(true);
    expect(rec.etcdCaCertPem).toBe(etcdCa.certPem);
    expect(new X509Certificate(rec.etcdServing.certPem).verify(new X509Certificate(etcdCa.certPem).publicKey)).toBe(
      true,
    );
    await big.updateNode({ cluster: 'c-1', namespace: 'c-1', nodeName: 'c-1-cp', uuid: 'u' });
    expect((await big.capacity()).used).toBe(1);
    expect(await big.remove('c-1', 'c-1')).toBe(true);
    expect((await big.capacity()).used).toBe(0);
    await expect(big.updateNode({ cluster: 'c-1', namespace: 'c-1', nodeName: 'x' })).rejects.toThrow(/not registered/);
  });
});
