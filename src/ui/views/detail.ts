// The cluster detail page (`enter` on a cluster, `:describe test-7`): the object tree with
// conditions in `clusterctl describe cluster` style, recent events, log lines that mention
// the cluster's namespace, its phase timings, and its endpoint. Scrolls with ↑↓/PgUp/PgDn.
import type { ClusterDescription, ConditionRow, ObjectNode } from '../../engine/describe/types.js';
import type { ScaleState } from '../../state/store.js';
import { CREATE_PHASES } from '../../core/types.js';
import { duration } from '../model/format.js';
import { namespaceMentions } from '../model/mentions.js';
import { box, line, padEnd, seg, type Color, type Line } from '../model/text.js';

export interface DetailData {
  description?: ClusterDescription;
  error?: string;
  loading: boolean;
}

const age = (now: number, t?: number): string => (t === undefined ? '' : duration(Math.max(0, now - t)));

/** Conditions where True is the exception, not the goal (CAPI v1beta2's negative polarity). */
const NEGATIVE = new Set(['Paused', 'Deleting', 'RollingOut', 'ScalingUp', 'ScalingDown', 'Remediating']);

function statusTone(c: ConditionRow): Color | undefined {
  const good = NEGATIVE.has(c.type) ? c.status === 'False' : c.status === 'True' || c.status === 'OK';
  if (good) return 'ok';
  if (NEGATIVE.has(c.type) || c.status === 'Unknown') return 'warn';
  return 'error';
}

interface Widths {
  type: number;
  reason: number;
}

/** Column widths from the longest condition type and reason in the tree (capped). */
function widths(n: ObjectNode, w: Widths = { type: 4, reason: 6 }): Widths {
  for (const c of n.conditions) {
    w.type = Math.min(34, Math.max(w.type, c.type.length));
    w.reason = Math.min(34, Math.max(w.reason, (c.reason ?? '').length));
  }
  for (const ch of n.children) widths(ch, w);
  return w;
}

function treeLines(
  n: ObjectNode,
  now: number,
  prefix: string,
  last: boolean,
  root: boolean,
  out: Line[],
  w: Widths = widths(n),
): void {
  const branch = root ? '' : last ? '└─' : '├─';
  out.push(
    line(
      seg(`${prefix}${branch}`, { dim: true }),
      seg(`${n.kind}/${n.name}`, { bold: true }),
      n.phase ? seg(`  ${n.phase}`, { color: 'accent' }) : '',
      n.createdAt ? seg(`  ${age(now, n.createdAt)}`, { dim: true }) : '',
    ),
  );
  const inner = root ? '' : `${prefix}${last ? '  ' : '│ '}`;
  for (const c of n.conditions) {
    out.push(
      line(
        seg(`${inner}${n.children.length ? '│' : ' '}   `, { dim: true }),
        seg(`${padEnd(c.type, w.type)} `, {}),
        seg(padEnd(c.status, 8), { color: statusTone(c) }),
        seg(`${padEnd(c.reason ?? '', w.reason)} `, { dim: c.status === 'True' }),
        seg(padEnd(age(now, c.since), 7), { dim: true }),
        c.message ? c.message.replace(/\s+/g, ' ') : '',
      ),
    );
  }
  for (const [i, child] of n.children.entries())
    treeLines(child, now, inner, i === n.children.length - 1, false, out, w);
}

function section(title: string): Line {
  return line(seg(` ${title} `, { inverse: true, bold: true }));
}

export function detailLines(
  cluster: string,
  state: ScaleState,
  data: DetailData | undefined,
  now: number,
  width: number,
  height: number,
  scroll: number,
  keysHint: string,
): Line[] {
  const rec = state.clusters[cluster];
  const head = line(
    seg(` Cluster ${cluster} `, { inverse: true, bold: true }),
    rec
      ? seg(`  ${rec.phase}`, { color: rec.phase === 'ready' ? 'ok' : rec.phase === 'failed' ? 'error' : 'accent' })
      : '',
    rec
      ? `  namespace ${rec.namespace}  batch ${rec.batchId}${rec.placement ? `  backing ${rec.placement}` : ''}`
      : '  (not in this run)',
    seg(`  ${keysHint}`, { dim: true }),
  );
  const body: Line[] = [];
  const d = data?.description;
  if (rec?.failure)
    body.push(line(seg('failed ', { color: 'error', bold: true }), `${rec.failure.step}: ${rec.failure.reason}`));
  // Endpoint first: "does it answer" is the first question for a stuck cluster.
  if (d?.endpoint)
    body.push(
      line(
        'endpoint ',
        seg(d.endpoint, { bold: true }),
        d.endpointAnswers
          ? seg('  answers', { color: 'ok' })
          : seg(`  does not answer (${d.endpointNote ?? ''})`, { color: 'error' }),
      ),
    );
  else if (d) body.push(line('endpoint ', seg(d.endpointNote ?? 'unknown', { dim: true })));
  // Farm faults next to the endpoint: an injected "down" explains "does not answer".
  if (d?.farmFault !== undefined)
    body.push(line('farm fault ', seg(d.farmFault, { color: d.farmFault === 'none' ? 'ok' : 'warn', bold: true })));

  body.push(section('Objects'));
  if (!data || (data.loading && !d)) body.push(line(seg('reading the namespace…', { dim: true })));
  if (data?.error) body.push(line(seg(`could not read: ${data.error}`, { color: 'error' })));
  if (d?.tree) treeLines(d.tree, now, '', true, true, body);
  else if (d) body.push(line(seg(`no Cluster object in ${d.namespace}`, { color: 'warn' })));
  if (d?.secrets.length) body.push(line(seg('Secrets: ', { dim: true }), d.secrets.join(', ')));
  for (const e of d?.errors ?? []) body.push(line(seg(`not read: ${e}`, { color: 'warn' })));

  if (rec) {
    body.push(section('Phase timings'));
    const t0 = rec.transitions.queued;
    const steps = [...CREATE_PHASES, 'ready', 'failed', 'deleting'].filter((p, i, a) => a.indexOf(p) === i);
    const parts = steps
      .map((p) => [p, rec.transitions[p as keyof typeof rec.transitions]] as const)
      .filter(([, t]) => t !== undefined)
      .map(([p, t]) => `${p} +${duration((t ?? 0) - (t0 ?? t ?? 0))}`);
    body.push(line(parts.join('  ') || 'none yet'));
  }

  body.push(section('Events'));
  if (d && d.events.length === 0) body.push(line(seg('none in the namespace', { dim: true })));
  for (const e of d?.events ?? [])
    body.push(
      line(
        seg(padEnd(age(now, e.t), 7), { dim: true }),
        seg(padEnd(e.type, 8), { color: e.type === 'Warning' ? 'warn' : undefined }),
        padEnd(e.reason, 22),
        padEnd(e.object, 36),
        e.count > 1 ? `(x${e.count}) ` : '',
        e.message,
      ),
    );

  body.push(section('Log lines that mention the namespace'));
  const ns = rec?.namespace ?? cluster;
  const mentions = namespaceMentions(state, ns);
  if (mentions.length === 0) body.push(line(seg('none in the engine log or the controller logs', { dim: true })));
  for (const m of mentions)
    body.push(line(seg(`${new Date(m.t).toISOString().slice(11, 19)} `, { dim: true }), m.text));

  const room = Math.max(0, height - 1);
  const start = Math.max(0, Math.min(scroll, body.length - room));
  return box([head, ...body.slice(start, start + room)], width, height);
}
