import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { HeraldError } from '../../shared/domain/errors.ts';
import { parseRequest } from '../../shared/http/parse-request.ts';
import { findRouteByKey, type RouteDefinition } from '../../shared/http/routes.ts';

const route = (key: string) => findRouteByKey(key) as RouteDefinition;
const event = (overrides: Partial<APIGatewayProxyEventV2>): APIGatewayProxyEventV2 => ({
  version: '2.0',
  routeKey: 'POST /namespaces',
  rawPath: '/namespaces',
  rawQueryString: '',
  headers: { 'content-type': 'application/json' },
  requestContext: {} as APIGatewayProxyEventV2['requestContext'],
  isBase64Encoded: false,
  ...overrides,
});
const problem = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    if (error instanceof HeraldError)
      return { status: error.status, slug: error.slug, paths: error.fields.map((f) => f.path) };
    throw error;
  }
  throw new Error('no problem raised');
};

describe('request parsing at the edge', () => {
  const namespaces = route('POST /namespaces');

  it('parses a JSON body against the route schema, base64 or not', () => {
    expect(parseRequest(event({ body: '{"code":"crmId"}' }), namespaces, 1024).body).toEqual({
      code: 'crmId',
    });
    const encoded = Buffer.from('{"code":"crmId"}').toString('base64');
    expect(parseRequest(event({ body: encoded, isBase64Encoded: true }), namespaces, 1024).body).toEqual({
      code: 'crmId',
    });
  });

  it.each([
    ['no body', {}, 400, 'malformed-json', 'body'],
    ['bad JSON', { body: '{"code":' }, 400, 'malformed-json', 'body'],
    [
      'another media type',
      { body: 'code=x', headers: { 'content-type': 'text/plain' } },
      415,
      'unsupported-media-type',
      'header.content-type',
    ],
    ['too large', { body: JSON.stringify({ code: 'x'.repeat(2000) }) }, 413, 'payload-too-large', 'body'],
    ['an unknown field', { body: '{"code":"a","extra":1}' }, 400, 'validation', 'body.extra'],
    [
      'a query where none is taken',
      { body: '{"code":"a"}', queryStringParameters: { x: '1' } },
      400,
      'validation',
      'query.x',
    ],
  ])('refuses %s', (_name, overrides, status, slug, path) => {
    expect(
      problem(() => parseRequest(event(overrides as Partial<APIGatewayProxyEventV2>), namespaces, 1024)),
    ).toEqual({
      status,
      slug,
      paths: [path],
    });
  });

  it('accepts vendor JSON media types and validates path parameters', () => {
    expect(
      parseRequest(
        event({
          body: '{"code":"a"}',
          headers: { 'content-type': 'application/merge-patch+json; charset=utf-8' },
        }),
        namespaces,
        1024,
      ).body,
    ).toEqual({
      code: 'a',
    });
    const get = route('GET /campaigns/{id}');
    expect(
      problem(() => parseRequest(event({ body: undefined, pathParameters: { id: 'nope' } }), get, 1024)),
    ).toMatchObject({
      paths: ['path.id'],
    });
    expect(
      problem(() =>
        parseRequest(
          event({ body: '{}', pathParameters: { id: '01a20708-a928-7d86-8254-5a5c8f38d212' } }),
          get,
          1024,
        ),
      ),
    ).toMatchObject({
      slug: 'malformed-json',
    });
  });
});
