// The informer's vocabulary (src/core/kube/informer.ts): its options and ports, defaults,
// how a watch ends, and the Status error an ERROR event carries. Apart so the informer file
// holds only the list/watch loop.
import type { KubeObject } from '../../manifests/types.js';
import type { ClientIdentity } from './explain.js';
import type { StreamResponse } from './http.js';

export type WatchEvent = 'add' | 'update' | 'delete';
export type Listener = (type: WatchEvent, obj: KubeObject) => void;

/** What a watch needs of a client; KubeClient has it, the sim's REST client adapts to it. */
export interface WatchClient {
  readonly identity: ClientIdentity;
  readonly server: string;
  readonly deadlines: { requestMs: number };
  stream(path: string, query: Record<string, string | undefined>, signal?: AbortSignal): Promise<StreamResponse>;
}

/** Where the collection lives and how to list it, for clients that are not a KubeClient. */
export interface ListSource {
  path(): Promise<string>;
  list(labelSelector?: string): Promise<{ items: KubeObject[]; resourceVersion: string }>;
}

export interface InformerOptions {
  labelSelector?: string;
  /** Required unless the client is a KubeClient (which discovers the path and lists itself). */
  source?: ListSource;
  /**
   * Wait for the first list however long it takes (client-go's WaitForCacheSync): start-up
   * failures are reported through onError and retried with backoff, never rejected. The
   * emulated controllers start before their API server is up, as real ones may.
   */
  patientStart?: boolean;
  /** Base of the retry backoff (doubles per failure in a row, capped at 30 s). Default 500 ms. */
  retryMs?: number;
  /** Deadline for the first list (start-up). Default 60 s. */
  syncTimeoutMs?: number;
  /** client-go's minWatchTimeout: each watch's timeoutSeconds is this x [1, 2). Default 5 min. */
  minWatchTimeoutMs?: number;
  /** How long past its timeoutSeconds a silent watch is still given. Default 30 s. */
  watchSlackMs?: number;
  /** A watch that lasted this long counts as healthy when it ends (no backoff). Default 5 s. */
  healthyWatchMs?: number;
  /** List and watch failures after start-up (start-up failures reject start() instead). */
  onError?: (message: string) => void;
  random?: () => number;
}

export const DEFAULTS = {
  retryMs: 500,
  syncTimeoutMs: 60_000,
  minWatchTimeoutMs: 5 * 60_000,
  watchSlackMs: 30_000,
  healthyWatchMs: 5_000,
};

export function objectKey(namespace: string | undefined, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

export function rv(o: KubeObject): string | undefined {
  return (o.metadata as { resourceVersion?: string }).resourceVersion;
}

/** An ERROR event or a non-200 watch answer, carrying the status like an ApiException does. */
export class WatchStatusError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly body?: unknown,
    /** The server's Status details.retryAfterSeconds (504 ResourceVersionTooLarge sends 1). */
    readonly retryAfterMs = 0,
  ) {
    super(message);
  }
}

export type WatchEnd =
  /** the server ended it (timeoutSeconds) or the connection closed: resume from lastRv */
  | { kind: 'closed' }
  /** silent past its deadline: a half-open connection */
  | { kind: 'stalled' }
  /** the watch could not be opened, or failed mid-way */
  | { kind: 'error'; err: unknown }
  /** 410 Gone: our resourceVersion is compacted away; only a re-list helps */
  | { kind: 'gone' }
  | { kind: 'stopped' };

/** The first few KiB of an error answer (its Status message), never an unbounded read. */
export async function readSome(body: AsyncIterable<unknown>): Promise<string> {
  let text = '';
  for await (const c of body) {
    text += String(c);
    if (text.length > 4096) break;
  }
  return text;
}
