// A fixed-size window of samples per pod (default 5 s interval): the sparkline data and
// min/avg/max over the window.
export class Ring {
  private readonly values: number[] = [];
  constructor(readonly size: number) {}

  push(v: number): void {
    this.values.push(v);
    if (this.values.length > this.size) this.values.shift();
  }

  toArray(): number[] {
    return this.values.slice();
  }

  summary(): { min: number; avg: number; max: number } | undefined {
    if (this.values.length === 0) return undefined;
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    for (const v of this.values) {
      min = Math.min(min, v);
      max = Math.max(max, v);
      sum += v;
    }
    return { min, avg: sum / this.values.length, max };
  }
}
