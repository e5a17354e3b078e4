// Table columns as data (k9s's HeaderColumn): each table lists its columns once, and the
// header, the rows, sorting (`s`/`S`, `:sort COLUMN`) and wide mode (`w`) all read that
// list, so a new column is one entry and every table sorts the same way.
import type { ClusterRecord } from '../../core/types.js';
import type { BackingClusterStatus, ControllerStatus } from '../../state/store.js';
import { bytes, duration, last, millicores } from './format.js';
import type { Color } from './text.js';
import type { SortState, TableId } from './view-state.js';

export interface Column<Row> {
  id: string;
  title: string;
  width: number;
  align?: 'left' | 'right';
  /** Shown only in wide mode. */
  wide?: boolean;
  text: (row: Row, now: number) => string;
  /** What sorting compares; defaults to the text. */
  key?: (row: Row, now: number) => number | string;
  tone?: (row: Row) => Color | undefined;
  /** Spaces before the cell (its distance from the column before). */
  gap?: number;
  /** A sparkline column: the series drawn in `width` characters (fitSparklines sets it from the pane). */
  series?: (row: Row) => readonly number[];
  /** False for columns with no order worth sorting by (sparklines, notes): `s` and `:sort` skip them. */
  sortable?: boolean;
  dim?: boolean;
  bold?: boolean;
}

export const isSortable = <Row>(c: Column<Row>): boolean => c.sortable !== false && c.series === undefined;

/** The columns `:sort` takes and `s` cycles through. */
export function sortableColumns<Row>(cols: Column<Row>[]): Column<Row>[] {
  return cols.filter(isSortable);
}

/**
 * Sparkline columns share what the pane has left after `reserve` characters (the fixed
 * columns and the room the flags need to stay readable), each at most its own `width`.
 */
export function fitSparklines<Row>(cols: Column<Row>[], paneWidth: number, reserve: number): Column<Row>[] {
  const sparks = cols.filter((c) => c.series);
  if (sparks.length === 0) return cols;
  const room = Math.max(0, Math.floor((paneWidth - reserve) / sparks.length));
  return cols.map((c) => (c.series ? { ...c, width: Math.min(c.width, room) } : c));
}

const phaseTone = (c: ClusterRecord): Color | undefined =>
  c.phase === 'ready' ? 'ok' : c.phase === 'failed' ? 'error' : c.phase === 'deleting' ? 'warn' : undefined;
const age = (c: ClusterRecord, now: number): number => now - (c.transitions.queued ?? now);

export const CLUSTER_COLUMNS: Column<ClusterRecord>[] = [
  { id: 'cluster', title: 'cluster', width: 14, text: (c) => c.name, key: (c) => c.number, tone: phaseTone },
  { id: 'phase', title: 'phase', width: 16, text: (c) => c.phase, tone: phaseTone },
  { id: 'age', title: 'age', width: 8, text: (c, now) => duration(age(c, now)), key: (c, now) => age(c, now) },
  { id: 'backing', title: 'backing', width: 14, text: (c) => c.placement ?? '' },
  { id: 'batch', title: 'batch', width: 10, wide: true, text: (c) => c.batchId },
  { id: 'namespace', title: 'namespace', width: 16, wide: true, text: (c) => c.namespace },
  {
    id: 'reason',
    title: 'reason',
    width: 40,
    wide: true,
    text: (c) => (c.failure ? `${c.failure.step}: ${c.failure.reason}` : ''),
  },
];

const conc = (c: ControllerStatus): string =>
  Object.entries(c.flags.concurrency)
    .map(([k, v]) => `${k.replace(/-concurrency$/, '')}=${v}`)
    .join(',') || 'defaults';

const rateFlags = (c: ControllerStatus): string =>
  c.supportsRateFlags ? `qps=${c.flags.qps ?? 'default'} burst=${c.flags.burst ?? 'default'}` : 'no qps/burst flags';
const queueText = (c: ControllerStatus): string =>
  (c.workqueueDepth !== undefined ? ` queue ${c.workqueueDepth}` : '') +
  (c.reconcilesPerSecond !== undefined ? ` ${c.reconcilesPerSecond.toFixed(1)} rec/s` : '');
const ROLLOUT_ORDER = { idle: 0, rolling: 1, failed: 2 } as const;

