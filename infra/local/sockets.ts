import type { AgentOptions } from 'node:http';

/**
 * Kept-alive connections between the local runtime's clients and its engines (ADR 0033). A client
 * that writes a request on a connection the engine is closing at that moment gets ECONNRESET; two
 * things make that race rare, and a third makes it harmless:
 *
 * - clients let an idle socket go after CLIENT_IDLE_SOCKET_MS. Node's agent honours a server's
 *   `Keep-Alive: timeout=…` hint (one second early) only when the agent has a `timeout` of its
 *   own: without one (the SDK's default, and the runtime's agent before), an idle socket is kept
 *   until the server closes it, and under load a request can go out on it in the moment between
 *   the server's close and the client reading it;
 * - the engines keep an idle connection ENGINE_KEEP_ALIVE_MS, far longer than the clients do (Node's
 *   server default is 5 s, the hint's margin one second: an event loop stalled that long in this
 *   one busy process loses the race);
 * - the SDK retries a reset request at once (ECONNRESET is one of its transient errors), and the
 *   embedded DynamoDB's own hop to dynalite resends a request whose reused socket was reset
 *   before any answer.
 */
export const CLIENT_IDLE_SOCKET_MS = 15_000;
export const ENGINE_KEEP_ALIVE_MS = 60_000;

/** A kept-alive agent's options for a client of the engines. */
export function engineClientAgent(maxSockets: number): AgentOptions {
  return { keepAlive: true, maxSockets, timeout: CLIENT_IDLE_SOCKET_MS };
}
