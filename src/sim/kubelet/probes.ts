// The kubelet's readiness probes, as it runs them: an httpGet counts by status code and does not
// verify the serving certificate; a tcpSocket probe passes when a connection opens. Each has
// a deadline (timeoutSeconds); a refused or timed-out probe is a failure, never an exception.
import http from 'node:http';
import https from 'node:https';
import { connect as tcpConnect } from 'node:net';

/** The response's status code, or 0 when none came within the deadline. */
export async function probeHttp(
  scheme: string,
  host: string,
  port: number,
  path: string,
  timeoutMs: number,
): Promise<number> {
  const mod = scheme.toUpperCase() === 'HTTPS' ? https : http;
  return new Promise((resolve) => {
    // Like the kubelet, probes do not verify a serving certificate.
    const req = mod.get({ host, port, path, timeout: timeoutMs, rejectUnauthorized: false }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}

/** Whether a TCP connection opened within the deadline. */
export function probeTcp(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = tcpConnect({ host, port, timeout: timeoutMs }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('timeout', () => s.destroy());
    s.on('error', () => resolve(false));
    s.on('close', () => resolve(false));
  });
}
