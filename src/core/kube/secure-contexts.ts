// TLS secure contexts shared by every client in the process that presents the same CA,
// certificate and key. A context parses them into native memory (about 27 KiB with a CA):
// per connection that was churn V8 does not see; per client it would still be one per
// emulated controller per workload cluster (CAPI, KCP and CAPM3 each read the same
// `<cluster>-kubeconfig`). The table holds contexts weakly: one lives while a client does.
import { createHash } from 'node:crypto';
import tls from 'node:tls';

export type ContextMaterial = Pick<tls.SecureContextOptions, 'ca' | 'cert' | 'key'>;

const table = new Map<string, WeakRef<tls.SecureContext>>();
const cleanup = new FinalizationRegistry<string>((id) => {
  if (table.get(id)?.deref() === undefined) table.delete(id);
});

type Material = string | Buffer | { pem: string | Buffer; passphrase?: string | undefined };

function text(x: Material): string {
  if (typeof x === 'string') return x;
  if (Buffer.isBuffer(x)) return x.toString('base64');
  return JSON.stringify({ pem: text(x.pem), passphrase: x.passphrase ?? null });
}

function part(v: ContextMaterial[keyof ContextMaterial]): string {
  if (v === undefined) return '';
  return (Array.isArray(v) ? (v as Material[]) : [v as Material]).map(text).join('\u0001');
}

/** The process's context for this CA, certificate and key (made on first use). */
export function sharedSecureContext(m: ContextMaterial): tls.SecureContext {
  const id = createHash('sha256')
    .update(`${part(m.ca)}\u0000${part(m.cert)}\u0000${part(m.key)}`)
    .digest('hex');
  const live = table.get(id)?.deref();
  if (live) return live;
  const ctx = tls.createSecureContext({ ca: m.ca, cert: m.cert, key: m.key });
  table.set(id, new WeakRef(ctx));
  cleanup.register(ctx, id);
  return ctx;
}

/** Contexts in the table (tests). */
export function sharedSecureContextEntries(): number {
  return table.size;
}
