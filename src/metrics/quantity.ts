// Kubernetes resource quantities as metrics-server reports them ("123456789n", "250m",
// "2", "104857600", "512Ki", "1.5Gi", "1e3").
const CPU: Record<string, number> = { n: 1e-6, u: 1e-3, m: 1, '': 1000 };
const BIN: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DEC: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

const RE = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)([a-zA-Z]*)$/;

/** CPU quantity in millicores. */
export function cpuMillicores(q: string): number | undefined {
  const m = RE.exec(q.trim());
  if (!m) return undefined;
  const f = CPU[m[2]!];
  return f === undefined ? undefined : Number(m[1]) * f;
}

/** Memory (or any byte) quantity in bytes. */
export function quantityBytes(q: string): number | undefined {
  const m = RE.exec(q.trim());
  if (!m) return undefined;
  const f = BIN[m[2]!] ?? DEC[m[2]!];
  return f === undefined ? undefined : Number(m[1]) * f;
}
