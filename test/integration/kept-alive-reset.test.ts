import { once } from 'node:events';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DynamoDbEngine, proxy, startDynamoDbEngine } from '../../infra/local/dynamodb-engine.ts';
import { CLIENT_IDLE_SOCKET_MS, ENGINE_KEEP_ALIVE_MS, engineClientAgent } from '../../infra/local/sockets.ts';
import { type SqsEngine, startSqsEngine } from '../../infra/local/sqs-engine.ts';

/**
 * Kept-alive connections to the local engines (ADR 0033, infra/local/sockets.ts). A bench run saw
 * dispatch jobs fail with ECONNRESET: a request written on a kept-alive connection at the moment
 * the engine closed it. The race itself needs a loaded machine; these tests cause its outcome
 * deterministically with servers that reset a kept-alive connection when a second request
 * arrives on it (real sockets, real RSTs), and check the settings that keep the race rare.
 */
let dynamodb: DynamoDbEngine;
let sqs: SqsEngine;

beforeAll(async () => {
  dynamodb = await startDynamoDbEngine({});
  sqs = await startSqsEngine({});
});
afterAll(async () => {
  await dynamodb?.stop();
  await sqs?.stop();
});

/** A TCP relay to `target` that resets a connection (RST) when a second request arrives on it. */
async function resettingRelay(target: URL) {
  const counts = { connections: 0, resets: 0 };
  const server = net.createServer((client) => {
    counts.connections++;
    let requests = 0;
    const upstream = net.connect(Number(target.port), target.hostname);
    upstream.pipe(client);
    client.on('data', (chunk: Buffer) => {
      if (chunk.subarray(0, 5).toString('latin1') === 'POST ') requests++;
      if (requests >= 2) {
        counts.resets++;
        upstream.destroy();
        client.resetAndDestroy();
        return;
      }
      upstream.write(chunk);
    });
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    counts,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('a kept-alive connection reset under a request', () => {
  it('is retried by the SDK at once on a new connection: the caller never sees it', async () => {
    const relay = await resettingRelay(new URL(dynamodb.endpoint));
    const client = new DynamoDBClient({
      endpoint: relay.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
      requestHandler: { httpAgent: engineClientAgent(1) },
    });
    try {
      const first = await client.send(new ListTablesCommand({}));
      expect(first.$metadata.attempts).toBe(1);
      // The same kept-alive connection: reset under the request, then a second attempt on a new one.
      const second = await client.send(new ListTablesCommand({}));
      expect(second.$metadata.httpStatusCode).toBe(200);
      expect(second.$metadata.attempts).toBe(2);
      expect(relay.counts).toEqual({ connections: 2, resets: 1 });
    } finally {
      client.destroy();
      await relay.close();
    }
  });

  it("is sent again by the embedded DynamoDB's own hop to dynalite, not answered with a 500", async () => {
    // A backend that answers one request per connection, then resets the connection under the next.
    let backendConnections = 0;
    const backend = net.createServer((socket) => {
      backendConnections++;
      let requests = 0;
      socket.on('data', (chunk: Buffer) => {
        if (chunk.subarray(0, 5).toString('latin1') !== 'POST ') return;
        if (++requests >= 2) return void socket.resetAndDestroy();
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\n\r\n{}');
      });
      socket.on('error', () => {});
    });
    backend.listen(0, '127.0.0.1');
    await once(backend, 'listening');
    const agent = new http.Agent(engineClientAgent(1));
    const front = http.createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        void proxy(agent, (backend.address() as AddressInfo).port, request, Buffer.concat(chunks), response);
      });
    });
    front.listen(0, '127.0.0.1');
    await once(front, 'listening');
    const url = `http://127.0.0.1:${(front.address() as AddressInfo).port}/`;
    try {
      for (let i = 0; i < 2; i++) {
        const answer = await fetch(url, { method: 'POST', body: '{}' });
        expect(answer.status).toBe(200);
        expect(await answer.text()).toBe('{}');
      }
      // The second request went out on the first connection, was reset, and went again on a new one.
      expect(backendConnections).toBe(2);
    } finally {
      agent.destroy();
      front.closeAllConnections();
      await new Promise<void>((resolve) => front.close(() => resolve()));
      await new Promise<void>((resolve) => backend.close(() => resolve()));
    }
  });
});

/** The idle timeout an agent sets on a socket it keeps after one request to `url`. */
async function idleTimeoutAfterOneRequest(url: string, agent: http.Agent) {
  const answer = await new Promise<http.IncomingMessage>((resolve, reject) => {
    const request = http.request(url, { method: 'POST', agent }, resolve);
    request.on('error', reject);
    request.end('{}');
  });
  const keepAlive = answer.headers['keep-alive'];
  answer.resume();
  await once(answer, 'end');
  await new Promise((resolve) => setImmediate(resolve));
  const free = Object.values(agent.freeSockets).flat();
  return { keepAlive, timeouts: free.map((socket) => socket?.timeout) };
}

describe('kept-alive connections to the engines', () => {
  it('are let go by the clients long before the engines close them', async () => {
    for (const url of [dynamodb.endpoint, sqs.endpoint]) {
      const agent = new http.Agent(engineClientAgent(1));
      try {
        const { keepAlive, timeouts } = await idleTimeoutAfterOneRequest(url, agent);
        const serverSeconds = Number(/timeout=(\d+)/.exec(String(keepAlive))?.[1]);
        expect(serverSeconds * 1000).toBeGreaterThanOrEqual(ENGINE_KEEP_ALIVE_MS);
        expect(timeouts).toEqual([CLIENT_IDLE_SOCKET_MS]);
        expect(serverSeconds * 1000 - CLIENT_IDLE_SOCKET_MS).toBeGreaterThanOrEqual(20_000);
      } finally {
        agent.destroy();
      }
    }
  });

  it('were kept until the engine closed them by an agent without a timeout (the cause)', async () => {
    // Node's agent applies a server's Keep-Alive hint only under a timeout of its own: without
    // one, as the SDK's default agent and the runtime's before, an idle socket has none.
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      expect((await idleTimeoutAfterOneRequest(dynamodb.endpoint, agent)).timeouts).toEqual([0]);
    } finally {
      agent.destroy();
    }
  });
});
