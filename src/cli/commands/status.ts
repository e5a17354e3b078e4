// `scale-tui status`: clusters by phase from the journal, and what scale-tui-labelled
// namespaces remain on each API server (after `delete --all` it shows nothing left).
import type { Command } from 'commander';
import { action } from '../run-command.js';
import { KubeClient, resourceInfo } from '../../core/kube/client.js';
import { API } from '../../engine/watch/capi-state.js';
import { openSession, sessionOptions, type SessionOpts } from './create.js';

export function register(program: Command): void {
  sessionOptions(program.command('status').description('show clusters, batches and what is left'))
    .option('--json', 'machine-readable output')
    .action(
      action(async (opts: SessionOpts & { json?: boolean }) => {
        const { engine, management } = await openSession(program, opts);
        try {
          // The clusters status lists live on a CAPI management cluster: one that does not
          // serve Cluster is the wrong cluster or has not been set up, not an empty run.
          await resourceInfo(KubeClient.from(management), API.cluster.apiVersion, API.cluster.kind);
          const st = await engine.status();
          if (opts.json) {
            process.stdout.write(`${JSON.stringify(st, null, 2)}\n`);
            return;
          }
          const byPhase = new Map<string, string[]>();
          for (const c of st.clusters) byPhase.set(c.phase, [...(byPhase.get(c.phase) ?? []), c.name]);
          process.stdout.write(`clusters: ${st.clusters.length}\n`);
          for (const [phase, names] of byPhase)
            process.stdout.write(
              `  ${phase}: ${names.length} (${names.slice(0, 8).join(', ')}${names.length > 8 ? ', ...' : ''})\n`,
            );
          for (const c of st.clusters.filter((x) => x.failure))
            process.stdout.write(`  ${c.name} failed at ${c.failure!.step}: ${c.failure!.reason}\n`);
          // Per batch, so `delete --batch ID` can be picked from here.
          const byBatch = new Map<string, Map<string, number>>();
          for (const c of st.clusters) {
            const phases = byBatch.get(c.batchId) ?? new Map<string, number>();
            phases.set(c.phase, (phases.get(c.phase) ?? 0) + 1);
            byBatch.set(c.batchId, phases);
          }
          for (const [id, phases] of byBatch) {
            const total = [...phases.values()].reduce((a, b) => a + b, 0);
            process.stdout.write(
              `batch ${id}: ${total} cluster(s) (${[...phases].map(([p, n]) => `${p} ${n}`).join(', ')})\n`,
            );
          }
          const left = Object.entries(st.namespaces).filter(([, ns]) => ns.length > 0);
          for (const [site, why] of Object.entries(st.unreachable))
            process.stdout.write(`backing cluster ${site}: not reachable (${why})\n`);
          if (left.length === 0 && Object.keys(st.unreachable).length === 0)
            process.stdout.write('left on API servers: nothing\n');
          for (const [site, ns] of left)
            process.stdout.write(`left on ${site}: ${ns.length} namespace(s): ${ns.join(', ')}\n`);
          const f = st.farm;
          if (f)
            process.stdout.write(
              `farm: ${f.background ? 'background' : 'foreground'} pid ${f.pid}, ${f.clusters ?? '?'} cluster(s), control API ${f.url}${f.log ? `, log ${f.log}` : ''}${restartsText(f.restarts)}\n`,
            );
        } finally {
          await engine.shutdown();
        }
      }),
    );
}

/** ", restarted N time(s), last at T (why)" for a farm the engine restarted; empty when none. */
function restartsText(
  r: { count: number; lastAt?: string; lastReason?: string; gaveUp?: boolean } | undefined,
): string {
  if (!r) return '';
  const last = r.lastAt ? `, last at ${r.lastAt} (${r.lastReason ?? 'no reason noted'})` : '';
  return `, restarted ${r.count} time(s)${last}${r.gaveUp ? ', restarts given up' : ''}`;
}
