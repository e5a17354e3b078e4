// Live metrics for a TUI session on a real management cluster: controller PodMetrics,
// throttling from their logs, backing cluster status and timing, into the session's store
// and its run journal (for `scale-tui report`).
import { Journal, runJournalPath } from '../core/journal/journal.js';
import { KubeClient } from '../core/kube/client.js';
import { startMetrics, type RunningMetrics } from '../metrics/index.js';
import type { Session } from './commands/create.js';

export function startSessionMetrics(session: Session): RunningMetrics {
  const journal = new Journal(runJournalPath(session.stateDir, session.engine.runId));
  const metrics = startMetrics({
    client: KubeClient.from(session.management),
    store: session.store,
    journal: (e) => journal.append(e),
    backing: session.backing.map((b) => {
      const client = KubeClient.from(b.target);
      return { name: b.name, client, endpoint: client.server, capacity: b.capacity };
    }),
  });
  return {
    tick: () => metrics.tick(),
    stop: async () => {
      await metrics.stop();
      journal.close();
    },
  };
}
