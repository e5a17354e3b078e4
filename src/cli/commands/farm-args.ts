// Parsing of `scale-tui farm fault` flags, apart from the command so it is tested without a
// farm: every bad value is refused with an error and a fix before anything is sent.
import { UserError } from '../../core/errors.js';

export interface FaultFlags {
  down?: boolean;
  up?: boolean;
  latency?: string;
  errorRate?: string;
  clear?: boolean;
}

export interface FaultBody {
  down?: boolean;
  latencyMs?: number;
  errorRate?: number;
}

/** `200ms`, `1.5s`, `2m` or a bare number of milliseconds. */
export function parseDurationMs(v: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(v.trim());
  if (!m)
    throw new UserError(
      `--latency "${v}" is not a duration`,
      'Example: --latency 200ms (or 1s; 0 removes the latency)',
    );
  const n = Number(m[1]) * (m[2] === 's' ? 1000 : m[2] === 'm' ? 60_000 : 1);
  if (n > 600_000)
    throw new UserError(`--latency ${v} is over 10 minutes`, 'use at most 10m; clients time out long before');
  return n;
}

export function parseFaultFlags(f: FaultFlags): FaultBody {
  const given = [f.down, f.up, f.latency !== undefined, f.errorRate !== undefined, f.clear].filter(Boolean).length;
  if (given === 0)
    throw new UserError(
      'farm fault needs a fault to apply',
      'give one or more of --down, --up, --latency 200ms, --error-rate 0.2, or --clear',
    );
  if (f.down && f.up) throw new UserError('--down and --up together', 'give one of them');
  if (f.clear && given > 1)
    throw new UserError('--clear removes every fault; it takes no other fault flag', 'run --clear alone');
  const body: FaultBody = {};
  if (f.down) body.down = true;
  if (f.up) body.down = false;
  if (f.latency !== undefined) body.latencyMs = parseDurationMs(f.latency);
  if (f.errorRate !== undefined) {
    const n = Number(f.errorRate);
    if (f.errorRate.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1)
      throw new UserError(
        `--error-rate "${f.errorRate}" is not a share from 0 to 1`,
        'Example: --error-rate 0.2 (one request in five fails; 0 removes it)',
      );
    body.errorRate = n;
  }
  return body;
}
