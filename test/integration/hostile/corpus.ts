import { raw, toJsonText } from './json-text.ts';
import type { RawRequest } from './raw-http.ts';
import {
  BAD_IDS,
  BAD_QUERY,
  badElements,
  CONTENT_TYPES,
  DEPTHS,
  HEADER_VALUES,
  INVALID_JSON,
  KB,
  MIB,
  NUMBERS,
  PROTO_KEYS,
  PROTO_STRING_MAP,
  protoObjects,
  SIZES,
  sized,
  UNICODE,
  wrongTypes,
} from './samples.ts';
import {
  generate,
  type JsonSchema,
  kindOf,
  mutate,
  type OpenApiDocument,
  type OpenApiOperation,
  type Point,
  pathText,
  points,
  resolver,
  setAt,
} from './schema.ts';
import type { Seeded } from './seeded.ts';

export const CLASSES = [
  'unicode',
  'numbers',
  'depth',
  'proto-keys',
  'size',
  'headers',
  'arrays',
  'types',
  'path-ids',
  'query',
  'content-type',
  'invalid-json',
  'valid',
  'routing',
] as const;
export type CaseClass = (typeof CLASSES)[number];

export interface Case {
  /** Position in the run; stable for a given seed and fixture set. */
  readonly id: number;
  /** `METHOD /template` of the route, or of the unknown path for routing cases. */
  readonly route: string;
  readonly operationId: string | undefined;
  readonly klass: CaseClass;
  readonly name: string;
  readonly request: RawRequest;
}

/** What one route needs to be called validly: its key, path parameters, query, and body hints. */
export interface RouteFixture {
  readonly key: string;
  readonly params?: Readonly<Record<string, string>>;
  readonly query?: Readonly<Record<string, string>>;
  /**
   * Valid bodies (hints for the schema-driven generator), each with a label. Strings may hold
   * `@@n@@`, replaced by the case number so each case has its own requestId, identity, name.
   */
  readonly bodies?: readonly { readonly label: string; readonly hint: unknown }[];
  /** Extra cases for this route, on top of the generated ones (e.g. 20 large recipients). */
  readonly extra?: (base: unknown) => readonly Draft[];
  /** Places (body paths, e.g. `requestId`) that get every case of a class, whatever its cap. */
  readonly complete?: readonly { readonly klass: CaseClass; readonly place: string }[];
}

type Body =
  | { readonly kind: 'none' }
  | { readonly kind: 'json'; readonly value: unknown; readonly fillTo?: number }
  | { readonly kind: 'bytes'; readonly bytes: Buffer };

export interface Draft {
  readonly klass: CaseClass;
  readonly name: string;
  readonly method?: string;
  /** A full request target, instead of the route's path with its valid parameters. */
  readonly target?: string;
  readonly params?: Readonly<Record<string, string>>;
  readonly query?: string;
  readonly body?: Body;
  /** Replace these headers (lower-case names); a null value removes the header. */
  readonly headers?: Readonly<Record<string, string | Buffer | null>>;
  /** Extra header lines, after the standard ones. */
  readonly extraHeaders?: readonly (readonly [string, string | Buffer])[];
  /** How the report names the route (routing cases: the method and path they try). */
  readonly route?: string;
  /** Kept whatever the class's cap (cases the corpus must always send). */
  readonly always?: boolean;
}

export const FILL = '@@fill@@';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/**
 * Routes that also get header bytes HTTP forbids and path escapes that do not decode: one HTTP
 * parser and one path decoder serve every route, so a few routes (with and without path ids) suffice.
 */
const WIRE_ROUTES = new Set([
  'triggerUnitary',
  'triggerAudience',
  'upsertProfile',
  'getCampaign',
  'getProfile',
  'getRenderedMessage',
  'resendWebhookEvent',
]);

interface Route {
  readonly method: string;
  readonly path: string;
  readonly operation: OpenApiOperation;
}

export function routesOf(doc: OpenApiDocument): Route[] {
  const found: Route[] = [];
  for (const [path, operations] of Object.entries(doc.paths)) {
    // The /ajo/im/… aliases run the same handlers as /im/… (test/integration/ajo-clients.test.ts
    // shows it); attacking both would only double the corpus.
    if (path.startsWith('/ajo/')) continue;
    for (const [method, operation] of Object.entries(operations)) {
      if (METHODS.includes(method.toUpperCase() as (typeof METHODS)[number])) {
        found.push({ method: method.toUpperCase(), path, operation });
      }
    }
  }
  return found;
}

