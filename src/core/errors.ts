// Errors a user can act on. The CLI prints `error: <message>` and `fix: <hint>` and exits non-zero;
// anything that is not a UserError is a bug and is reported as such (still without a stack trace
// unless SCALE_TUI_DEBUG is set).
export class UserError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
    readonly exitCode = 2,
  ) {
    super(message);
    this.name = 'UserError';
  }
}
