import { problemSchema } from '../schemas/common.ts';
import { feedbackPayloadSchema } from '../schemas/webhook.ts';
import * as z from '../schemas/zod.ts';
import { documentedOperationId, type RouteDefinition, routes } from './routes.ts';

type JsonSchema = Record<string, unknown>;

/** Path and query parameters of a route, from its zod object schemas. */
function parameters(route: RouteDefinition): JsonSchema[] {
  const list: JsonSchema[] = [];
  for (const [where, schema] of [
    ['path', route.params],
    ['query', route.query],
  ] as const) {
    if (!schema) continue;
    const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as {
      properties?: Record<string, JsonSchema>;
      required?: string[];
    };
    for (const [name, property] of Object.entries(json.properties ?? {})) {
      list.push({
        name,
        in: where,
        required: where === 'path' || (json.required ?? []).includes(name),
        schema: property,
      });
    }
  }
  return list;
}

const COMPONENT_REF = '#/components/schemas/';

/**
 * zod puts every schema that has an `id` in the generated schema's own `$defs` and refers to it as
 * `#/$defs/<id>`; inside an OpenAPI document `#` is the whole document, so those references would
 * dangle. Moves the definitions to `components.schemas` and points the references there.
 */
function hoistDefinitions(json: JsonSchema, components: Record<string, unknown>): JsonSchema {
  const { $schema: _dialect, $defs, ...schema } = json as JsonSchema & { $defs?: Record<string, JsonSchema> };
  for (const [id, definition] of Object.entries($defs ?? {})) {
    const hoisted = repointRefs(definition);
    if (id in components && JSON.stringify(components[id]) !== JSON.stringify(hoisted)) {
      throw new Error(`Two different schemas have the id '${id}'.`);
    }
    components[id] = hoisted;
  }
  return repointRefs(schema) as JsonSchema;
}

function repointRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(repointRefs);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, member]) => [
      key,
      key === '$ref' && typeof member === 'string' && member.startsWith('#/$defs/')
        ? `${COMPONENT_REF}${member.slice('#/$defs/'.length)}`
        : repointRefs(member),
    ]),
  );
}

/**
 * The OpenAPI 3.1 document, generated from the route table and its zod schemas (OpenAPI 3.1 uses
 * JSON Schema 2020-12, which zod emits natively), so it cannot drift from what the API validates.
 */
export function openApiDocument(extraSchemas: Record<string, z.ZodMiniType> = {}) {
  const paths: Record<string, Record<string, unknown>> = {};
  const components: Record<string, unknown> = {};
  const schemaOf = (schema: z.ZodMiniType, io: 'input' | 'output') =>
    hoistDefinitions(
      z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema,
      components,
    );
  for (const route of routes as readonly RouteDefinition[]) {
    const operation: Record<string, unknown> = {
      operationId: documentedOperationId(route),
      summary: route.summary,
      ...(route.aliasOf !== undefined
        ? {
            description: `The same operation as \`${route.method} ${route.aliasOf}\`, under AJO's base path.`,
          }
        : {}),
      tags: [route.tag],
      'x-herald-requires': route.requires,
      parameters: parameters(route),
      ...(route.requires === 'public' ? { security: [] } : {}),
      responses: {
        [String(route.status)]:
          route.produces === 'text/html'
            ? { description: 'Success', content: { 'text/html': { schema: { type: 'string' } } } }
            : route.produces === 'static'
              ? { description: 'The file (HTML, JavaScript or CSS), with its own media type' }
              : route.response
                ? {
                    description: 'Success',
                    content: { 'application/json': { schema: schemaOf(route.response, 'output') } },
                  }
                : { description: 'Success' },
        default: {
          description: 'Problem',
          content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
        },
      },
    };
    if (route.formBody) {
      operation.requestBody = {
        required: false,
        content: {
          'application/x-www-form-urlencoded': {
            schema: { type: 'object', additionalProperties: { type: 'string' } },
          },
        },
      };
    }
    if (route.body) {
      operation.requestBody = {
        required: true,
        content: { 'application/json': { schema: schemaOf(route.body, 'input') } },
      };
    }
    paths[route.path] ??= {};
    (paths[route.path] as Record<string, unknown>)[route.method.toLowerCase()] = operation;
  }
  const component = (name: string, schema: z.ZodMiniType) => {
    const json = schemaOf(schema, 'output');
    // A schema whose id is `name` is in place already; a component pointing at itself would loop.
    if (json.$ref !== `${COMPONENT_REF}${name}`) components[name] = json;
  };
  component('Problem', problemSchema);
  component('FeedbackEvent', feedbackPayloadSchema);
  for (const [name, schema] of Object.entries(extraSchemas)) component(name, schema);
  return {
    openapi: '3.1.0',
    info: {
      title: 'Herald',
      version: '0.1.0',
      description: 'API-triggered messaging campaigns with signed, retried delivery-status webhooks.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    security: [{ bearer: [] }],
    paths,
    webhooks: {
      'message.feedback': {
        post: {
          summary: 'A message status change, POSTed to each matching feedback webhook',
          description:
            'Signed per Standard Webhooks: `webhook-id` (stable across retries), `webhook-timestamp`, `webhook-signature` (`v1,<base64 HMAC-SHA256 of "id.timestamp.body">`, one per active secret).',
          requestBody: {
            content: { 'application/json': { schema: { $ref: '#/components/schemas/FeedbackEvent' } } },
          },
          responses: {
            '2XX': { description: 'Received; any other answer (or none within 15 s) is retried.' },
          },
        },
      },
    },
    components: {
      schemas: components,
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'A Herald API key.' } },
    },
  };
}