const json = (value: unknown, fillTo?: number): Body =>
  fillTo === undefined ? { kind: 'json', value } : { kind: 'json', value, fillTo };

/** `{"polluted":…}` as the value of a JavaScript-special key inside a strict object. */
const POLLUTING = raw('{"polluted":"yes"}');

function pointDrafts(
  base: unknown,
  all: readonly Point[],
  label: string,
  resolve: (schema: JsonSchema) => JsonSchema,
): Draft[] {
  const drafts: Draft[] = [];
  const at = (point: Point) => `${label}${pathText(point.path)}`;
  const add = (klass: CaseClass, point: Point, name: string, value: unknown, fillTo?: number) =>
    drafts.push({ klass, name: `${at(point)}: ${name}`, body: json(mutate(base, point, value), fillTo) });

  for (const point of all) {
    const { kind } = point;
    const isMap = kind === 'free-form' || kind === 'string-map';
    // (1) Unicode in every string, every key and value of every free-form object.
    for (const sample of UNICODE) {
      if (kind === 'string' || kind === 'enum') add('unicode', point, sample.name, sample.value);
      if (isMap) {
        add('unicode', point, `${sample.name} as a key`, { [sample.value]: 'v' });
        add(
          'unicode',
          point,
          `${sample.name} as values`,
          kind === 'free-form'
            ? { text: sample.value, nested: { list: [sample.value, { deeper: sample.value }] } }
            : { 'x-hostile': sample.value },
        );
      }
    }
    // (2) Numbers DynamoDB cannot store, in numeric fields and free-form objects.
    for (const sample of NUMBERS) {
      if (kind === 'number') add('numbers', point, sample.name, sample.value);
      if (kind === 'free-form') {
        add('numbers', point, sample.name, { n: sample.value, deep: { list: [sample.value] } });
      }
      if (kind === 'string-map') add('numbers', point, sample.name, { n: sample.value });
    }
    if (isMap) {
      // (3) Depth.
      for (const sample of DEPTHS) {
        add('depth', point, sample.name, sample.value);
        add('depth', point, `${sample.name} under a member`, { d: sample.value, ok: 'x' });
      }
      // (4) Keys special to JavaScript objects.
      if (kind === 'free-form') {
        for (const sample of protoObjects()) add('proto-keys', point, sample.name, sample.value);
      } else {
        add('proto-keys', point, 'special keys with string values', PROTO_STRING_MAP);
      }
      // (5) Sizes around 200 KB, 400 KB and the 1 MiB body limit.
      for (const size of SIZES) {
        for (const shape of ['string', 'object'] as const) {
          add('size', point, `${shape} of ${size.name}`, sized(size.bytes, shape));
        }
      }
      add('size', point, 'body just under 1 MiB', { big: FILL }, MIB - 16);
      add('size', point, 'body just over 1 MiB', { big: FILL }, MIB + KB);
    }
    if (kind === 'object') {
      for (const key of PROTO_KEYS) {
        drafts.push({
          klass: 'proto-keys',
          name: `${at(point)}.${key}: in a strict object`,
          body: json(
            setAt(mutate(base, point, undefinedToSame(base, point)), [...point.path, key], POLLUTING),
          ),
        });
      }
    }
    // (8) Arrays of 100,000 bad elements: the answer must stay small.
    if (kind === 'array' && point.schema.items) {
      const items = kindOf(resolve(point.schema.items), resolve);
      add('arrays', point, '100,000 elements of the wrong type', badElements(100_000, items));
      if (items === 'object') {
        add('arrays', point, '100,000 empty objects', raw(`[${Array(100_000).fill('{}').join(',')}]`));
      }
    }
    // Wrong types, nulls, missing members, unknown members.
    if (point.path.length > 0) {
      for (const wrong of wrongTypes(kind)) add('types', point, wrong.name, wrong.value);
      add('types', point, 'null', null);
      if (point.required) add('types', point, 'missing', undefined);
    }
    if (kind === 'object') {
      drafts.push({
        klass: 'types',
        name: `${at(point)}: an unknown member`,
        body: json(setAt(mutate(base, point, undefinedToSame(base, point)), [...point.path, 'zzUnknown'], 1)),
      });
    }
  }
  return drafts;
}

