import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../shared/http/openapi.ts';
import { documentedOperationId, type RouteDefinition, routeKey, routes } from '../../shared/http/routes.ts';
import * as z from '../../shared/schemas/zod.ts';

type Json = Record<string, unknown>;
interface Operation {
  operationId: string;
  summary: string;
  tags: string[];
  'x-herald-requires': string;
  parameters: { name: string; in: string; required: boolean; schema: Json }[];
  requestBody?: { required: boolean; content: Record<string, { schema: Json }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: Json }> }>;
}
interface Document {
  openapi: string;
  jsonSchemaDialect: string;
  info: { title: string; version: string };
  security: unknown[];
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Json>; securitySchemes: Record<string, Json> };
}

const document = openApiDocument() as unknown as Document;
const all = routes as readonly RouteDefinition[];
const operation = (route: RouteDefinition) => document.paths[route.path]?.[route.method.toLowerCase()];

/** Resolves a local `$ref` (a JSON pointer into the whole document), or undefined when it dangles. */
function resolve(ref: string): unknown {
  if (!ref.startsWith('#/')) return undefined;
  let current: unknown = document;
  for (const raw of ref.slice(2).split('/')) {
    const segment = decodeURIComponent(raw).replaceAll('~1', '/').replaceAll('~0', '~');
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, segment)) return undefined;
    current = (current as Json)[segment];
  }
  return current;
}

/** Follows `$ref`s until a schema with content. */
function deref(schema: unknown): Json {
  let current = schema as Json;
  for (let i = 0; i < 10 && typeof current.$ref === 'string'; i++) {
    const target = resolve(current.$ref);
    if (target === undefined) throw new Error(`dangling $ref ${current.$ref}`);
    current = target as Json;
  }
  return current;
}

