// Turns any failure in a command into one readable message and a non-zero exit.
import { explainKubeError } from '../engine/kube/explain.js';

export function reportFailure(err: unknown): number {
  // A Kubernetes request that failed (unreachable, deadline, 401, 403, missing CRD) is the
  // user's to fix, not a bug: explainKubeError names the cluster, identity and fix.
  const known = explainKubeError(err);
  if (known) {
    process.stderr.write(`error: ${known.message}\n`);
    if (known.hint) process.stderr.write(`fix: ${known.hint}\n`);
    return known.exitCode;
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`error: ${message}\n`);
  if (process.env.SCALE_TUI_DEBUG && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  else process.stderr.write('(this is unexpected; rerun with SCALE_TUI_DEBUG=1 for details and report it)\n');
  return 1;
}

/** Wraps a commander action so its errors become messages, not stack traces. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void> | void): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      process.exitCode = reportFailure(err);
    }
  };
}
