import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import {
  BadRequestError,
  HeadersTooLargeError,
  type HeraldError,
  PayloadTooLargeError,
  RequestTimeoutError,
  ServiceUnavailableError,
} from '../../shared/domain/errors.ts';
import { problemResponse } from '../../shared/http/problem.ts';
import { DEFAULT_ROUTE_GROUP, DEFAULT_ROUTE_KEY, routeMatcher } from '../../shared/http/route-match.ts';
import { type ApiGroup, type RouteDefinition, routeKey } from '../../shared/http/routes.ts';
import { invokeWithTimeout } from './lambda-context.ts';

export type ApiLambda = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

/** API Gateway's own limits that the gateway enforces before a handler runs. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;
const INTEGRATION_TIMEOUT_MS = 30_000;

/** Text bodies stay text; anything else is base64, as API Gateway HTTP APIs deliver them. */
function isTextual(contentType: string | undefined): boolean {
  return (
    !contentType || /^(text\/|application\/([\w.+-]+\+)?(json|xml|x-www-form-urlencoded))/i.test(contentType)
  );
}

function singleValued(headers: http.IncomingHttpHeaders): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) result[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  return result;
}

/** Builds the API Gateway HTTP API (payload 2.0) event for a request, routed or sent to `$default`. */
export function toEvent(
  request: { method: string; url: URL; headers: http.IncomingHttpHeaders; body: Buffer; sourceIp: string },
  matched: { routeKey: string; pathParameters: Record<string, string> },
): APIGatewayProxyEventV2 {
  const headers = singleValued(request.headers);
  // Own keys only, set as data: `?constructor=x` or `?__proto__=x` must reach the handler as the
  // plain keys API Gateway's JSON event carries (and be refused there as unknown fields).
  const query: Record<string, string> = {};
  for (const [name, value] of request.url.searchParams) {
    const joined = Object.hasOwn(query, name) ? `${query[name]},${value}` : value;
    Object.defineProperty(query, name, {
      value: joined,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  const textual = isTextual(headers['content-type']);
  const now = new Date();
  const key = matched.routeKey;
  return {
    version: '2.0',
    routeKey: key,
    rawPath: request.url.pathname,
    rawQueryString: request.url.search.replace(/^\?/, ''),
    ...(headers.cookie ? { cookies: headers.cookie.split(/;\s*/) } : {}),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    ...(Object.keys(matched.pathParameters).length > 0 ? { pathParameters: matched.pathParameters } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method: request.method,
        path: request.url.pathname,
        protocol: 'HTTP/1.1',
        sourceIp: request.sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: crypto.randomUUID(),
      routeKey: key,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(request.body.length > 0
      ? { body: textual ? request.body.toString('utf8') : request.body.toString('base64') }
      : {}),
    isBase64Encoded: request.body.length > 0 && !textual,
  };
}

export interface HttpGateway {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

/**
 * The request target as a URL: origin-form (`/path?query`) or absolute-form; anything else (and
 * anything the URL parser refuses) is not a request this gateway can route.
 */
function requestUrl(target: string | undefined): URL | undefined {
  try {
    if (target?.startsWith('/')) return new URL(`http://localhost${target}`);
    if (target && /^https?:\/\//i.test(target)) return new URL(target);
  } catch {
    // Falls through to undefined: a 400 problem.
  }
  return undefined;
}

/** A problem answer written straight to a socket, for errors the HTTP parser raises before a request exists. */
function rawProblem(error: HeraldError): string {
  const result = problemResponse(error, { correlationId: randomUUID() });
  const body = result.body ?? '';
  const status = result.statusCode ?? 500;
  const headers = { ...result.headers, 'content-length': Buffer.byteLength(body), connection: 'close' };
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${String(value)}`);
  return `HTTP/1.1 ${status} ${http.STATUS_CODES[status] ?? ''}\r\n${lines.join('\r\n')}\r\n\r\n${body}`;
}

/**
 * The answer to what Node's parser rejects before there is a request (a bad request line, headers
 * over the limit, a request too slow to arrive): a problem document, where Node would write a bare
 * status line. Nothing is written once an answer has started on that connection.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  const net = socket as Partial<Socket>;
  if (error.code === 'ECONNRESET' || !socket.writable || (net.bytesWritten ?? 0) > 0) {
    socket.destroy();
    return;
  }
  const answer =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? new HeadersTooLargeError()
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? new RequestTimeoutError()
        : new BadRequestError(
            `The request line or headers cannot be parsed (${error.code ?? error.message}).`,
            {
              path: 'header',
              message: 'the request line and headers must be valid HTTP/1.1 (no control characters)',
            },
          );
  socket.end(rawProblem(answer));
}

/**
 * A small stand-in for API Gateway (HTTP API): matches the route table, turns each request into a
 * payload 2.0 event, invokes the route group's handler, and writes back its structured result.
 * What no route matches goes to the `$default` route's function (404/405 problems from the same
 * table, as on AWS). Its own answers — an unreadable request line or URL (400), a body over API
 * Gateway's 10 MiB (413), headers over Node's limit (431), a slow request (408), a failed or timed
 * out integration (503) — are problem documents too.
 */
export async function startHttpGateway(options: {
  routes: readonly RouteDefinition[];
  handlerFor: (group: ApiGroup) => Promise<ApiLambda>;
  port: number;
  host?: string;
  /** Where a failed or timed-out integration is reported. @default console.error */
  onIntegrationError?: (error: unknown, routeKey: string) => void;
}): Promise<HttpGateway> {
  const onIntegrationError =
    options.onIntegrationError ?? ((error, key) => console.error(`[herald] ${key} failed:`, error));
  const match = routeMatcher(options.routes);
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_PAYLOAD_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    request.on('end', () => {
      void handle(Buffer.concat(chunks), tooLarge);
    });
    const send = (result: APIGatewayProxyStructuredResultV2) => {
      const body = result.body
        ? Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8')
        : Buffer.alloc(0);
      const headers: Record<string, string> = { 'content-length': String(body.length) };
      for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
      if (body.length > 0 && !headers['content-type']) headers['content-type'] = 'application/json';
      response.writeHead(result.statusCode ?? 200, headers);
      response.end(body);
    };
    const problem = (error: HeraldError) => send(problemResponse(error, { correlationId: randomUUID() }));
    const handle = async (body: Buffer, tooLargeBody: boolean) => {
      if (tooLargeBody) return problem(new PayloadTooLargeError(MAX_PAYLOAD_BYTES, size));
      const url = requestUrl(request.url);
      if (!url)
        return problem(
          new BadRequestError('The request target is not a path this API can route.', {
            path: 'path',
            message: 'must be an absolute path',
          }),
        );
      const method = (request.method ?? 'GET').toUpperCase();
      const found = match(method, url.pathname);
      let target: { routeKey: string; group: ApiGroup; pathParameters: Record<string, string> };
      if (found.kind === 'route') {
        const { route, rawParameters } = found;
        try {
          const pathParameters = Object.fromEntries(
            Object.entries(rawParameters).map(([name, value]) => [name, decodeURIComponent(value)]),
          );
          target = { routeKey: routeKey(route), group: route.group, pathParameters };
        } catch {
          return problem(
            new BadRequestError('A path segment is not valid percent-encoding.', {
              path: 'path',
              message: 'every segment must be valid percent-encoded UTF-8',
            }),
          );
        }
      } else {
        target = { routeKey: DEFAULT_ROUTE_KEY, group: DEFAULT_ROUTE_GROUP, pathParameters: {} };
      }
      const event = toEvent(
        {
          method,
          url,
          headers: request.headers,
          body,
          sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        },
        target,
      );
      try {
        const lambda = await options.handlerFor(target.group);
        const result = await invokeWithTimeout(
          `herald-api-${target.group}`,
          INTEGRATION_TIMEOUT_MS,
          (context) => lambda(event, context),
        );
        send(result);
      } catch (error) {
        // Where API Gateway answers for a failed or timed-out integration.
        onIntegrationError(error, target.routeKey);
        problem(
          new ServiceUnavailableError('The function behind this route failed or timed out; see the log.'),
        );
      }
    };
  });
  server.on('clientError', answerClientError);
  server.keepAliveTimeout = 5_000;
  server.listen(options.port, options.host ?? '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host && options.host !== '0.0.0.0' ? options.host : '127.0.0.1'}:${port}`,
    port,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
