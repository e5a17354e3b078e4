// Turns informer events into promises: "resolve when some cached object satisfies this
// predicate". Checked against the cache at once, then re-checked on every event of the
// informers it listens to. No timers beyond the caller's deadline, no polling.
import type { KubeObject } from '../../manifests/types.js';
import type { Informer } from '../../core/kube/informer.js';

export class WaitTimeout extends Error {
  constructor(
    readonly what: string,
    readonly ms: number,
  ) {
    super(`timed out after ${Math.round(ms / 1000)} s waiting for ${what}`);
  }
}

export class WaitAborted extends Error {
  constructor() {
    super('aborted');
  }
}

/**
 * Waits until `check()` returns a value (not undefined). `check` reads informer caches;
 * it is evaluated on every event of `informers`.
 */
export function waitFor<T>(
  informers: Informer[],
  check: () => T | undefined,
  opts: { what: string; timeoutMs: number; signal?: AbortSignal },
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const offs: Array<() => void> = [];
    let timer: NodeJS.Timeout | undefined;
    const done = (): void => {
      for (const off of offs) off();
      if (timer) clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = (): void => {
      done();
      reject(new WaitAborted());
    };
    const evaluate = (): boolean => {
      let v: T | undefined;
      try {
        v = check();
      } catch (err) {
        done();
        reject(err as Error);
        return true;
      }
      if (v !== undefined) {
        done();
        resolve(v);
        return true;
      }
      return false;
    };
    if (opts.signal?.aborted) {
      reject(new WaitAborted());
      return;
    }
    if (evaluate()) return;
    for (const inf of informers) offs.push(inf.on(() => void evaluate()));
    opts.signal?.addEventListener('abort', onAbort);
    timer = setTimeout(() => {
      done();
      reject(new WaitTimeout(opts.what, opts.timeoutMs));
    }, opts.timeoutMs);
  });
}

export type { KubeObject };
