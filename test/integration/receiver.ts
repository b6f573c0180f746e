import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  readonly status: number;
}

export type Behaviour = (
  request: http.IncomingMessage,
  count: number,
) => { status: number; headers?: Record<string, string>; hang?: boolean; reset?: boolean };

/**
 * A real HTTP receiver on loopback for webhook tests. Each path answers as its behaviour says
 * (default 204); every request is recorded with its headers and body.
 */
export async function startReceiver(behaviours: Record<string, Behaviour> = {}, port = 0) {
  const received: Received[] = [];
  const counts = new Map<string, number>();
  const sockets = new Set<import('node:net').Socket>();
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = new URL(request.url ?? '/', 'http://x').pathname;
      const count = (counts.get(path) ?? 0) + 1;
      counts.set(path, count);
      const behaviour = behaviours[path]?.(request, count) ?? { status: 204 };
      received.push({
        path,
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        status: behaviour.status,
      });
      if (behaviour.reset) return request.socket.destroy();
      if (behaviour.hang) return;
      response.writeHead(behaviour.status, behaviour.headers ?? {});
      response.end(behaviour.status === 204 ? undefined : 'receiver says hi');
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address() as AddressInfo;
  return {
    url: (path: string) => `http://127.0.0.1:${address.port}${path}`,
    port: address.port,
    received,
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
  limitMs = 20_000,
  intervalMs = 50,
): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/**
 * How often to poll a webhook's attempt log. A read of it queries its 513 partitions (ADR 0022):
 * polled every 50 ms it would keep the embedded engine, which the workers share, busy with reads.
 */
export const ATTEMPT_LOG_POLL_MS = 1_000;
