import { MethodNotAllowedError, RouteNotFoundError } from '../domain/errors.ts';
import { type ApiGroup, type RouteDefinition, routes } from './routes.ts';

/**
 * API Gateway's `$default` route: what no route of the table matches goes to this group's
 * function, which answers 404 `route-not-found` or 405 `method-not-allowed` from the same table.
 */
export const DEFAULT_ROUTE_KEY = '$default';
export const DEFAULT_ROUTE_GROUP: ApiGroup = 'system';

interface CompiledRoute {
  readonly route: RouteDefinition;
  readonly pattern: RegExp;
  readonly paramNames: readonly string[];
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

export type RouteMatch =
  | {
      readonly kind: 'route';
      readonly route: RouteDefinition;
      /** Path parameters as they appear in the path (still percent-encoded). */
      readonly rawParameters: Readonly<Record<string, string>>;
    }
  | { readonly kind: 'method-not-allowed'; readonly allow: readonly string[] }
  | { readonly kind: 'not-found' };

/** A matcher over a route table: the most specific route wins, as in API Gateway. */
export function routeMatcher(table: readonly RouteDefinition[] = routes) {
  const compiled = table.map(compile).sort((a, b) => b.staticSegments - a.staticSegments);
  return (method: string, path: string): RouteMatch => {
    const allow = new Set<string>();
    for (const candidate of compiled) {
      const match = candidate.pattern.exec(path);
      if (!match) continue;
      if (candidate.route.method !== method) {
        allow.add(candidate.route.method);
        continue;
      }
      const rawParameters = Object.fromEntries(
        candidate.paramNames.map((name, index) => [name, match[index + 1] ?? '']),
      );
      return { kind: 'route', route: candidate.route, rawParameters };
    }
    if (allow.size === 0) return { kind: 'not-found' };
    const order = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
    return {
      kind: 'method-not-allowed',
      allow: [...allow].sort((a, b) => order.indexOf(a) - order.indexOf(b)),
    };
  };
}

const matchRoute = routeMatcher();

/**
 * The answer to a request the gateway routed to `$default`: 405 with `Allow` when the path is a
 * route's with other methods, 404 otherwise (also when the table would match it: the gateway did
 * not, so there is no route to run).
 */
export function unroutedError(method: string, path: string): RouteNotFoundError | MethodNotAllowedError {
  const match = matchRoute(method, path);
  return match.kind === 'method-not-allowed'
    ? new MethodNotAllowedError(method, path, match.allow)
    : new RouteNotFoundError(method, path);
}
