// The kill matrix's lab half: mid-batch, SIGKILL the management node's controllers (a
// crashed controller pod) and a backing VM's kubelet (with it its etcd and every workload
// API server it serves: a rebooted node), each restarted with the same command on the same
// disk. Seeded, so a failure names what to replay. Every cluster ends ready (after
// `create --resume` where the batch failed some with reasons), and delete leaves nothing.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectOk, labSkipReason, startLab, type Lab, type LabProcess, type RunResult } from './lab.js';
import { prng } from '../reliability/prng.js';

const skip = labSkipReason();
const COUNT = 10;
const PHASES = ['objects', 'host-available', 'machine', 'associated', 'api-up', 'node', 'initialized'] as const;
const SEEDS = (process.env.SCALE_TUI_LAB_KILL_SEEDS ?? '5').split(',').map(Number);

function waitForPhases(p: LabProcess, phase: string, count: number): Promise<void> {
  const re = new RegExp(` ${phase}$`, 'gm');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`fewer than ${count} "${phase}" lines:\n${p.output().slice(-3000)}`)),
      300_000,
    );
    const check = () => {
      if ((p.output().match(re) ?? []).length >= count || p.child.exitCode !== null) {
        clearTimeout(timer);
        p.child.stdout!.off('data', check);
        resolve();
      }
    };
    p.child.stdout!.on('data', check);
    // A batch that ends early (its clusters failed cleanly) ends the wait too.
    p.child.once('exit', check);
    check();
  });
}

describe.skipIf(skip).each(SEEDS)('lab: controllers and a backing node SIGKILLed mid-batch (seed %i)', (seed) => {
  let lab: Lab;
  let common: string[];
  const ok = (r: RunResult, what: string) => expectOk(lab, r, what);

  beforeAll(async () => {
    lab = await startLab({ backingVms: 1 });
    const config = join(lab.dir, 'experiment.yaml');
    writeFileSync(
      config,
      `${[
        'topology: backing',
        `naming:\n  prefix: k${seed}x`,
        `batch:\n  size: ${COUNT}\n  concurrency: 5`,
        `stateDir: ${join(lab.dir, 'state')}`,
      ].join('\n')}\n`,
    );
    common = ['-c', config];
  }, 120_000);

  afterAll(async () => {
    await lab?.stop();
  }, 60_000);

  it('every cluster ends ready and delete leaves nothing', async () => {
    const rand = prng(seed);
    const pick = () => PHASES[Math.floor(rand() * PHASES.length)]!;
    const plan = [
      { process: 'mgmt-controllers', phase: pick(), after: 1 + Math.floor(rand() * 4) },
      { process: 'b1-kubelet', phase: pick(), after: 1 + Math.floor(rand() * 4) },
    ].sort((a, b) => PHASES.indexOf(a.phase) - PHASES.indexOf(b.phase));
    const mg = ['--kubeconfig', lab.mgmtKubeconfig];
    ok(await lab.scaleTui([...common, 'setup', '--attach', ...mg], { timeoutMs: 180_000 }), 'setup --attach');
    ok(
      await lab.scaleTui(
        [
          ...common,
          'backing',
          'add',
          'b1',
          '--kubeconfig',
          lab.backing[0]!.kubeconfig,
          '--etcd-via',
          'exec',
          '--timeout',
          '120',
        ],
        { timeoutMs: 180_000 },
      ),
      'backing add',
    );

    const create = lab.spawnScaleTui([...common, 'create', '--count', String(COUNT), ...mg]);
    const done: string[] = [];
    for (const k of plan) {
      await waitForPhases(create, k.phase, k.after);
      if (create.child.exitCode !== null) break;
      await lab.killAndRestart(k.process);
      done.push(`${k.process} after ${k.after}x ${k.phase}`);
    }
    await new Promise((r) => (create.child.exitCode !== null ? r(undefined) : create.child.once('exit', r)));
    const summary = /(\d+) of (\d+) ready, (\d+) failed/.exec(create.output());
    expect(summary, `plan ${JSON.stringify(plan)}:\n${create.output().slice(-3000)}`).not.toBeNull();
    // Failures, if any, carry a step and a reason; resume finishes them.
    for (const l of create
      .output()
      .split('\n')
      .filter((x) => /: failed at /.test(x)))
      expect(l).toMatch(/: failed at [\w-]+: \S/);
    if (Number(summary![3]) > 0)
      ok(
        await lab.scaleTui([...common, 'create', '--resume', '--quiet', ...mg], { timeoutMs: 300_000 }),
        'create --resume',
      );

    const st = JSON.parse((await lab.scaleTui([...common, 'status', '--json', ...mg])).stdout) as {
      clusters: Array<{ name: string; phase: string }>;
    };
    expect(
      st.clusters.map((c) => c.phase),
      `kills: ${done.join('; ')}`,
    ).toEqual(Array(COUNT).fill('ready'));
    expect(new Set(st.clusters.map((c) => c.name)).size).toBe(COUNT);

    ok(await lab.scaleTui([...common, 'delete', '--all', '--yes', ...mg], { timeoutMs: 300_000 }), 'delete');
    const left = await lab.scaleTui([...common, 'status', ...mg]);
    expect(left.stdout).toMatch(/left on API servers: nothing/);
    const list = await lab.scaleTui([...common, 'backing', 'list', '--etcd-via', 'exec']);
    expect(list.stdout).toMatch(/tenants 0\//);
    process.stdout.write(`seed ${seed}: ${done.join('; ')}; first pass ${summary![0]}\n`);
  }, 900_000);
});
