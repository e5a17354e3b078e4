// GET pods/<pod>/log: the container defaults to the pod's only one (or the error naming the
// choices), an undeclared container is a 400, and follow, tailLines, sinceSeconds and timestamps
// are passed to the LogStore; a followed stream is closed when the client goes or the server stops.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from './registry.js';
import type { ObjectStore } from './objects.js';
import type { LogStore } from './logs.js';
import { badRequest } from './status.js';
import { isObject } from './patch.js';
import { intParam } from './http-io.js';

export interface PodLogDeps {
  registry: Registry;
  store: ObjectStore;
  logs: LogStore;
  /** Open long-running streams, closed on stop(). */
  streams: Set<() => void>;
}

// ---- pods/log
/** GET pods/<pod>/log: picks the container as kube-apiserver does, then streams from the LogStore. */
export function serveLog(
  d: PodLogDeps,
  req: IncomingMessage,
  res: ServerResponse,
  ns: string,
  pod: string,
  q: URLSearchParams,
): void {
  const t = d.registry.lookup('', 'v1', 'pods')!;
  const obj = d.store.getObject(t, ns, pod);
  const spec = isObject(obj.spec) ? obj.spec : {};
  const declared = (Array.isArray(spec.containers) ? spec.containers : []).flatMap((c) =>
    isObject(c) && typeof c.name === 'string' ? [c.name] : [],
  );
  let container = q.get('container') ?? undefined;
  if (!container) {
    const candidates = declared.length ? declared : d.logs.containersWithLogs(ns, pod);
    if (candidates.length !== 1) {
      throw badRequest(`a container name must be specified for pod ${pod}, choose one of: [${candidates.join(' ')}]`);
    }
    container = candidates[0]!;
  } else if (declared.length && !declared.includes(container)) {
    throw badRequest(`container ${container} is not valid for pod ${pod}`);
  }
  d.logs.serve(res, ns, pod, container, {
    follow: q.get('follow') === 'true',
    tailLines: intParam(q, 'tailLines'),
    sinceSeconds: intParam(q, 'sinceSeconds'),
    timestamps: q.get('timestamps') === 'true',
    onClose: (fn) => {
      const close = (): void => {
        fn();
        d.streams.delete(end);
      };
      const end = (): void => {
        close();
        res.end();
      };
      d.streams.add(end);
      req.on('close', close);
    },
  });
}
