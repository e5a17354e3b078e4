// Waiting on real conditions with a deadline and a clear message (the seed had unbounded
// polls and kubectl's silent 30 s default, SEED-SCRIPTS §15.10-11), and retrying
// operations that fail only because a webhook is not serving yet (§15.9).
import { UserError } from '../../core/errors.js';

export interface WaitOptions {
  /** What we are waiting for, e.g. "Deployment capi-system/capi-controller-manager Available". */
  what: string;
  timeoutMs: number;
  pollMs?: number;
  hint?: string;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Polls `pending` (returns a reason while not done, undefined when done) until done or timeout. */
export async function waitFor(pending: () => Promise<string | undefined>, o: WaitOptions): Promise<void> {
  const sleep = o.sleep ?? realSleep;
  const now = o.now ?? Date.now;
  const deadline = now() + o.timeoutMs;
  let last = 'not checked';
  for (;;) {
    try {
      const reason = await pending();
      if (reason === undefined) return;
      last = reason;
    } catch (err) {
      // A transient API error while polling is a reason to keep waiting, not to fail.
      last = (err as Error).message.split('\n')[0] ?? 'error';
    }
    if (now() >= deadline) break;
    await sleep(o.pollMs ?? 2000);
  }
  throw new UserError(
    `timed out after ${Math.round(o.timeoutMs / 1000)} s waiting for ${o.what}: ${last}`,
    o.hint ?? 'Check the cluster, then re-run: finished steps are skipped.',
  );
}

/** Errors that mean "the admission webhook is not serving yet": retry, do not fail. */
export const WEBHOOK_NOT_READY =
  /failed calling webhook|no endpoints available for service|connection refused|x509: certificate signed by unknown authority|context deadline exceeded|EOF$/m;

export interface RetryOptions {
  what: string;
  timeoutMs: number;
  initialDelayMs?: number;
  maxDelayMs?: number;
  retryOn?: RegExp;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  onRetry?: (attempt: number, delayMs: number, message: string) => void;
}

/** Retries `fn` with exponential backoff while its error matches `retryOn` and time remains. */
export async function retryWithBackoff<T>(fn: () => Promise<T>, o: RetryOptions): Promise<T> {
  const sleep = o.sleep ?? realSleep;
  const now = o.now ?? Date.now;
  const deadline = now() + o.timeoutMs;
  const retryOn = o.retryOn ?? WEBHOOK_NOT_READY;
  let delay = o.initialDelayMs ?? 1000;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      const message = (err as Error).message;
      if (!retryOn.test(message)) throw err;
      if (now() + delay > deadline) {
        throw new UserError(
          `${o.what} still failing after ${Math.round(o.timeoutMs / 1000)} s (webhook not ready?): ${message.split('\n').slice(-1)[0]}`,
          'Check that the provider pods are running and their webhook Services have endpoints (kubectl get pods -A), then re-run.',
        );
      }
      o.onRetry?.(attempt, delay, message);
      await sleep(delay);
      delay = Math.min(delay * 2, o.maxDelayMs ?? 15_000);
    }
  }
}
