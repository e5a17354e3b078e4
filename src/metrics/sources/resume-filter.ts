// Reconnecting a log follow asks for lines since a whole second (sinceSeconds), so the
// new stream starts with lines already seen; counted twice they would inflate the
// throttling totals. klog and JSON lines carry microsecond or millisecond timestamps, so
// a repeat of the exact text is a repeat of the line.
export class ResumeFilter {
  private readonly seen: string[] = [];
  private readonly index = new Set<string>();
  private replaying = false;

  constructor(private readonly keep = 256) {}

  /** A new stream of the same pod begins: its first lines may be repeats. */
  reconnect(): void {
    this.replaying = this.seen.length > 0;
  }

  /** True when the line is new and should be handled. */
  accept(line: string): boolean {
    if (this.replaying) {
      if (this.index.has(line)) return false;
      this.replaying = false; // past the overlap: from here on every line is new
    }
    this.seen.push(line);
    this.index.add(line);
    if (this.seen.length > this.keep) this.index.delete(this.seen.shift()!);
    return true;
  }
}
