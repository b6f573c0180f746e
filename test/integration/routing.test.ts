import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerClientError, startHttpGateway } from '../../infra/local/http-gateway.ts';
import { type RouteDefinition, routes } from '../../shared/http/routes.ts';
import { client, sandboxWithKey, startTestHerald } from './harness.ts';

type Problem = { type: string; status: number; detail?: string; report: { correlationId?: string } };

let herald: Awaited<ReturnType<typeof startTestHerald>>;

beforeAll(async () => {
  herald = await startTestHerald();
});
afterAll(async () => {
  await herald?.stop();
});

/** One raw HTTP/1.1 exchange: the bytes go out as given, the answer is read until the server closes. */
async function raw(port: number, request: string): Promise<{ head: string; body: string }> {
  const text = await new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = net.connect(port, '127.0.0.1', () => socket.end(request));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // A reset after the answer (the server closed with request bytes unread) still gives the answer.
    socket.on('error', (error) => (chunks.length > 0 ? undefined : reject(error)));
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
  const split = text.indexOf('\r\n\r\n');
  return { head: text.slice(0, split), body: text.slice(split + 4) };
}

function header(head: string, name: string): string | undefined {
  const line = head.split('\r\n').find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  return line?.slice(name.length + 1).trim();
}

/** Each path of the table with its methods, parameters filled with a value no static segment has. */
const pathsWithMethods = (() => {
  const byPath = new Map<string, Set<string>>();
  for (const route of routes as readonly RouteDefinition[]) {
    const methods = byPath.get(route.path) ?? new Set<string>();
    methods.add(route.method);
    byPath.set(route.path, methods);
  }
  const order = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
  return [...byPath].map(([template, methods]) => ({
    template,
    path: template.replace(/\{\w+\}/g, 'p1'),
    allow: order.filter((m) => methods.has(m)),
    other: order.find((m) => !methods.has(m)) ?? 'OPTIONS',
  }));
})();

describe('unknown routes and methods (the $default route, served by the system function)', () => {
  it.each(['/nope', '/campaigns/p1/p2/p3', '/im', '/campaigns/', '//campaigns'])(
    'answers %s with a 404 route-not-found problem, with or without a key',
    async (path) => {
      for (const caller of [client(herald.url, ''), herald.root]) {
        const answer = await caller.get<Problem>(path);
        expect(answer.status).toBe(404);
        expect(answer.headers.get('content-type')).toBe('application/problem+json');
        expect(answer.body).toMatchObject({
          type: 'urn:herald:problem:route-not-found',
          status: 404,
          detail: `GET ${path} is not a Herald route.`,
        });
        expect(answer.body.report.correlationId).toEqual(expect.any(String));
      }
    },
  );

  it.each(pathsWithMethods)(
    'answers another method on $template with 405 and Allow: $allow',
    async ({ path, allow, other }) => {
      const answer = await client(herald.url, '').request<Problem>(other, path);
      expect(answer.status).toBe(405);
      expect(answer.headers.get('allow')).toBe(allow.join(', '));
      expect(answer.headers.get('content-type')).toBe('application/problem+json');
      expect(answer.body).toMatchObject({
        type: 'urn:herald:problem:method-not-allowed',
        status: 405,
        detail: `${path} answers ${allow.join(', ')}, not ${other}.`,
      });
    },
  );

  it('answers methods no route has (OPTIONS, HEAD) with 405 too', async () => {
    const options = await client(herald.url, '').request<Problem>('OPTIONS', '/im/health');
    expect(options.status).toBe(405);
    expect(options.headers.get('allow')).toBe('GET');
    const head = await fetch(`${herald.url}/campaigns`, { method: 'HEAD' });
    expect(head.status).toBe(405);
    expect(head.headers.get('allow')).toBe('GET, POST');
  });

  it('still authenticates every route that exists, whatever the $default route answers', async () => {
    const anonymous = client(herald.url, '');
    expect((await anonymous.get<Problem>('/campaigns')).status).toBe(401);
    const { api } = await sandboxWithKey(herald, ['campaigns:read']);
    expect((await api.get('/campaigns')).status).toBe(200);
    expect((await api.request<Problem>('DELETE', '/campaigns')).status).toBe(405);
  });
});