/** The controllers pane, left to right; the sparklines get the width fitSparklines gives them. */
export const CONTROLLER_COLUMNS: Column<ControllerStatus>[] = [
  { id: 'controller', title: 'controller', width: 18, bold: true, text: (c) => String(c.id) },
  {
    id: 'cpu',
    title: 'cpu',
    width: 6,
    align: 'right',
    text: (c) => millicores(last(c.cpuMillicores)),
    key: (c) => last(c.cpuMillicores) ?? -1,
  },
  {
    id: 'cpu-history',
    title: '',
    width: 16,
    gap: 1,
    text: () => '',
    series: (c) => c.cpuMillicores,
    tone: () => 'cpu',
  },
  {
    id: 'mem',
    title: 'mem',
    width: 7,
    gap: 1,
    align: 'right',
    text: (c) => bytes(last(c.memoryBytes)),
    key: (c) => last(c.memoryBytes) ?? -1,
  },
  { id: 'mem-history', title: '', width: 16, gap: 1, text: () => '', series: (c) => c.memoryBytes, tone: () => 'mem' },
  { id: 'flags', title: 'flags', width: 0, gap: 2, text: (c) => `${conc(c)} ${rateFlags(c)}`, key: conc },
  {
    id: 'queue',
    title: '',
    width: 0,
    text: queueText,
    key: (c) => c.workqueueDepth ?? -1,
  },
  {
    id: 'rollout',
    title: '',
    width: 0,
    text: (c) => (c.rollout === 'rolling' ? ' rolling out…' : c.rollout === 'failed' ? ' rollout failed' : ''),
    key: (c) => ROLLOUT_ORDER[c.rollout],
    tone: (c) => (c.rollout === 'rolling' ? 'warn' : c.rollout === 'failed' ? 'error' : undefined),
  },
  {
    id: 'namespace',
    title: '',
    width: 0,
    gap: 2,
    wide: true,
    dim: true,
    text: (c) => `${c.namespace}/${c.deployment}`,
  },
  {
    id: 'note',
    title: '',
    width: 0,
    sortable: false,
    dim: true,
    text: (c) => (c.metricsNote ? ` (${c.metricsNote})` : ''),
  },
];

export const BACKING_COLUMNS: Column<BackingClusterStatus>[] = [
  { id: 'name', title: 'name', width: 12, text: (b) => b.name },
  {
    id: 'health',
    title: 'health',
    width: 10,
    text: (b) => (b.healthy ? 'healthy' : 'DOWN'),
    tone: (b) => (b.healthy ? 'ok' : 'error'),
  },
  {
    id: 'tenants',
    title: 'tenants',
    width: 12,
    align: 'right',
    text: (b) => `${b.tenants}/${b.capacity}`,
    key: (b) => b.tenants,
  },
  {
    id: 'apiservers',
    title: 'apiservers',
    width: 12,
    align: 'right',
    text: (b) => `${b.apiserverPodsReady}/${b.apiserverPods}`,
    key: (b) => b.apiserverPodsReady,
  },
  {
    id: 'etcd',
    title: 'etcd db',
    width: 9,
    align: 'right',
    text: (b) => bytes(b.etcdDbBytes),
    key: (b) => b.etcdDbBytes ?? -1,
  },
  {
    id: 'cpu',
    title: 'cpu',
    width: 7,
    align: 'right',
    text: (b) => millicores(b.nodeCpuMillicores),
    key: (b) => b.nodeCpuMillicores ?? -1,
  },
  {
    id: 'mem',
    title: 'mem',
    width: 8,
    align: 'right',
    text: (b) => bytes(b.nodeMemoryBytes),
    key: (b) => b.nodeMemoryBytes ?? -1,
  },
  { id: 'endpoint', title: 'endpoint', width: 0, text: (b) => `  ${b.endpoint}` },
];

// biome-ignore lint/suspicious/noExplicitAny: one registry over differently-typed rows; each table reads its own
export const TABLE_COLUMNS: Record<TableId, Column<any>[]> = {
  clusters: CLUSTER_COLUMNS,
  controllers: CONTROLLER_COLUMNS,
  backing: BACKING_COLUMNS,
};

export function visibleColumns<Row>(cols: Column<Row>[], wide: boolean): Column<Row>[] {
  return cols.filter((c) => wide || !c.wide);
}

/** Rows ordered by the sort column (ties keep the table's natural order). */
export function sortRows<Row>(rows: Row[], cols: Column<Row>[], sort: SortState, now: number): Row[] {
  const col = cols.find((c) => c.id === sort.column) ?? cols[0];
  if (!col) return rows;
  const keyOf = col.key ?? ((r: Row, n: number) => col.text(r, n));
  const keyed = rows.map((r, i) => ({ r, i, k: keyOf(r, now) }));
  keyed.sort((a, b) => {
    const c = typeof a.k === 'number' && typeof b.k === 'number' ? a.k - b.k : String(a.k).localeCompare(String(b.k));
    return (sort.desc ? -c : c) || a.i - b.i;
  });
  return keyed.map((x) => x.r);
}

/** The next column to sort by (`s`), skipping columns hidden outside wide mode. */
export function nextSortColumn(table: TableId, sort: SortState, wide: boolean): SortState {
  const cols = sortableColumns(visibleColumns(TABLE_COLUMNS[table], wide));
  const i = cols.findIndex((c) => c.id === sort.column);
  return { column: cols[(i + 1) % cols.length]!.id, desc: false };
}
