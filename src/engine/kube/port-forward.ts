// A `kubectl port-forward` to one pod/service port on an ephemeral local port, for
// short admin sessions (the etcd admin path). Long-lived data paths use the engine's
// supervised forwarder (src/engine/forward) instead.
import { execa, type ResultPromise } from 'execa';
import { UserError } from '../../core/errors.js';
import { kubectlArgs, type KubectlTarget } from '../tools/kubectl.js';
import { installHint } from '../tools/run.js';

export interface PortForward {
  localPort: number;
  stop(): Promise<void>;
}

export interface PortForwardOptions extends KubectlTarget {
  namespace: string;
  /** e.g. `pod/etcd-0` or `svc/etcd-server`. */
  resource: string;
  remotePort: number;
  timeoutMs?: number;
}

/** kubectl prints `Forwarding from 127.0.0.1:43121 -> 2379` once the listener is up. */
export function parseForwardingLine(text: string): number | undefined {
  const m = /Forwarding from 127\.0\.0\.1:(\d+) ->/.exec(text);
  return m ? Number(m[1]) : undefined;
}

export async function startPortForward(o: PortForwardOptions): Promise<PortForward> {
  const args = kubectlArgs(o, [
    'port-forward',
    '-n',
    o.namespace,
    '--address',
    '127.0.0.1',
    o.resource,
    `:${o.remotePort}`,
  ]);
  let child: ResultPromise;
  try {
    child = execa('kubectl', args, { reject: false, buffer: false, stdin: 'ignore' });
  } catch (err) {
    throw new UserError(`could not start kubectl port-forward: ${(err as Error).message}`, installHint('kubectl'));
  }
  const stop = async () => {
    if (child.exitCode === null && !child.killed) child.kill('SIGTERM');
    await child.catch(() => undefined);
  };
  let out = '';
  let err = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error('timeout')), o.timeoutMs ?? 20_000);
    const finish = (e: Error | undefined, p?: number) => {
      clearTimeout(timer);
      child.stdout?.off('data', onOut);
      if (e) reject(e);
      else resolve(p!);
    };
    const onOut = (d: Buffer) => {
      out += d.toString();
      const p = parseForwardingLine(out);
      if (p !== undefined) finish(undefined, p);
    };
    child.stdout?.on('data', onOut);
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.then(
      (r) => finish(new Error(`exited with ${r.exitCode ?? (r as { code?: string }).code}`)),
      (e: Error) => finish(e),
    );
  }).catch(async (e: Error) => {
    await stop();
    const missing = /ENOENT/.test(e.message) || /ENOENT/.test(err);
    throw new UserError(
      missing
        ? 'kubectl is not installed (needed for port-forward)'
        : `port-forward to ${o.namespace}/${o.resource}:${o.remotePort} failed: ${(err.trim().split('\n').slice(-1)[0] ?? '') || e.message}`,
      missing
        ? installHint('kubectl')
        : `Check that ${o.resource} is running: kubectl -n ${o.namespace} get ${o.resource}.`,
    );
  });
  return { localPort: port, stop };
}
