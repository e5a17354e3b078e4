// One line of `scale-tui doctor` / `setup --attach` output. Its own module so the checks
// (doctor.ts, endpoint-check.ts, attach.ts) share the shape without importing each other.
export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface CheckResult {
  name: string;
  status: CheckStatus;
  detail: string;
  fix?: string;
}
