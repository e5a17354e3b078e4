// Number formatting for narrow columns.

const SPARKS = '▁▂▃▄▅▆▇█';

/** The last `width` values as a sparkline scaled to their own max (a flat series stays low). */
export function sparkline(values: readonly number[], width: number): string {
  const vs = values.slice(-width);
  if (vs.length === 0) return '';
  const max = Math.max(...vs);
  if (max <= 0) return SPARKS[0]!.repeat(vs.length);
  return vs
    .map((v) => SPARKS[Math.min(SPARKS.length - 1, Math.round((Math.max(0, v) / max) * (SPARKS.length - 1)))])
    .join('');
}

/** A progress bar of exactly `width` cells. */
export function bar(fraction: number, width: number): string {
  const f = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
  const full = Math.round(f * width);
  return '█'.repeat(full) + '░'.repeat(Math.max(0, width - full));
}

export function bytes(n: number | undefined): string {
  if (n === undefined) return '-';
  if (n < 1024) return `${n}B`;
  const units = ['Ki', 'Mi', 'Gi', 'Ti'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)}${units[i]}`;
}

export function millicores(m: number | undefined): string {
  if (m === undefined) return '-';
  return m >= 1000 ? `${(m / 1000).toFixed(m >= 10000 ? 0 : 1)}` : `${Math.round(m)}m`;
}

/** 59s, 4m05s, 2h03m. */
export function duration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) return '-';
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export function last(values: readonly number[]): number | undefined {
  return values.length ? values[values.length - 1] : undefined;
}
