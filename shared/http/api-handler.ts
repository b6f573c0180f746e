import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import {
  assertSandboxHeader,
  authorize,
  type Principal,
  rootCallSandbox,
  sandboxOf,
} from '../domain/auth.ts';
import { HeraldError, PROBLEM_TYPE_PREFIX, RouteNotFoundError } from '../domain/errors.ts';
import { addCorrelation, logger } from '../logger.ts';
import { recordMetric } from '../metrics.ts';
import type * as z from '../schemas/zod.ts';
import { type Telemetry, withTelemetry } from '../telemetry.ts';
import type { Authenticator } from '../use-cases/authenticate.ts';
import { type ParsedRequest, parseRequest } from './parse-request.ts';
import { problemResponse } from './problem.ts';
import { DEFAULT_ROUTE_KEY, unroutedError } from './route-match.ts';
import { type ApiGroup, findRouteByKey, type Route, type RouteDefinition } from './routes.ts';
import { type StaticFile, staticFileResponse } from './static-file.ts';

type SchemaOutput<S> = S extends z.ZodMiniType ? z.output<S> : undefined;

/** The route (or routes, for generated entries) with that operation id. */
type RouteWithOperation<Id> = Route extends infer R
  ? R extends { operationId: infer O }
    ? Id extends O
      ? R
      : never
    : never
  : never;

/** What an operation receives: the authenticated caller and the request, parsed by the route's schemas. */
export interface ApiRequest<R = Route> {
  readonly route: RouteDefinition;
  /** Absent on public routes (`requires: 'public'`), which no key calls. */
  readonly principal: [R] extends [{ requires: 'public' }] ? undefined : Principal;
  readonly body: R extends { body: infer B } ? SchemaOutput<B> : undefined;
  readonly query: R extends { query: infer Q } ? SchemaOutput<Q> : undefined;
  readonly params: R extends { params: infer P } ? SchemaOutput<P> : undefined;
  /** Lower-cased header names, as API Gateway HTTP APIs deliver them. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /**
   * The sandbox the call names for itself on routes with a `sandboxField` (key management): the
   * field's value, else (root key) `x-sandbox-name`. Undefined when neither names one.
   */
  readonly namedSandbox: string | undefined;
  /** The caller's sandbox; 403 for the root key or an `x-sandbox-name` that does not match. */
  sandbox(): string;
}

/** Every operation of a group, typed by its route. Each returns the success body (undefined for 204). */
export type Operations<G extends ApiGroup, Deps> = {
  readonly [Id in Extract<Route, { group: G }>['operationId']]: (
    request: ApiRequest<RouteWithOperation<Id>>,
    deps: Deps,
  ) => Promise<unknown>;
};

export interface ApiHandlerOptions<G extends ApiGroup, Deps> {
  readonly group: G;
  /** The adapters, built once per container by the function's composition root. */
  readonly deps: Deps & { authenticate: Authenticator; maxBodyBytes: number; telemetry: Telemetry };
  readonly operations: Operations<G, Deps>;
}

type UntypedOperation = (request: ApiRequest<unknown>, deps: unknown) => Promise<unknown>;

type Event = APIGatewayProxyEventV2 & {
  herald?: { route?: RouteDefinition; principal?: Principal; problemType?: string };
};

/** The ids a request body names for itself (a trigger's `requestId` and `campaignId`), for its log lines. */
function correlationOfBody(body: unknown): { requestId?: string; campaignId?: string } {
  if (body === null || typeof body !== 'object') return {};
  const { requestId, campaignId } = body as Record<string, unknown>;
  return {
    ...(typeof requestId === 'string' ? { requestId } : {}),
    ...(typeof campaignId === 'string' ? { campaignId } : {}),
  };
}

/** The trigger routes (the Triggers metric): every POST under /im/executions/. */
const isTrigger = (route: RouteDefinition) =>
  route.method === 'POST' && route.path.startsWith('/im/executions/');

/** The short problem type (`validation`, `campaign-not-live`, …; `internal` for a 500). */
function problemTypeOf(error: unknown): string {
  const type = error instanceof HeraldError ? error.type : `${PROBLEM_TYPE_PREFIX}internal`;
  return type.startsWith(PROBLEM_TYPE_PREFIX) ? type.slice(PROBLEM_TYPE_PREFIX.length) : type;
}

/** Correlation data for problem documents: the trigger's ids when the body names them. */
function reportFor(event: Event, context: Context): Record<string, string> {
  const report: Record<string, string> = { correlationId: context.awsRequestId };
  try {
    const body: unknown = event.body
      ? JSON.parse(event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString() : event.body)
      : undefined;
    if (body && typeof body === 'object') {
      if ('requestId' in body && typeof body.requestId === 'string') report.requestId = body.requestId;
      if ('campaignId' in body && typeof body.campaignId === 'string') report.campaignId = body.campaignId;
    }
  } catch {
    // A malformed body has no ids to report.
  }
  if (event.herald?.route?.group === 'campaigns' && event.pathParameters?.id)
    report.campaignId = event.pathParameters.id;
  return report;
}