/** The value already at the point (so `mutate` only fills in the parents). */
function undefinedToSame(base: unknown, point: Point): unknown {
  let node: unknown = base;
  for (const key of point.path) {
    node = node && typeof node === 'object' ? (node as Record<string | number, unknown>)[key] : undefined;
  }
  if (node !== undefined) return structuredClone(node);
  const parent = point.parents.find((p) => pathText(p.path) === pathText(point.path));
  return structuredClone(parent?.value ?? {});
}

function routeDrafts(route: Route, fixture: RouteFixture, doc: OpenApiDocument): Draft[] {
  const resolve = resolver(doc);
  const drafts: Draft[] = [];
  const schema = route.operation.requestBody?.content['application/json']?.schema;
  const bases = schema
    ? (fixture.bodies ?? [{ label: '', hint: undefined }]).map((b) => ({
        label: b.label ? `[${b.label}] ` : '',
        value: generate(schema, resolve, b.hint),
      }))
    : [];
  const first = bases[0];

  for (const base of bases) {
    drafts.push({ klass: 'valid', name: `${base.label}the valid body`, body: json(base.value) });
    if (schema) {
      for (const draft of pointDrafts(base.value, points(schema, base.value, resolve), base.label, resolve)) {
        const complete = fixture.complete?.some(
          (c) => c.klass === draft.klass && draft.name.startsWith(`${base.label}${c.place}: `),
        );
        drafts.push(complete ? { ...draft, always: true } : draft);
      }
    }
  }
  if (first) {
    drafts.push(...(fixture.extra?.(first.value) ?? []));
    for (const type of CONTENT_TYPES) {
      drafts.push({
        klass: 'content-type',
        name: `content-type ${type.name}`,
        body: json(first.value),
        headers: { 'content-type': type.value ?? null },
      });
    }
    for (const bad of INVALID_JSON) {
      drafts.push({ klass: 'invalid-json', name: bad.name, body: { kind: 'bytes', bytes: bad.body } });
    }
  } else {
    drafts.push({ klass: 'valid', name: 'the valid request' });
    for (const type of ['application/json', 'text/plain']) {
      drafts.push({
        klass: 'content-type',
        name: `a body (${type}) on a route that takes none`,
        body: { kind: 'bytes', bytes: Buffer.from('{"a":1}') },
        headers: { 'content-type': type },
      });
    }
  }
  const withBody = first ? json(first.value) : undefined;

  // (6) Headers: long and control-laden values of the headers Herald reads.
  for (const value of HEADER_VALUES) {
    if (value.wire && !WIRE_ROUTES.has(route.operation.operationId)) continue;
    const keyed = Buffer.concat([Buffer.from('@@n@@-'), value.value]);
    drafts.push({
      klass: 'headers',
      name: `Idempotency-Key ${value.name}`,
      // The long keys on the route that reads the header (a key goes into the idempotency item's key).
      always: route.operation.operationId === 'triggerUnitary' && /characters/.test(value.name),
      ...(withBody ? { body: withBody } : {}),
      extraHeaders: [['idempotency-key', keyed]],
    });
    drafts.push({
      klass: 'headers',
      name: `x-sandbox-name ${value.name}`,
      ...(withBody ? { body: withBody } : {}),
      extraHeaders: [['x-sandbox-name', value.value]],
    });
    drafts.push({
      klass: 'headers',
      name: `authorization with ${value.name} appended`,
      ...(withBody ? { body: withBody } : {}),
      headers: { authorization: Buffer.concat([Buffer.from(`Bearer ${fixture.key}`), value.value]) },
    });
  }
  for (const key of [...PROTO_KEYS, 'hasOwnProperty', 'toString']) {
    drafts.push({
      klass: 'proto-keys',
      name: `a request header named ${key}`,
      ...(withBody ? { body: withBody } : {}),
      extraHeaders: [[key, 'x']],
    });
  }
  drafts.push({
    klass: 'headers',
    name: 'Idempotency-Key twice',
    ...(withBody ? { body: withBody } : {}),
    extraHeaders: [
      ['idempotency-key', '@@n@@-a'],
      ['idempotency-key', '@@n@@-b'],
    ],
  });

  // Path parameters that are not ids, and ids that name nothing.
  for (const param of route.operation.parameters ?? []) {
    if (param.in === 'path') {
      for (const bad of BAD_IDS) {
        if (bad.wire && !WIRE_ROUTES.has(route.operation.operationId)) continue;
        drafts.push({
          klass: 'path-ids',
          name: `path.${param.name}: ${bad.name}`,
          params: { [param.name]: bad.value },
          ...(withBody ? { body: withBody } : {}),
        });
      }
      drafts.push({
        klass: 'path-ids',
        name: `path.${param.name}: a well-formed id that names nothing`,
        params: { [param.name]: '0b7c1f5e-6d1a-4c1e-9a55-3f0d2e8b9c41' },
        ...(withBody ? { body: withBody } : {}),
      });
    }
  }

  // Query values.
  const validQuery = new URLSearchParams(fixture.query ?? {}).toString();
  const queryWith = (extra: string) => [validQuery, extra].filter(Boolean).join('&');
  const queryParams = (route.operation.parameters ?? []).filter((p) => p.in === 'query');
  for (const param of queryParams) {
    for (const bad of BAD_QUERY) {
      drafts.push({
        klass: 'query',
        name: `query.${param.name}: ${bad.name}`,
        query: queryWith(`${param.name}=${bad.value}`),
        ...(withBody ? { body: withBody } : {}),
      });
    }
    drafts.push({
      klass: 'query',
      name: `query.${param.name}: twice`,
      query: queryWith(`${param.name}=1&${param.name}=2`),
      ...(withBody ? { body: withBody } : {}),
    });
  }
  for (const extra of [
    'zz=1',
    '__proto__=x',
    'constructor=x&prototype=y',
    'limit=1e309',
    `${'q'.repeat(3000)}=1`,
  ]) {
    drafts.push({
      klass: 'query',
      name: `an unknown query parameter (${extra.slice(0, 20)})`,
      query: queryWith(extra),
      ...(withBody ? { body: withBody } : {}),
    });
  }
  return drafts;
}

