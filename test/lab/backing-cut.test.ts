// A backing VM's cable pulled mid-batch (its veth link down in the lab: packets vanish,
// nothing is refused, connections go half-open). Only the clusters placed on it fail,
// each with a reason, within the stated bound; the other VM's clusters reach ready. With
// the link back, `create --resume` finishes the failed ones and delete leaves nothing.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOk, labSkipReason, startLab, type Lab, type RunResult } from './lab.js';

const skip = labSkipReason();
const COUNT = 8;
/** site-health.ts: down after 20 s of silence, probed every 2 s with a 5 s deadline. */
const BOUND_MS = 40_000;

describe.skipIf(skip)('lab: a backing VM cut mid-batch', () => {
  let lab: Lab;
  let common: string[];

  beforeAll(async () => {
    lab = await startLab({ backingVms: 2, timeScale: 0.6 });
    const config = join(lab.dir, 'experiment.yaml');
    writeFileSync(
      config,
      `${[
        'topology: backing',
        'naming:\n  prefix: cut',
        `batch:\n  size: ${COUNT}\n  concurrency: ${COUNT}`,
        `stateDir: ${join(lab.dir, 'state')}`,
      ].join('\n')}\n`,
    );
    common = ['-c', config];
  }, 120_000);

  afterAll(async () => {
    await lab?.stop();
  }, 60_000);

  const ok = (r: RunResult, what: string) => expectOk(lab, r, what);

  it("fails only the cut VM's clusters, with reasons, within the bound; resume and delete finish the job", async () => {
    const mg = ['--kubeconfig', lab.mgmtKubeconfig];
    ok(await lab.scaleTui([...common, 'setup', '--attach', ...mg], { timeoutMs: 180_000 }), 'setup --attach');
    for (const b of lab.backing) {
      ok(
        await lab.scaleTui(
          [...common, 'backing', 'add', b.name, '--kubeconfig', b.kubeconfig, '--etcd-via', 'exec', '--timeout', '120'],
          { timeoutMs: 180_000 },
        ),
        `backing add ${b.name}`,
      );
    }
    const create = lab.spawnScaleTui([...common, 'create', '--count', String(COUNT), ...mg]);
    // Cut b2 once every cluster is past its objects: work is in flight on both VMs.
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no cluster reached api-up:\n${create.output()}`)), 180_000);
      const check = () => {
        if (/ api-up/.test(create.output())) {
          clearTimeout(timer);
          create.child.stdout!.off('data', check);
          resolve();
        }
      };
      create.child.stdout!.on('data', check);
      check();
    });
    const cutAt = Date.now();
    lab.net.setLink(lab.backing[1]!.vm, false);
    const code = await new Promise<number | null>((resolve) => create.child.once('exit', resolve));
    const tookMs = Date.now() - cutAt;
    const out = create.output();
    const summary = /(\d+) of (\d+) ready, (\d+) failed/.exec(out);
    expect(summary, out).not.toBeNull();
    const [ready, failed] = [Number(summary![1]), Number(summary![3])];
    expect(code).not.toBe(0);
    expect(ready + failed).toBe(COUNT);
    expect(failed).toBeGreaterThan(0);
    expect(ready).toBeGreaterThan(0);
    // Every failure names the cut VM; the batch ended within the bound after the cut.
    const reasons = out.split('\n').filter((l) => /: failed at /.test(l));
    expect(reasons).toHaveLength(failed);
    // The reason names the cut VM: the watchdog's verdict, or the request to its address
    // that hit its deadline first.
    const b2 = lab.backing[1]!.vm.ip.replace(/\./g, '\\.');
    for (const r of reasons) expect(r).toMatch(new RegExp(`backing cluster b2 unreachable|https://${b2}:6443`));
    expect(tookMs).toBeLessThan(BOUND_MS);
    // status still answers with b2 away, and says so.
    const text = await lab.scaleTui([...common, 'status', ...mg]);
    ok(text, 'status with b2 cut');
    expect(text.stdout).toMatch(/^backing cluster b2: not reachable \(/m);
    const status = JSON.parse((await lab.scaleTui([...common, 'status', '--json', ...mg])).stdout) as {
      clusters: Array<{ phase: string; placement?: string }>;
    };
    expect(status.clusters.filter((c) => c.placement === 'b1').every((c) => c.phase === 'ready')).toBe(true);
    expect(status.clusters.filter((c) => c.phase === 'failed').every((c) => c.placement === 'b2')).toBe(true);

    lab.net.setLink(lab.backing[1]!.vm, true);
    const resumed = await lab.scaleTui([...common, 'create', '--resume', '--quiet', ...mg], { timeoutMs: 300_000 });
    ok(resumed, 'create --resume');
    const after = JSON.parse((await lab.scaleTui([...common, 'status', '--json', ...mg])).stdout) as {
      clusters: Array<{ phase: string }>;
    };
    expect(after.clusters.map((c) => c.phase)).toEqual(Array(COUNT).fill('ready'));

    ok(await lab.scaleTui([...common, 'delete', '--all', '--yes', ...mg], { timeoutMs: 300_000 }), 'delete');
    const left = await lab.scaleTui([...common, 'status', ...mg]);
    expect(left.stdout).toMatch(/left on API servers: nothing/);
    const list = await lab.scaleTui([...common, 'backing', 'list', '--etcd-via', 'exec']);
    expect([...list.stdout.matchAll(/tenants (\d+)\//g)].map((m) => Number(m[1]))).toEqual([0, 0]);
    process.stdout.write(
      `cut b2: ${ready} ready on b1, ${failed} failed on b2, batch ended ${(tookMs / 1000).toFixed(1)} s after the cut\n`,
    );
  }, 900_000);
});