/** The value of the route's `sandboxField` in the parsed request, when it has one. */
function namedInCall(route: RouteDefinition, parsed: ParsedRequest): string | undefined {
  if (!route.sandboxField) return undefined;
  const source: unknown = parsed[route.sandboxField.in];
  if (source === null || typeof source !== 'object') return undefined;
  const value: unknown = (source as Record<string, unknown>)[route.sandboxField.name];
  return typeof value === 'string' ? value : undefined;
}

/**
 * The middy chain every API function shares: find the route, authenticate and authorize, parse and
 * validate the request, run the operation, and turn any error into one problem document. Handler
 * files only name their operations.
 */
export function apiHandler<G extends ApiGroup, Deps>(options: ApiHandlerOptions<G, Deps>) {
  // The route table guarantees each operation receives what its route's schemas parsed.
  const operations = options.operations as unknown as Readonly<Record<string, UntypedOperation>>;
  const { deps } = options;

  const handler = middy<Event, APIGatewayProxyStructuredResultV2>()
    .use({
      before: async (request) => {
        const { event } = request;
        // API Gateway's $default route: no route matched. The 404 or 405 (with Allow) comes from
        // the route table before any authentication, on purpose: it tells a caller without a key
        // only what the public route table (README, OpenAPI document) already says.
        if (event.routeKey === DEFAULT_ROUTE_KEY) {
          throw unroutedError(event.requestContext.http.method, event.rawPath);
        }
        const route = findRouteByKey(event.routeKey);
        if (!route || route.group !== options.group || !operations[route.operationId]) {
          throw new RouteNotFoundError(event.requestContext.http.method, event.rawPath);
        }
        event.herald = { ...event.herald, route };
        // A public route's path is its credential (a signed token): no key is asked for or read,
        // and its operation gets no principal and no sandbox of a key.
        if (route.requires === 'public') return;
        const principal = await deps.authenticate(event.headers.authorization);
        authorize(principal, route.requires);
        assertSandboxHeader(principal, event.headers['x-sandbox-name']);
        event.herald.principal = principal;
        if (principal.kind === 'sandbox') addCorrelation({ sandbox: principal.sandbox });
      },
      onError: async (request) => {
        const { error } = request;
        const response = problemResponse(error, reportFor(request.event, request.context));
        request.event.herald = { ...request.event.herald, problemType: problemTypeOf(error) };
        if (response.statusCode === 500) {
          logger.error('request failed', { route: request.event.routeKey, error: error as Error });
        }
        request.response = response;
      },
    })
    .handler(async (event): Promise<APIGatewayProxyStructuredResultV2> => {
      const { route, principal } = event.herald ?? {};
      if (!route || (!principal && route.requires !== 'public'))
        throw new Error('api-handler: routing middleware did not run');
      const parsed = parseRequest(event, route, deps.maxBodyBytes);
      addCorrelation(correlationOfBody(parsed.body));
      const operation = operations[route.operationId];
      if (!operation) throw new RouteNotFoundError(route.method, route.path);
      const named = namedInCall(route, parsed);
      const request = {
        route,
        principal,
        headers: event.headers,
        ...parsed,
        namedSandbox:
          principal?.kind === 'root'
            ? rootCallSandbox(event.headers['x-sandbox-name'], route.sandboxField !== undefined, named)
            : named,
        sandbox: () => {
          if (!principal)
            throw new Error(`api-handler: ${route.operationId} is public and has no key's sandbox`);
          return sandboxOf(principal, event.headers['x-sandbox-name']);
        },
      } as ApiRequest<unknown>;
      const result = await operation(request, deps);
      const { executionId } = (result ?? {}) as { executionId?: unknown };
      if (typeof executionId === 'string') addCorrelation({ executionId });
      if (route.status === 204 || result === undefined) return { statusCode: route.status };
      // The route table says the operation returns a StaticFile (the console's files).
      if (route.produces === 'static') return staticFileResponse(route.status, result as StaticFile);
      if (route.produces === 'text/html')
        return {
          statusCode: route.status,
          headers: {
            'content-type': 'text/html; charset=utf-8',
            'cache-control': 'no-store',
            'referrer-policy': 'no-referrer',
            'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
          },
          body: String(result),
        };
      return {
        statusCode: route.status,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(result),
      };
    });

  /**
   * Each request runs in its own log scope (its lines carry its ids, learned as the request is
   * read: the key's sandbox, the body's requestId and campaignId, the executionId it created) and
   * ends with one INFO line: method, route template (never the path, which may hold a token),
   * status and duration.
   */
  return (event: Event, context: Context): Promise<APIGatewayProxyStructuredResultV2> =>
    withTelemetry(
      deps.telemetry,
      `## ${event.routeKey}`,
      { correlationId: context.awsRequestId },
      async () => {
        const started = performance.now();
        const response = await handler(event, context);
        const status = response.statusCode ?? 200;
        const route = event.herald?.route;
        const problem = event.herald?.problemType;
        logger.info('request', {
          method: event.requestContext.http.method,
          route: route?.path ?? event.routeKey,
          status,
          ms: Math.round(performance.now() - started),
          ...(problem ? { problem } : {}),
        });
        if (route && isTrigger(route)) {
          recordMetric('Triggers', 1, {
            route: route.path,
            outcome: status < 300 ? 'accepted' : 'refused',
            problem: problem ?? 'none',
          });
        }
        return response;
      },
    );
}
