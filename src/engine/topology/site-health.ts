// A backing cluster that stops answering (a VM down, a cable pulled) must fail only the
// clusters placed on it, with a reason, within a bound, while the others go on. A request
// deadline alone does not give that: a cluster past its last request to the site waits on
// the controllers for up to its own deadline (minutes), and a half-open connection answers
// nothing. So each site is probed on its own: after `downAfterMs` without an answer it is
// declared down, and every cluster placed on it is told through its AbortSignal; once it
// answers again a fresh signal is handed out, so resumed work proceeds.
export interface SiteProbe {
  name: string;
  /** Resolves when the site's API answers; rejects (or never settles) when it does not. */
  probe(signal: AbortSignal): Promise<void>;
}

export interface SiteHealthOptions {
  intervalMs?: number;
  /** One probe's deadline. */
  probeTimeoutMs?: number;
  /** How long without an answer before the site is down: the bound on failing its clusters. */
  downAfterMs?: number;
  onChange?: (site: string, up: boolean, reason: string) => void;
  now?: () => number;
}

export class SiteDownError extends Error {
  constructor(
    readonly site: string,
    readonly reason: string,
  ) {
    super(`backing cluster ${site} unreachable: ${reason}`);
  }
}

interface SiteState {
  probe: SiteProbe;
  lastOk: number;
  lastError: string;
  down: boolean;
  ctl: AbortController;
  timer?: NodeJS.Timeout;
  inFlight?: AbortController;
  /** The probe now running, so a caller can wait for its verdict. */
  running?: Promise<void>;
}

export const SITE_HEALTH_DEFAULTS = { intervalMs: 2000, probeTimeoutMs: 5000, downAfterMs: 20_000 } as const;

export class SiteHealth {
  private readonly sites = new Map<string, SiteState>();
  private readonly opts: Required<Omit<SiteHealthOptions, 'onChange' | 'now'>> & SiteHealthOptions;
  private readonly now: () => number;
  private stopped = false;

  constructor(probes: SiteProbe[], opts: SiteHealthOptions = {}) {
    this.opts = { ...SITE_HEALTH_DEFAULTS, ...opts };
    this.now = opts.now ?? Date.now;
    for (const p of probes)
      this.sites.set(p.name, { probe: p, lastOk: this.now(), lastError: '', down: false, ctl: new AbortController() });
  }

  get downAfterMs(): number {
    return this.opts.downAfterMs;
  }

  start(): void {
    for (const s of this.sites.values()) this.schedule(s, 0);
  }

  stop(): void {
    this.stopped = true;
    for (const s of this.sites.values()) {
      clearTimeout(s.timer);
      s.inFlight?.abort();
    }
  }

  /** Aborted (with a SiteDownError as reason) when the site is declared down; undefined for unknown sites. */
  signal(site: string): AbortSignal | undefined {
    return this.sites.get(site)?.ctl.signal;
  }

  isDown(site: string): boolean {
    return this.sites.get(site)?.down ?? false;
  }

  /**
   * The site's signal for work starting now. A site declared down is probed again first
   * (or its probe in flight awaited), so work resumed the moment it is back (`create
   * --resume` after the link returns) is not failed by the verdict of a probe up to one
   * interval old.
   */
  async signalNow(site: string): Promise<AbortSignal | undefined> {
    const s = this.sites.get(site);
    if (!s) return undefined;
    if (s.down && !this.stopped) {
      if (!s.running) {
        clearTimeout(s.timer);
        this.run(s);
      }
      await s.running;
    }
    return s.ctl.signal;
  }

  private schedule(s: SiteState, ms: number): void {
    if (this.stopped) return;
    s.timer = setTimeout(() => this.run(s), ms);
    s.timer.unref?.();
  }

  private run(s: SiteState): void {
    s.running = this.check(s).finally(() => {
      s.running = undefined;
    });
  }

  private async check(s: SiteState): Promise<void> {
    const ctl = new AbortController();
    s.inFlight = ctl;
    const deadline = setTimeout(
      () => ctl.abort(new Error(`no answer within ${this.opts.probeTimeoutMs} ms`)),
      this.opts.probeTimeoutMs,
    );
    try {
      // The race makes the deadline hold even for a probe that ignores its signal.
      await Promise.race([
        s.probe.probe(ctl.signal),
        new Promise<never>((_, reject) =>
          ctl.signal.addEventListener('abort', () => reject(ctl.signal.reason as Error), { once: true }),
        ),
      ]);
      s.lastOk = this.now();
      if (s.down) {
        s.down = false;
        s.ctl = new AbortController();
        this.opts.onChange?.(s.probe.name, true, 'answers again');
      }
    } catch (err) {
      s.lastError = (err as Error).message.split('\n')[0] ?? 'no answer';
      const silentFor = this.now() - s.lastOk;
      if (!s.down && silentFor >= this.opts.downAfterMs) {
        s.down = true;
        const reason = `no answer for ${Math.round(silentFor / 1000)} s (${s.lastError})`;
        s.ctl.abort(new SiteDownError(s.probe.name, reason));
        this.opts.onChange?.(s.probe.name, false, reason);
      }
    } finally {
      clearTimeout(deadline);
      s.inFlight = undefined;
    }
    this.schedule(s, this.opts.intervalMs);
  }
}
