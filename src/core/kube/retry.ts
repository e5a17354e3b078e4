// Retries for transient API answers. A loaded API server sheds work with 429 (priority and
// fairness, with Retry-After) and 5xx; giving up on the first one fails clusters that would
// have been fine a second later, and retrying at once is the hot loop that keeps it loaded.
// So: capped exponential backoff with full jitter (clients spread out instead of retrying in
// step), Retry-After honoured as a floor, and a bounded number of attempts.
import { statusCode } from './client-errors.js';

export interface RetryPolicy {
  attempts: number;
  baseMs: number;
  capMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 6, baseMs: 200, capMs: 5_000 };

const TRANSIENT = new Set([429, 500, 502, 503, 504]);

export function isTransient(err: unknown): boolean {
  const code = statusCode(err);
  if (code !== undefined) return TRANSIENT.has(code);
  // A connection cut mid-request (server restarting, forward bounced); refused connections
  // are not retried: an unreachable server should be reported, not waited for.
  return (err as { code?: unknown }).code === 'ECONNRESET';
}

function retryAfterMs(err: unknown): number {
  const headers = (err as { headers?: Record<string, string | undefined> }).headers;
  const v = Number(headers?.['retry-after']);
  return Number.isFinite(v) && v > 0 ? v * 1000 : 0;
}

/** Delay before retry number `attempt` (0-based): uniform in [0, min(cap, base*2^attempt)]. */
export function backoffMs(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(policy.capMs, policy.baseMs * 2 ** attempt));
}

export async function withRetry<T>(
  fn: () => Promise<T>,
  policy: RetryPolicy = DEFAULT_RETRY,
  signal?: AbortSignal,
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt + 1 >= policy.attempts || !isTransient(err) || signal?.aborted) throw err;
      const wait = Math.max(backoffMs(policy, attempt), Math.min(retryAfterMs(err), policy.capMs));
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}
