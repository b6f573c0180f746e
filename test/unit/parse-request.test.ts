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

describe('POST /campaigns at the edge', () => {
  const create = route('POST /campaigns');
  const valid = {
    name: 'Reset',
    category: 'transactional',
    channel: 'email',
    identityNamespace: 'email',
    content: { subject: 'Hi', text: 'Body' },
  };
  const post = (overrides: Partial<APIGatewayProxyEventV2>) =>
    event({ routeKey: 'POST /campaigns', rawPath: '/campaigns', body: JSON.stringify(valid), ...overrides });
  const limit = 4096;

  it('returns the parsed body, and no query or params for a route without them', () => {
    expect(parseRequest(post({}), create, limit)).toEqual({
      body: valid,
      query: undefined,
      params: undefined,
    });
  });

  it('decodes a base64 body and measures the limit on the decoded bytes', () => {
    const json = JSON.stringify({ ...valid, description: 'é'.repeat(100) });
    const encoded = Buffer.from(json).toString('base64');
    const exact = Buffer.byteLength(json);
    expect(encoded.length).toBeGreaterThan(exact);
    expect(parseRequest(post({ body: encoded, isBase64Encoded: true }), create, exact).body).toMatchObject({
      description: 'é'.repeat(100),
    });
    expect(
      problem(() => parseRequest(post({ body: encoded, isBase64Encoded: true }), create, exact - 1)),
    ).toEqual({ status: 413, slug: 'payload-too-large', paths: ['body'] });
  });

  it('counts bytes, not characters, against the limit', () => {
    const json = JSON.stringify({ ...valid, description: '€'.repeat(100) });
    expect(problem(() => parseRequest(post({ body: json }), create, json.length))).toMatchObject({
      status: 413,
    });
  });

  it.each([
    ['a missing body', { body: undefined }, 400, 'malformed-json', ['body']],
    ['an empty body', { body: '' }, 400, 'malformed-json', ['body']],
    ['invalid JSON', { body: '{"name": "x",}' }, 400, 'malformed-json', ['body']],
    ['a missing content type', { headers: {} }, 415, 'unsupported-media-type', ['header.content-type']],
    [
      'text/plain',
      { headers: { 'content-type': 'text/plain' } },
      415,
      'unsupported-media-type',
      ['header.content-type'],
    ],
    [
      'text/json',
      { headers: { 'content-type': 'text/json' } },
      415,
      'unsupported-media-type',
      ['header.content-type'],
    ],
    [
      'application/jsonx',
      { headers: { 'content-type': 'application/jsonx' } },
      415,
      'unsupported-media-type',
      ['header.content-type'],
    ],
    [
      'form data',
      { headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      415,
      'unsupported-media-type',
      ['header.content-type'],
    ],
    [
      'a body over the limit',
      { body: JSON.stringify({ ...valid, description: 'x'.repeat(5000) }) },
      413,
      'payload-too-large',
      ['body'],
    ],
    ['an unknown field', { body: JSON.stringify({ ...valid, foo: 1 }) }, 400, 'validation', ['body.foo']],
    [
      'an unknown nested field',
      { body: JSON.stringify({ ...valid, content: { ...valid.content, footer: 'x' } }) },
      400,
      'validation',
      ['body.content.footer'],
    ],
    ['a JSON array', { body: '[]' }, 400, 'validation', ['body']],
    [
      'bad values',
      { body: JSON.stringify({ ...valid, category: 'promo', throttleRatePerSec: 0 }) },
      400,
      'validation',
      ['body.category', 'body.throttleRatePerSec'],
    ],
    ['a query string', { queryStringParameters: { dryRun: 'true' } }, 400, 'validation', ['query.dryRun']],
  ])('refuses %s', (_name, overrides, status, slug, paths) => {
    expect(
      problem(() => parseRequest(post(overrides as Partial<APIGatewayProxyEventV2>), create, limit)),
    ).toEqual({
      status,
      slug,
      paths,
    });
  });

  it('ignores an empty query object on a route without a query schema', () => {
    expect(parseRequest(post({ queryStringParameters: {} }), create, limit).body).toEqual(valid);
  });

  it('accepts a JSON content type with parameters, in any case', () => {
    expect(
      parseRequest(post({ headers: { 'content-type': 'Application/JSON; charset=UTF-8' } }), create, limit)
        .body,
    ).toEqual(valid);
  });
});

describe('routes with path parameters and queries', () => {
  const id = '01a20708-a928-7d86-8254-5a5c8f38d212';

  it('validates and returns path parameters', () => {
    const patch = route('PATCH /campaigns/{id}');
    expect(parseRequest(event({ body: '{"name":"n"}', pathParameters: { id } }), patch, 1024)).toEqual({
      body: { name: 'n' },
      query: undefined,
      params: { id },
    });
    expect(
      problem(() => parseRequest(event({ body: '{"name":"n"}', pathParameters: {} }), patch, 1024)),
    ).toEqual({
      status: 400,
      slug: 'validation',
      paths: ['path.id'],
    });
    expect(
      problem(() =>
        parseRequest(event({ body: '{"name":"n"}', pathParameters: { id: id.toUpperCase() } }), patch, 1024),
      ),
    ).toMatchObject({ paths: ['path.id'] });
  });

  it('refuses a body on a route that takes none, but not a blank one', () => {
    const activate = route('POST /campaigns/{id}/activate');
    expect(
      problem(() => parseRequest(event({ body: '{}', pathParameters: { id } }), activate, 1024)),
    ).toMatchObject({
      status: 400,
      slug: 'malformed-json',
    });
    expect(parseRequest(event({ body: '  ', pathParameters: { id } }), activate, 1024).params).toEqual({
      id,
    });
  });

  it('parses a query with defaults and coercion, and names a bad query value', () => {
    const list = route('GET /campaigns');
    expect(
      parseRequest(event({ body: undefined, queryStringParameters: { limit: '5' } }), list, 1024).query,
    ).toEqual({
      limit: 5,
    });
    expect(parseRequest(event({ body: undefined }), list, 1024).query).toEqual({ limit: 25 });
    expect(
      problem(() =>
        parseRequest(event({ body: undefined, queryStringParameters: { limit: '500' } }), list, 1024),
      ),
    ).toEqual({ status: 400, slug: 'validation', paths: ['query.limit'] });
  });
});