/** Unknown paths, and known paths with methods they do not have. */
function routingDrafts(routes: readonly Route[], fixtures: (operationId: string) => RouteFixture): Draft[] {
  const drafts: Draft[] = [];
  const unknown = [
    '/nope',
    '/campaigns/x/y/z',
    '/im',
    '/im/executions',
    '/openapi.json/',
    '/campaigns/',
    '//campaigns',
    '/%2e%2e/sandboxes',
    '/CAMPAIGNS',
    '/campaigns%2F123',
    `/webhooks/${'a'.repeat(5_000)}/x`,
    '/%ED%A0%80',
    '/campaigns?%',
  ];
  for (const target of unknown) {
    for (const method of ['GET', 'POST']) {
      drafts.push({
        klass: 'routing',
        name: 'an unknown path',
        route: `${method} ${target.length > 60 ? `${target.slice(0, 57)}...` : target}`,
        method,
        target,
        ...(method === 'POST' ? { body: json({ a: 1 }) } : {}),
      });
    }
  }
  const byPath = new Map<string, Route[]>();
  for (const route of routes) byPath.set(route.path, [...(byPath.get(route.path) ?? []), route]);
  for (const [path, defined] of byPath) {
    const first = defined[0] as Route;
    const params = fixtures(first.operation.operationId).params ?? {};
    const target = path.replace(/\{(\w+)\}/g, (_m, name: string) => encodeURIComponent(params[name] ?? 'x'));
    for (const method of [...METHODS, 'OPTIONS']) {
      if (defined.some((r) => r.method === method)) continue;
      drafts.push({
        klass: 'routing',
        name: 'a method the path does not have',
        route: `${method} ${path}`,
        method,
        target,
        ...(['POST', 'PUT', 'PATCH'].includes(method) ? { body: json({ a: 1 }) } : {}),
      });
    }
  }
  return drafts;
}

/**
 * Up to n drafts, spread over the places they mutate (the part of the name before ': ', or the
 * header a header case sets) before any place gets a second one, each place's cases in a seeded
 * order. Kept in their original order.
 */
function spread(random: Seeded, drafts: readonly Draft[], n: number): Draft[] {
  if (drafts.length <= n) return [...drafts];
  const place = (d: Draft) =>
    d.name.includes(': ') ? d.name.slice(0, d.name.lastIndexOf(': ')) : d.name.split(' ')[0];
  const groups = new Map<string, Draft[]>();
  for (const d of drafts) groups.set(place(d) ?? '', [...(groups.get(place(d) ?? '') ?? []), d]);
  const queues = random.shuffle([...groups.values()]).map((g) => random.shuffle(g));
  const picked = new Set<Draft>();
  while (picked.size < n) {
    for (const queue of queues) {
      const next = queue.shift();
      if (next && picked.size < n) picked.add(next);
    }
  }
  return drafts.filter((d) => picked.has(d));
}

