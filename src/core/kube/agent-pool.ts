// Kept-alive connections for every client with the same credentials.
// client-node builds a new https.Agent for every request (KubeConfig.applySecurityAuthentication),
// so each call pays a fresh TCP connect, a full TLS handshake without session resumption and
// a new secure context (the CA, certificate and key parsed again). client-go keeps one
// transport per rest config and reuses its connections. Here the agent client-node built is
// swapped for a kept-alive one with the same TLS options, shared by every request that
// presents them. In the demo, where the API server shares the process, the handshakes were
// what made requests miss the 10 s connect deadline at 50 pipelines in flight.
import { createHash } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import tls from 'node:tls';

/** The TLS options of an agent that decide which server it trusts and who it is. */
const IDENTITY_KEYS = ['ca', 'cert', 'key', 'pfx', 'passphrase', 'rejectUnauthorized', 'servername'] as const;

/** Distinct credential sets are few (one per kubeconfig user); the bound only guards churn. */
const MAX_AGENTS = 256;

const pool = new Map<string, http.Agent>();

function text(v: unknown): unknown {
  if (Buffer.isBuffer(v)) return v.toString('base64');
  if (Array.isArray(v)) return v.map(text);
  return v;
}

function identityOf(options: Record<string, unknown>, secure: boolean): string {
  const h = createHash('sha256').update(secure ? 'https' : 'http');
  for (const k of IDENTITY_KEYS) h.update(`\0${k}=${JSON.stringify(text(options[k]) ?? null)}`);
  return h.digest('hex');
}

/**
 * The kept-alive agent for the credentials `agent` carries. Agents that are not plain
 * http/https agents (client-node's proxy agents) are returned as they are.
 */
export function keepAliveAgent(agent: http.Agent | undefined): http.Agent | undefined {
  if (!agent) return agent;
  const secure = agent.constructor === https.Agent;
  if (!secure && agent.constructor !== http.Agent) return agent;
  const options = (agent as http.Agent & { options?: Record<string, unknown> }).options ?? {};
  const id = identityOf(options, secure);
  const found = pool.get(id);
  if (found) {
    // Most recently used last, so eviction takes the oldest.
    pool.delete(id);
    pool.set(id, found);
    return found;
  }
  // No socket limit: a request never queues behind another client's watch, so the connect
  // deadline measures a connection and not a wait for a free socket.
  // One TLS context per identity: without it every new connection parses the CA, certificate
  // and key into a context of its own, native memory V8 does not see until a GC finds the
  // socket (2000 connections: +74 MiB RSS, +38 MiB with one context; issue 15).
  const secureContext =
    secure && (options.ca || options.cert || options.key || options.pfx)
      ? tls.createSecureContext(options as tls.SecureContextOptions)
      : undefined;
  const shared = secure
    ? new https.Agent({
        ...options,
        ...(secureContext ? { secureContext } : {}),
        keepAlive: true,
        maxSockets: Number.POSITIVE_INFINITY,
        maxFreeSockets: 16,
      })
    : new http.Agent({ ...options, keepAlive: true, maxSockets: Number.POSITIVE_INFINITY, maxFreeSockets: 16 });
  pool.set(id, shared);
  if (pool.size > MAX_AGENTS) {
    const [oldest, old] = pool.entries().next().value as [string, http.Agent];
    pool.delete(oldest);
    old.destroy();
  }
  return shared;
}

/** How many kept-alive agents exist (tests). */
export function keepAliveAgentCount(): number {
  return pool.size;
}
