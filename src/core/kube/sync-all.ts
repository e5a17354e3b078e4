// Starting several informers together (the engine's six): wait for all, and report the
// failure that explains the most.
import type { Informer } from './informer.js';

/**
 * Starts informers and waits until all have synced. When one fails, the others get `graceMs`
 * to settle, and the error reported is that of the first failed informer in the given order:
 * against a cluster with no CAPI CRDs at all, every informer fails within milliseconds, and
 * the user should read about Clusters (the CAPI CRDs), not whichever 404 arrived first.
 */
export async function syncAll(informers: Informer[], graceMs = 1_000): Promise<void> {
  const outcome: Array<{ err: unknown } | 'synced' | undefined> = informers.map(() => undefined);
  let failed!: () => void;
  const firstFailure = new Promise<void>((resolve) => {
    failed = resolve;
  });
  const all = Promise.all(
    informers.map((inf, k) =>
      inf.start().then(
        () => {
          outcome[k] = 'synced';
        },
        (err: unknown) => {
          outcome[k] = { err };
          failed();
        },
      ),
    ),
  );
  await Promise.race([all, firstFailure]);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([all, new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)))]);
  clearTimeout(timer);
  for (const o of outcome) if (o && o !== 'synced') throw o.err;
}
