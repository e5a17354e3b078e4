// `backing remove NAME --purge` for a backing cluster that scale-tui's `backing create` made:
// the registry records the kind cluster it created and where (over ssh to that host, or on
// this machine), and purge deletes exactly that kind cluster there. A kind cluster scale-tui
// did not make (one `backing create` found already there) is never deleted: purge refuses.
import { UserError } from '../../core/errors.js';
import { kindClusters, kindDeleteCluster } from '../tools/kind.js';
import { ssh, type SshTarget } from '../tools/ssh.js';
import type { BackingEntry } from './registry.js';

type CreatedKind = NonNullable<BackingEntry['kindCluster']>;

/** A kind delete is a few docker calls; a host that hangs longer than this is reported. */
const KIND_DELETE_TIMEOUT_MS = 300_000;

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

function where(t: SshTarget | undefined): string {
  return t ? `${t.user}@${t.host}${t.port ? `:${t.port}` : ''}` : 'this machine';
}

export async function deleteCreatedKindCluster(
  kind: CreatedKind,
  log: (line: string) => void = () => {},
): Promise<void> {
  const t = kind.ssh;
  const names = t
    ? await ssh(t, 'kind get clusters', { timeoutMs: 60_000 }).then((r) =>
        r.stdout
          .split('\n')
          .map((l) => l.trim())
          .filter(Boolean),
      )
    : await kindClusters();
  if (!names.includes(kind.name)) {
    // Already gone (deleted by hand): nothing of scale-tui's is left to delete there.
    log(`${where(t)}: kind cluster ${kind.name} is already gone`);
    return;
  }
  log(`${where(t)}: deleting kind cluster ${kind.name} (made by scale-tui backing create)`);
  if (t) await ssh(t, `kind delete cluster --name ${shellQuote(kind.name)}`, { timeoutMs: KIND_DELETE_TIMEOUT_MS });
  else await kindDeleteCluster(kind.name, KIND_DELETE_TIMEOUT_MS);
}

/**
 * An entry `backing create` registered (source ssh:…) without a kind-cluster record: the kind
 * cluster was there before scale-tui (or the entry predates the record), so purge refuses
 * rather than delete a cluster someone else made. `backing add` entries purge etcd-system only.
 */
export function refuseForeignKindCluster(entry: BackingEntry): void {
  if (!entry.source.startsWith('ssh:')) return;
  const host = entry.source.slice('ssh:'.length);
  throw new UserError(
    `the kind cluster ${entry.name} on ${host} was not created by scale-tui (backing create found it already there); --purge deletes only what scale-tui made`,
    `Run scale-tui backing remove ${entry.name} without --purge (the kind cluster keeps running), or delete it yourself: ssh ${host} kind delete cluster --name ${entry.name}`,
  );
}
