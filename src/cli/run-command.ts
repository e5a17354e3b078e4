// Turns any failure in a command into one readable message and a non-zero exit.
import { explainKubeError } from '../core/kube/explain.js';
import { redact } from '../engine/log/redact.js';

// An error can quote what a server or tool echoed back (a kubeconfig, a token, a key):
// every line goes out through redaction.
const say = (line: string): void => void process.stderr.write(`${redact(line)}\n`);

export function reportFailure(err: unknown): number {
  // A Kubernetes request that failed (unreachable, deadline, 401, 403, missing CRD) is the
  // user's to fix, not a bug: explainKubeError names the cluster, identity and fix.
  const known = explainKubeError(err);
  if (known) {
    say(`error: ${known.message}`);
    if (known.hint) say(`fix: ${known.hint}`);
    return known.exitCode;
  }
  const message = err instanceof Error ? err.message : String(err);
  say(`error: ${message}`);
  if (process.env.SCALE_TUI_DEBUG && err instanceof Error && err.stack) say(err.stack);
  else say('(this is unexpected; rerun with SCALE_TUI_DEBUG=1 for details and report it)');
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