function refsIn(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) refsIn(item, found);
  else if (value !== null && typeof value === 'object') {
    for (const [key, member] of Object.entries(value)) {
      if (key === '$ref' && typeof member === 'string') found.push(member);
      else refsIn(member, found);
    }
  }
  return found;
}

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1.0 with JSON Schema 2020-12 and bearer security', () => {
    expect(document.openapi).toBe('3.1.0');
    expect(document.jsonSchemaDialect).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(document.info).toMatchObject({ title: 'Herald', version: expect.any(String) });
    expect(document.security).toEqual([{ bearer: [] }]);
    expect(document.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('has every route under its path and method, with its operation id, summary, tag and requirement', () => {
    for (const route of all) {
      expect(operation(route), routeKey(route)).toMatchObject({
        operationId: documentedOperationId(route),
        summary: route.summary,
        tags: [route.tag],
        'x-herald-requires': route.requires,
      });
    }
  });

  it('has nothing but the routes, and unique operation ids', () => {
    const operations = Object.values(document.paths).flatMap((methods) => Object.values(methods));
    expect(operations).toHaveLength(all.length);
    const ids = operations.map((o) => o.operationId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('documents every /im/ route again under /ajo, as an alias with its own operation id', () => {
    const im = all.filter((route) => route.path.startsWith('/im/'));
    expect(im.length).toBeGreaterThan(5);
    for (const route of im) {
      const alias = all.find((r) => r.path === `/ajo${route.path}` && r.method === route.method);
      expect(alias, routeKey(route)).toMatchObject({ aliasOf: route.path, operationId: route.operationId });
      const documented = operation(alias!);
      expect(documented?.operationId).toBe(
        `ajo${route.operationId[0]?.toUpperCase()}${route.operationId.slice(1)}`,
      );
      expect(documented?.requestBody).toEqual(operation(route)?.requestBody);
      expect(documented?.responses).toEqual(operation(route)?.responses);
    }
    expect(all.filter((r) => r.path.startsWith('/ajo/'))).toHaveLength(im.length);
  });

  it('declares each path template parameter as a required path parameter, and no other', () => {
    for (const route of all) {
      const placeholders = [...route.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
      const pathParameters = operation(route)?.parameters.filter((p) => p.in === 'path') ?? [];
      expect(pathParameters.map((p) => p.name).sort(), routeKey(route)).toEqual(placeholders);
      for (const parameter of pathParameters) expect(parameter.required).toBe(true);
    }
  });

  it('declares query parameters with their schema and optionality', () => {
    const list = operation(all.find((r) => routeKey(r) === 'GET /campaigns')!);
    expect(list?.parameters).toEqual([
      {
        name: 'limit',
        in: 'query',
        required: false,
        schema: expect.objectContaining({ type: 'integer', maximum: 100 }),
      },
      { name: 'cursor', in: 'query', required: false, schema: expect.objectContaining({ type: 'string' }) },
    ]);
  });

  it('has a required JSON request body exactly for the routes with a body schema', () => {
    for (const route of all) {
      const body = operation(route)?.requestBody;
      if (route.formBody) {
        // One-click unsubscribe: an optional HTML form (RFC 8058), never JSON.
        expect(body?.required, routeKey(route)).toBe(false);
        expect(Object.keys(body?.content ?? {})).toEqual(['application/x-www-form-urlencoded']);
        continue;
      }
      if (!route.body) {
        expect(body, routeKey(route)).toBeUndefined();
        continue;
      }
      expect(body?.required, routeKey(route)).toBe(true);
      expect(Object.keys(body?.content ?? {})).toEqual(['application/json']);
    }
  });

  it("describes the create-campaign body from the route's zod schema", () => {
    const create = operation(all.find((r) => routeKey(r) === 'POST /campaigns')!);
    const schema = deref(create?.requestBody?.content['application/json']?.schema);
    expect(schema.type).toBe('object');
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(
      expect.arrayContaining(['name', 'category', 'channel', 'identityNamespace', 'content']),
    );
    expect(schema.required).not.toContain('description');
    const properties = schema.properties as Record<string, Json>;
    expect(properties.category).toMatchObject({ enum: ['marketing', 'transactional'] });
    expect(deref(properties.content).properties).toHaveProperty('subject');
  });

  it('answers with the success status (with a body when the route has one) and a problem otherwise', () => {
    for (const route of all) {
      const responses = operation(route)?.responses ?? {};
      expect(Object.keys(responses), routeKey(route)).toEqual([String(route.status), 'default']);
      expect(responses[String(route.status)]?.content !== undefined, routeKey(route)).toBe(
        route.response !== undefined || route.produces === 'text/html',
      );
      if (route.produces === 'text/html')
        expect(Object.keys(responses[String(route.status)]?.content ?? {})).toEqual(['text/html']);
      expect(responses.default?.content?.['application/problem+json']?.schema).toEqual({
        $ref: '#/components/schemas/Problem',
      });
    }
  });

  it('has the Problem component as an RFC 9457 document', () => {
    const problem = deref(document.components.schemas.Problem);
    expect(problem.type).toBe('object');
    expect(Object.keys(problem.properties as Json)).toEqual(
      expect.arrayContaining(['type', 'title', 'status', 'detail', 'fields', 'report']),
    );
    expect(problem.required).toEqual(expect.arrayContaining(['type', 'title', 'status']));
    const report = deref((problem.properties as Record<string, Json>).report);
    expect(report.required).toEqual(expect.arrayContaining(['correlationId', 'additionalContext']));
    expect(deref((report.properties as Record<string, Json>).additionalContext)).toMatchObject({
      type: 'object',
      additionalProperties: { type: 'string' },
    });
  });

  it('resolves every $ref inside the document', () => {
    const refs = refsIn(document);
    expect(refs.length).toBeGreaterThan(0);
    expect(refs.filter((ref) => resolve(ref) === undefined)).toEqual([]);
  });

  it('adds the extra component schemas it is given', () => {
    const extra = openApiDocument({ Thing: z.object({ a: z.string() }) }) as unknown as Document;
    expect(deref(extra.components.schemas.Thing)).toMatchObject({
      type: 'object',
      properties: { a: { type: 'string' } },
    });
  });
});