/** How many cases of each class to keep per route (chosen by the seed); Infinity keeps all. */
export type Caps = Readonly<Record<CaseClass, number>>;

export interface CorpusOptions {
  readonly doc: OpenApiDocument;
  readonly fixtures: (operationId: string) => RouteFixture;
  readonly random: Seeded;
  readonly caps: Caps;
  /** Caps that differ for some routes (e.g. every size case on the trigger routes). */
  readonly capsFor?: (operationId: string) => Partial<Caps>;
  /** Key for routing cases. */
  readonly key: string;
}

/**
 * The whole corpus, in a deterministic order: for each route of the OpenAPI document, the chosen
 * cases of each class (its valid request last, so a destructive route keeps its target until then),
 * then the routing cases.
 */
export function buildCorpus(options: CorpusOptions): { cases: Case[]; candidates: number } {
  const routes = routesOf(options.doc);
  const cases: Case[] = [];
  let candidates = 0;
  const finish = (route: Route | undefined, fixture: RouteFixture, draft: Draft, label: string) => {
    const id = cases.length + 1;
    const n = String(id);
    const path = route?.path ?? '';
    const params = { ...(fixture.params ?? {}) };
    const target =
      draft.target ??
      path.replace(/\{(\w+)\}/g, (_m, name: string) =>
        name in (draft.params ?? {})
          ? (draft.params?.[name] ?? '')
          : encodeURIComponent((params[name] ?? 'x').replaceAll('@@n@@', n)),
      ) +
        (() => {
          const query = draft.query ?? new URLSearchParams(fixture.query ?? {}).toString();
          return query ? `?${query}` : '';
        })();
    let body: Buffer | undefined;
    const spec = draft.body ?? { kind: 'none' };
    if (spec.kind === 'json') {
      let text = toJsonText(spec.value).replaceAll('@@n@@', n);
      if (spec.fillTo !== undefined) {
        const envelope = Buffer.byteLength(text) - FILL.length;
        text = text.replace(FILL, 'x'.repeat(Math.max(0, spec.fillTo - envelope)));
      }
      body = Buffer.from(text, 'utf8');
    } else if (spec.kind === 'bytes') {
      body = spec.bytes;
    }
    const standard: Record<string, string | Buffer | null> = {
      authorization: `Bearer ${fixture.key}`,
      ...(spec.kind !== 'none' ? { 'content-type': 'application/json' } : {}),
      ...(draft.headers ?? {}),
    };
    const headers: (readonly [string, string | Buffer])[] = [];
    for (const [name, value] of Object.entries(standard)) if (value !== null) headers.push([name, value]);
    for (const [name, value] of draft.extraHeaders ?? []) {
      headers.push([
        name,
        Buffer.isBuffer(value)
          ? Buffer.from(value.toString('latin1').replaceAll('@@n@@', n), 'latin1')
          : value.replaceAll('@@n@@', n),
      ]);
    }
    cases.push({
      id,
      route: label,
      operationId: route?.operation.operationId,
      klass: draft.klass,
      name: draft.name,
      request: {
        method: draft.method ?? route?.method ?? 'GET',
        target,
        headers,
        ...(body ? { body } : {}),
      },
    });
  };

  for (const route of routes) {
    const fixture = options.fixtures(route.operation.operationId);
    const drafts = routeDrafts(route, fixture, options.doc);
    candidates += drafts.length;
    const caps = { ...options.caps, ...(options.capsFor?.(route.operation.operationId) ?? {}) };
    const chosen: Draft[] = [];
    for (const klass of CLASSES) {
      if (klass === 'valid') continue;
      const ofClass = drafts.filter((d) => d.klass === klass);
      const rest = new Set(
        spread(
          options.random,
          ofClass.filter((d) => !d.always),
          caps[klass],
        ),
      );
      chosen.push(...ofClass.filter((d) => d.always || rest.has(d)));
    }
    chosen.push(...drafts.filter((d) => d.klass === 'valid'));
    for (const draft of chosen) finish(route, fixture, draft, `${route.method} ${route.path}`);
  }
  const routing = routingDrafts(routes, options.fixtures);
  candidates += routing.length;
  const key = { key: options.key };
  for (const draft of options.random.sample(routing, options.caps.routing)) {
    finish(undefined, key, draft, draft.route ?? `${draft.method} ${draft.target}`);
  }
  return { cases, candidates };
}
