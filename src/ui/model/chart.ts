// A bar chart in text rows (eighth blocks), newest on the right: the TUI's "clusters ready
// per minute". Pure, so it renders the same in tests and on screen.
const EIGHTHS = [' ', '▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

export function barChart(values: readonly number[], width: number, height: number): string[] {
  const vs = values.slice(-width);
  const max = Math.max(1, ...vs);
  const rows: string[] = [];
  for (let r = height - 1; r >= 0; r--) {
    let row = '';
    for (const v of vs) {
      const cells = (v / max) * height; // in rows
      const fill = Math.max(0, Math.min(1, cells - r));
      row += EIGHTHS[Math.round(fill * 8)];
    }
    rows.push(row);
  }
  return rows;
}
