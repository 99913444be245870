/**
 * Keep-alive agents whose new sockets must connect within a deadline, and a record of which
 * sockets ever connected. That record is what lets the client say a request "provably never
 * left": HTTP bytes are only written to a connected (for TLS: handshaken) socket.
 */
import http from 'node:http';
import https from 'node:https';
import type { Duplex } from 'node:stream';

export const CONNECT_TIMEOUT_CODE = 'VOD_CONNECT_TIMEOUT';

const connectedSockets = new WeakSet<object>();

export interface Agents {
  http: http.Agent;
  https: https.Agent;
}

export function createAgents(connectTimeoutMs: number): Agents {
  const agents = {
    http: new http.Agent({ keepAlive: true }),
    https: new https.Agent({ keepAlive: true, rejectUnauthorized: true }),
  };
  guardConnect(agents.http, 'connect', connectTimeoutMs);
  guardConnect(agents.https, 'secureConnect', connectTimeoutMs);
  return agents;
}

/** True when the request's socket had connected; undefined when the request holds no socket. */
export function requestConnected(request: unknown): boolean | undefined {
  const socket = typeof request === 'object' && request !== null ? (request as { socket?: unknown }).socket : undefined;
  return typeof socket === 'object' && socket !== null ? connectedSockets.has(socket) : undefined;
}

// Only new sockets pass through createConnection; reused keep-alive sockets are connected already.
function guardConnect(agent: http.Agent, event: 'connect' | 'secureConnect', timeoutMs: number): void {
  const create = agent.createConnection.bind(agent);
  agent.createConnection = (options, callback) => {
    const socket = create(options, callback);
    if (socket) watch(socket, event, timeoutMs);
    return socket;
  };
}

function watch(socket: Duplex, event: string, timeoutMs: number): void {
  const timer = setTimeout(() => {
    socket.destroy(Object.assign(new Error(`connect timeout after ${timeoutMs}ms`), { code: CONNECT_TIMEOUT_CODE }));
  }, timeoutMs);
  socket.once(event, () => {
    clearTimeout(timer);
    connectedSockets.add(socket);
  });
  socket.once('close', () => clearTimeout(timer));
}
