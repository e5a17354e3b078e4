// Owns every workload API forwarder of a session: one per cluster on basePort+N, started
// when its apiserver is up, restarted by the forwarder itself, stopped on delete/shutdown.
import { TcpForwarder, type Dialer } from './forwarder.js';

export class ForwardSupervisor {
  private forwarders = new Map<string, TcpForwarder>();

  constructor(
    /** Read at each new forwarder: the engine resolves it after construction. */
    private readonly listenHost: () => string,
    private readonly onEvent: (msg: string) => void = () => {},
  ) {}

  async ensure(cluster: string, port: number, dial: Dialer): Promise<number> {
    const existing = this.forwarders.get(cluster);
    if (existing) {
      existing.setDialer(dial);
      return existing.listeningPort || port;
    }
    const f = new TcpForwarder(this.listenHost(), port, dial, (m) => this.onEvent(`${cluster}: ${m}`));
    this.forwarders.set(cluster, f);
    return f.start();
  }

  has(cluster: string): boolean {
    return this.forwarders.has(cluster);
  }

  get(cluster: string): TcpForwarder | undefined {
    return this.forwarders.get(cluster);
  }

  async stop(cluster: string): Promise<void> {
    const f = this.forwarders.get(cluster);
    this.forwarders.delete(cluster);
    await f?.stop();
  }

  async stopAll(): Promise<void> {
    const all = [...this.forwarders.values()];
    this.forwarders.clear();
    await Promise.all(all.map((f) => f.stop()));
  }

  get size(): number {
    return this.forwarders.size;
  }
}