describe("the local gateway's own answers are problem documents", () => {
  it.each([
    ['a request line the parser refuses', 'BREW /coffee HTTP/1.1\r\nHost: x\r\n\r\n', 'HPE_INVALID_METHOD'],
    ['a malformed header line', 'GET /im/health HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n', 'HPE_INVALID'],
    [
      'a request target that is no URL',
      'GET http://[ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      'target',
    ],
    ['the asterisk form', 'OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 'target'],
    [
      'a path parameter that is not percent-encoding',
      'GET /campaigns/%E0%A4%A HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
      'percent-encoding',
    ],
  ])('400 for %s', async (_what, request, detail) => {
    const { head, body } = await raw(herald.port, request);
    expect(head).toMatch(/^HTTP\/1\.1 400 /);
    expect(header(head, 'content-type')).toBe('application/problem+json');
    const problem = JSON.parse(body) as Problem;
    expect(problem).toMatchObject({ type: 'urn:herald:problem:bad-request', status: 400 });
    expect(problem.detail).toContain(detail);
  });

  it('431 for headers over the limit', async () => {
    // One write, smaller than Node's 64 KiB read, so the server reads it all before it answers.
    const request = `GET /im/health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(17_000)}\r\n\r\n`;
    const { head, body } = await raw(herald.port, request);
    expect(head).toMatch(/^HTTP\/1\.1 431 /);
    expect(header(head, 'content-type')).toBe('application/problem+json');
    expect(JSON.parse(body)).toMatchObject({ type: 'urn:herald:problem:headers-too-large', status: 431 });
  });

  it("413 for a body over API Gateway's 10 MiB, before any function runs", async () => {
    const answer = await fetch(`${herald.url}/campaigns`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: Buffer.alloc(10 * 1024 * 1024 + 1, 0x20),
    });
    expect(answer.status).toBe(413);
    expect(answer.headers.get('content-type')).toBe('application/problem+json');
    expect(await answer.json()).toMatchObject({ type: 'urn:herald:problem:payload-too-large', status: 413 });
  });

  it('503 when the function behind a route fails', async () => {
    // A function that throws out of its handler is a fault Herald's own handlers never raise (the
    // middy chain turns every error into a problem), so this gateway is given one that does.
    const route = (routes as readonly RouteDefinition[])[0];
    if (!route) throw new Error('empty route table');
    const errors: unknown[] = [];
    const gateway = await startHttpGateway({
      routes: [route],
      handlerFor: async () => async () => {
        throw new Error('the function crashed');
      },
      port: 0,
      onIntegrationError: (error) => errors.push(error),
    });
    try {
      const answer = await fetch(`${gateway.url}${route.path}`, { method: route.method });
      expect(answer.status).toBe(503);
      expect(answer.headers.get('content-type')).toBe('application/problem+json');
      expect(await answer.json()).toMatchObject({
        type: 'urn:herald:problem:service-unavailable',
        status: 503,
      });
      expect(errors).toEqual([expect.objectContaining({ message: 'the function crashed' })]);
    } finally {
      await gateway.stop();
    }
  });

  it('408 when Node gives up on a slow request (its clientError, called directly)', async () => {
    // Node raises ERR_HTTP_REQUEST_TIMEOUT only after its request timeout; rather than wait for a
    // clock this test cannot move, it hands the gateway's clientError answer that error on a real socket.
    const server = net.createServer((socket) => {
      answerClientError(Object.assign(new Error('timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' }), socket);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as net.AddressInfo;
      const { head, body } = await raw(port, '');
      expect(head).toMatch(/^HTTP\/1\.1 408 /);
      expect(JSON.parse(body)).toMatchObject({ type: 'urn:herald:problem:request-timeout', status: 408 });
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
