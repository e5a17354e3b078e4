// Last-resort handlers for errors nothing caught. Node's defaults print the whole error
// object (stack, and every property such as a failed request's options or a tool's argv)
// and exit: unredacted, so a password or token in it reaches the terminal or a CI log.
// Here every such error becomes one redacted `error:` line.
//
// Uncaught exception: always exit non-zero. The throw unwound an arbitrary stack; nothing
// says the engine's state is consistent, and Node documents resuming as unsafe.
//
// Unhandled rejection: a promise whose failure nobody awaited. In a one-shot command
// (create, delete, status, setup, ...) the command's result can no longer be trusted, so
// exit non-zero at once and let scripts see it; re-running is safe (every step skips what
// is done). In a long-lived command (the TUI, the demo, the emulated controllers and
// servers, create --serve) one lost background promise (a poll, a sampler) must not take
// down hours of experiment, the port-forwards CAPI dials and the terminal with it: log it
// where the user looks and keep running. Failures that matter are awaited and surface
// through their own paths (batch failures, the log pane).
import { UserError } from '../core/errors.js';
import { redact } from '../engine/log/redact.js';

export type CrashMode = 'one-shot' | 'long-lived';

export interface CrashHandlerOptions {
  /** Read at the time of the failure: the command is only known once commander picked it. */
  mode(): CrashMode;
  /** Where the line goes (default stderr). */
  write?(line: string): void;
  /** Where a long-lived command's rejection line goes (default: write); the TUI's log pane. */
  log?(line: string): void;
  exit?(code: number): void;
  /** With SCALE_TUI_DEBUG set, the (redacted) stack follows the line. */
  debug?: boolean;
}

export interface CrashHandlers {
  onUncaughtException(err: unknown): void;
  onUnhandledRejection(reason: unknown): void;
}

/** Exit code for an uncaught exception or a one-shot command's unhandled rejection (as reportFailure's). */
export const CRASH_EXIT_CODE = 1;

/** The one line: the message with its lines joined, redacted; never the stack unless debugging. */
export function crashLine(what: string, err: unknown): string {
  const message = err instanceof Error ? err.message : typeof err === 'string' ? err : safeString(err);
  const oneLine = message
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
    .join(' | ');
  const hint = err instanceof UserError && err.hint ? ` (fix: ${err.hint})` : '';
  return redact(`error: ${what}: ${oneLine || '(no message)'}${hint}`);
}

function safeString(v: unknown): string {
  try {
    return typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
  } catch {
    return Object.prototype.toString.call(v);
  }
}

export function crashHandlers(o: CrashHandlerOptions): CrashHandlers {
  const write = o.write ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const exit = o.exit ?? ((code: number) => process.exit(code));
  const stack = (err: unknown) => {
    if (o.debug && err instanceof Error && err.stack) write(redact(err.stack));
  };
  return {
    onUncaughtException(err) {
      write(crashLine('uncaught exception', err));
      stack(err);
      exit(CRASH_EXIT_CODE);
    },
    onUnhandledRejection(reason) {
      if (o.mode() === 'long-lived') {
        (o.log ?? write)(crashLine('unhandled rejection (still running)', reason));
        stack(reason);
        return;
      }
      write(crashLine('unhandled rejection', reason));
      stack(reason);
      exit(CRASH_EXIT_CODE);
    },
  };
}

/** Installs the handlers on process; returns a function that removes them (tests). */
export function installCrashHandlers(o: CrashHandlerOptions): () => void {
  const h = crashHandlers(o);
  const onException = (err: unknown) => h.onUncaughtException(err);
  const onRejection = (reason: unknown) => h.onUnhandledRejection(reason);
  process.on('uncaughtException', onException);
  process.on('unhandledRejection', onRejection);
  return () => {
    process.off('uncaughtException', onException);
    process.off('unhandledRejection', onRejection);
  };
}

let logSink: ((line: string) => void) | undefined;

/**
 * While a full-screen UI owns the terminal, a line on stderr is drawn over and lost at the
 * next frame: the UI registers its log pane here for the lines of long-lived rejections.
 */
export function routeCrashLog(sink: ((line: string) => void) | undefined): void {
  logSink = sink;
}

/** The process-wide handlers of the CLI: stderr, or the registered log sink. */
export function installCliCrashHandlers(mode: () => CrashMode): () => void {
  return installCrashHandlers({
    mode,
    log: (line) => (logSink ? logSink(line) : void process.stderr.write(`${line}\n`)),
    debug: Boolean(process.env.SCALE_TUI_DEBUG),
  });
}

/** Commands that run until stopped; everything else is one-shot. */
export function commandMode(path: string[], opts: Record<string, unknown> = {}): CrashMode {
  const [first, second] = path;
  if (first === 'ui' || first === 'demo' || first === 'fake-controller') return 'long-lived';
  if (first === 'sim' && second !== undefined) return 'long-lived';
  if (first === 'create' && opts.serve === true) return 'long-lived';
  return 'one-shot';
}
