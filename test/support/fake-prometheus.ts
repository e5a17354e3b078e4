// A small Prometheus HTTP API for tests: /api/v1/query and /api/v1/query_range over series
// the test loads, answering plain vector selectors (`name{l="v",l2=~"a|b"}` or
// `{__name__=~"…",…}`) with Prometheus' 5-minute lookback. It refuses what the real API
// refuses, with the same status, errorType and wording: anything that is not a selector
// (parse error), a selector with no non-empty matcher, missing or unparsable
// query/time/start/end/step, a zero or negative step, end before start, and more than
// 11,000 points per series — all 400 bad_data.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeSeries {
  labels: Record<string, string>;
  /** [unix seconds, value], ascending. */
  points: Array<[number, number]>;
}

interface Matcher {
  name: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

class BadData extends Error {}

const LOOKBACK_S = 300;

function parseSelector(q: string): Matcher[] {
  const m = /^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)?\s*(?:\{(.*)\})?\s*$/s.exec(q);
  if (!m || (!m[1] && m[2] === undefined))
    throw new BadData(`1:1: parse error: unexpected character in "${q.slice(0, 20)}"`);
  const matchers: Matcher[] = m[1] ? [{ name: '__name__', op: '=', value: m[1] }] : [];
  let rest = (m[2] ?? '').trim();
  while (rest) {
    const mm = /^([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*(,\s*)?/.exec(rest);
    if (!mm) throw new BadData(`parse error: unexpected "${rest.slice(0, 10)}" in label matching`);
    matchers.push({ name: mm[1]!, op: mm[2] as Matcher['op'], value: mm[3]!.replace(/\\(.)/g, '$1') });
    rest = rest.slice(mm[0].length);
  }
  // Prometheus refuses a selector every matcher of which also matches the empty string.
  if (matchers.every((x) => matches({}, [x])))
    throw new BadData('vector selector must contain at least one non-empty matcher');
  return matchers;
}

function matches(labels: Record<string, string>, ms: Matcher[]): boolean {
  return ms.every((m) => {
    const v = labels[m.name] ?? '';
    if (m.op === '=') return v === m.value;
    if (m.op === '!=') return v !== m.value;
    const re = new RegExp(`^(?:${m.value})$`);
    return m.op === '=~' ? re.test(v) : !re.test(v);
  });
}

function valueAt(s: FakeSeries, t: number): number | undefined {
  let found: number | undefined;
  for (const [pt, v] of s.points) if (pt <= t && pt > t - LOOKBACK_S) found = v;
  return found;
}

function timeParam(q: URLSearchParams, name: string, fallback?: number): number {
  const raw = q.get(name);
  if (raw === null || raw === '') {
    if (fallback !== undefined) return fallback;
    throw new BadData(`invalid parameter "${name}": cannot parse "" to a valid timestamp`);
  }
  const n = Number(raw);
  if (!Number.isFinite(n)) throw new BadData(`invalid parameter "${name}": cannot parse "${raw}" to a valid timestamp`);
  return n;
}

export interface FakePrometheus {
  url: string;
  series: FakeSeries[];
  /** Every query string received, for assertions. */
  queries: string[];
  stop(): Promise<void>;
}

export async function startFakePrometheus(
  series: FakeSeries[],
  now: () => number = () => Date.now() / 1000,
): Promise<FakePrometheus> {
  const queries: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const send = (code: number, body: unknown): void => {
      const text = JSON.stringify(body);
      res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
      res.end(text);
    };
    try {
      if (req.method !== 'GET' && req.method !== 'POST')
        return send(405, { status: 'error', errorType: 'bad_data', error: 'method not allowed' });
      const q = url.searchParams;
      const query = q.get('query');
      if (url.pathname !== '/api/v1/query' && url.pathname !== '/api/v1/query_range')
        return send(404, { status: 'error', errorType: 'not_found', error: 'not found' });
      if (!query) throw new BadData('invalid parameter "query": 1:1: parse error: no expression found in input');
      queries.push(query);
      const ms = parseSelector(query);
      const picked = series.filter((s) => matches(s.labels, ms));
      if (url.pathname === '/api/v1/query') {
        const t = timeParam(q, 'time', now());
        const result = picked.flatMap((s) => {
          const v = valueAt(s, t);
          return v === undefined ? [] : [{ metric: s.labels, value: [t, String(v)] }];
        });
        return send(200, { status: 'success', data: { resultType: 'vector', result } });
      }
      const start = timeParam(q, 'start');
      const end = timeParam(q, 'end');
      const stepRaw = q.get('step') ?? '';
      const step = Number(stepRaw);
      if (!stepRaw || !Number.isFinite(step))
        throw new BadData(`invalid parameter "step": cannot parse "${stepRaw}" to a valid duration`);
      if (end < start) throw new BadData('invalid parameter "end": end timestamp must not be before start time');
      if (step <= 0)
        throw new BadData(
          'invalid parameter "step": zero or negative query resolution step widths are not accepted. Try a positive integer',
        );
      if ((end - start) / step > 11_000)
        throw new BadData(
          'exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)',
        );
      const result = picked.flatMap((s) => {
        const values: Array<[number, string]> = [];
        for (let t = start; t <= end; t += step) {
          const v = valueAt(s, t);
          if (v !== undefined) values.push([t, String(v)]);
        }
        return values.length ? [{ metric: s.labels, values }] : [];
      });
      return send(200, { status: 'success', data: { resultType: 'matrix', result } });
    } catch (err) {
      if (err instanceof BadData) return send(400, { status: 'error', errorType: 'bad_data', error: err.message });
      return send(500, { status: 'error', errorType: 'internal', error: (err as Error).message });
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    series,
    queries,
    stop: () => new Promise((r) => server.close(() => r())),
  };
}
