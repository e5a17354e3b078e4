// klog's text header carries month, day and time but no year ("I1125 02:03:04.123456 ...").
// The year is the one that puts the line closest before `now` (lines around New Year).
const HEADER = /^[IWEF](\d{2})(\d{2}) (\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?\s/;

export function klogTime(line: string, now: number): number | undefined {
  const m = HEADER.exec(line.trimStart());
  if (!m) return undefined;
  const [, mo, d, h, mi, s, frac] = m as unknown as [
    string,
    string,
    string,
    string,
    string,
    string,
    string | undefined,
  ];
  const ms = frac ? Math.floor(Number(frac.padEnd(6, '0')) / 1000) : 0;
  const year = new Date(now).getUTCFullYear();
  const at = (y: number): number => Date.UTC(y, Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  const t = at(year);
  return t > now + 24 * 3_600_000 ? at(year - 1) : t;
}
