// The one error type of the farm's operations: an HTTP status for the control API and a fix
// line for the CLI, so a bad request is answered as `error:` + `fix:` wherever it came from.
export class FarmError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly fix: string,
  ) {
    super(message);
  }
}
