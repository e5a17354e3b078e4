// The error every request of ours fails with when the network, not the server, answered.
// Its own module because the CLI's error explainer needs the class but not the Kubernetes
// client library that http.ts wraps (about a second to import on this machine).
/** A request that got no HTTP answer: deadline, refused, reset, TLS failure. */
export class KubeRequestError extends Error {
  constructor(
    /** `ETIMEDOUT` for our deadlines, otherwise the socket's code (ECONNREFUSED, ...). */
    readonly code: string,
    readonly verb: string,
    /** Origin and path, without the query. */
    readonly target: string,
    readonly server: string,
    /** What happened, without the request: "connection refused", "no answer within 30 s". */
    readonly reason: string,
  ) {
    super(`${verb} ${target}: ${reason}`);
    this.name = 'KubeRequestError';
  }

  /** The path part of `target` (the server is usually named separately). */
  get path(): string {
    return this.target.slice(this.server.length) || '/';
  }
}
