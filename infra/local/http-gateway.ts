import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { type RouteDefinition, routeKey } from '../../shared/http/routes.ts';
import { invokeWithTimeout } from './lambda-context.ts';

export type ApiLambda = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

/** API Gateway's own limits that the gateway enforces before a handler runs. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;
const INTEGRATION_TIMEOUT_MS = 30_000;

interface CompiledRoute {
  readonly route: RouteDefinition;
  readonly pattern: RegExp;
  readonly paramNames: string[];
  readonly staticSegments: number;
}

function compile(route: RouteDefinition): CompiledRoute {
  const paramNames: string[] = [];
  let staticSegments = 0;
  const source = route.path
    .split('/')
    .map((segment) => {
      const param = /^\{(\w+)\}$/.exec(segment);
      if (param?.[1]) {
        paramNames.push(param[1]);
        return '([^/]+)';
      }
      if (segment) staticSegments++;
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { route, pattern: new RegExp(`^${source}$`), paramNames, staticSegments };
}

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

/** Builds the API Gateway HTTP API (payload 2.0) event for a matched request. */
export function toEvent(
  request: { method: string; url: URL; headers: http.IncomingHttpHeaders; body: Buffer; sourceIp: string },
  matched: { route: RouteDefinition; pathParameters: Record<string, string> },
): APIGatewayProxyEventV2 {
  const headers = singleValued(request.headers);
  const query: Record<string, string> = {};
  for (const [name, value] of request.url.searchParams)
    query[name] = name in query ? `${query[name]},${value}` : value;
  const textual = isTextual(headers['content-type']);
  const now = new Date();
  const key = routeKey(matched.route);
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
 * A small stand-in for API Gateway (HTTP API): matches the route table, turns each request into a
 * payload 2.0 event, invokes the route group's handler, and writes back its structured result.
 * Unmatched requests get API Gateway's own 404 body.
 */
export async function startHttpGateway(options: {
  routes: readonly RouteDefinition[];
  handlerFor: (route: RouteDefinition) => Promise<ApiLambda>;
  port: number;
  host?: string;
}): Promise<HttpGateway> {
  const compiled = options.routes.map(compile).sort((a, b) => b.staticSegments - a.staticSegments);
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
    const message = (statusCode: number, text: string) =>
      send({
        statusCode,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ message: text }),
      });
    const handle = async (body: Buffer, tooLargeBody: boolean) => {
      if (tooLargeBody) return message(413, 'Request Entity Too Large');
      const url = new URL(request.url ?? '/', 'http://localhost');
      const method = (request.method ?? 'GET').toUpperCase();
      let matched: { route: RouteDefinition; pathParameters: Record<string, string> } | undefined;
      for (const candidate of compiled) {
        if (candidate.route.method !== method) continue;
        const match = candidate.pattern.exec(url.pathname);
        if (!match) continue;
        try {
          const pathParameters = Object.fromEntries(
            candidate.paramNames.map((name, index) => [name, decodeURIComponent(match[index + 1] ?? '')]),
          );
          matched = { route: candidate.route, pathParameters };
        } catch {
          return message(400, 'Bad Request');
        }
        break;
      }
      if (!matched) return message(404, 'Not Found');
      const event = toEvent(
        {
          method,
          url,
          headers: request.headers,
          body,
          sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        },
        matched,
      );
      try {
        const lambda = await options.handlerFor(matched.route);
        const result = await invokeWithTimeout(
          `herald-api-${matched.route.group}`,
          INTEGRATION_TIMEOUT_MS,
          (context) => lambda(event, context),
        );
        send(result);
      } catch (error) {
        // What API Gateway answers when the integration fails or times out.
        console.error(`[herald] ${routeKey(matched.route)} failed:`, error);
        message(503, 'Service Unavailable');
      }
    };
  });
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
