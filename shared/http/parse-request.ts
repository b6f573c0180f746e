import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import {
  MalformedJsonError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  ValidationError,
} from '../domain/errors.ts';
import { fieldIssues } from '../schemas/common.ts';
import { jsonIssues, parseJson } from '../schemas/json-guard.ts';
import * as z from '../schemas/zod.ts';
import type { RouteDefinition } from './routes.ts';

export interface ParsedRequest {
  readonly body: unknown;
  readonly query: unknown;
  readonly params: unknown;
}

/** Decodes the body as API Gateway delivers it (maybe base64) and enforces the size limit. */
function bodyText(event: APIGatewayProxyEventV2, maxBytes: number): string | undefined {
  if (event.body === undefined || event.body === null || event.body === '') return undefined;
  const bytes = event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
  if (bytes.length > maxBytes) throw new PayloadTooLargeError(maxBytes, bytes.length);
  return bytes.toString('utf8');
}

/**
 * Parses body, query and path parameters against the route's schemas. Every failure is a 4xx
 * problem naming the field; a route without a body schema ignores no body but refuses one.
 */
export function parseRequest(
  event: APIGatewayProxyEventV2,
  route: RouteDefinition,
  maxBytes: number,
): ParsedRequest {
  const text = bodyText(event, maxBytes);
  let body: unknown;
  if (route.formBody) {
    body = Object.fromEntries(new URLSearchParams(text ?? ''));
  } else if (route.body) {
    if (text === undefined) throw new MalformedJsonError('The request needs a JSON body.');
    const contentType = event.headers['content-type'];
    if (!contentType || !/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(contentType)) {
      throw new UnsupportedMediaTypeError(contentType);
    }
    let json: unknown;
    try {
      json = parseJson(text);
    } catch (error) {
      throw new MalformedJsonError(error instanceof Error ? error.message : 'unparseable');
    }
    body = parseJsonOrThrow(route.body, json, 'body');
  } else if (text !== undefined && text.trim() !== '') {
    throw new MalformedJsonError(`${route.method} ${route.path} takes no body.`);
  }
  const query = route.query
    ? parseOrThrow(route.query, event.queryStringParameters ?? {}, 'query')
    : undefined;
  if (!route.query && event.queryStringParameters && Object.keys(event.queryStringParameters).length > 0) {
    parseOrThrow(emptyObject, event.queryStringParameters, 'query');
  }
  const params = route.params ? parseOrThrow(route.params, event.pathParameters ?? {}, 'path') : undefined;
  return { body, query, params };
}

const emptyObject = z.strictObject({});

/** Parses or throws a ValidationError naming the failing fields. */
export function parseOrThrow<T extends z.ZodMiniType>(schema: T, value: unknown, base: string): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const { issues, count } = fieldIssues(result.error, base);
    throw new ValidationError(issues, undefined, count);
  }
  return result.data;
}

/**
 * Parses a JSON body: first the rules every body meets (depth, Unicode, numbers, reserved keys;
 * see json-guard.ts), then the route's schema.
 */
export function parseJsonOrThrow<T extends z.ZodMiniType>(
  schema: T,
  value: unknown,
  base: string,
): z.infer<T> {
  const { issues, count } = jsonIssues(value, base);
  if (count > 0) throw new ValidationError(issues, undefined, count);
  return parseOrThrow(schema, value, base);
}
