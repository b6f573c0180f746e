/**
 * The part of JSON Schema (OpenAPI 3.1) the corpus reads: enough to build a valid value for every
 * request body and to list every place a hostile value can go.
 */
export interface JsonSchema {
  readonly $ref?: string;
  readonly type?: string | readonly string[];
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | JsonSchema;
  readonly propertyNames?: JsonSchema;
  readonly items?: JsonSchema;
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly anyOf?: readonly JsonSchema[];
  readonly oneOf?: readonly JsonSchema[];
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly pattern?: string;
  readonly format?: string;
}

export interface OpenApiParameter {
  readonly name: string;
  readonly in: 'path' | 'query' | 'header' | 'cookie';
  readonly required?: boolean;
  readonly schema: JsonSchema;
}

export interface OpenApiOperation {
  readonly operationId: string;
  readonly 'x-herald-requires'?: string;
  readonly parameters?: readonly OpenApiParameter[];
  readonly requestBody?: { readonly content: Readonly<Record<string, { readonly schema: JsonSchema }>> };
}

export interface OpenApiDocument {
  readonly paths: Readonly<Record<string, Readonly<Record<string, OpenApiOperation>>>>;
  readonly components: { readonly schemas: Readonly<Record<string, JsonSchema>> };
}

export type Path = readonly (string | number)[];

/** What a place in a body holds, for choosing which hostile values fit it. */
export type PointKind =
  | 'string'
  | 'number'
  | 'boolean'
  | 'enum'
  /** An object with any keys and values of any type (attributes, context, overlays). */
  | 'free-form'
  /** An object with any keys and string values (push data, webhook headers). */
  | 'string-map'
  | 'array'
  | 'object';

export interface Point {
  readonly path: Path;
  readonly kind: PointKind;
  readonly schema: JsonSchema;
  readonly required: boolean;
  /**
   * Optional parents the base body leaves out, with a valid value for each, outermost first: set
   * them before putting a value at `path`.
   */
  readonly parents: readonly { readonly path: Path; readonly value: unknown }[];
}

export function resolver(doc: OpenApiDocument) {
  const resolve = (schema: JsonSchema): JsonSchema => {
    if (!schema.$ref) return schema;
    const name = /^#\/components\/schemas\/(.+)$/.exec(schema.$ref)?.[1];
    const target = name ? doc.components.schemas[name] : undefined;
    if (!target) throw new Error(`unresolved $ref ${schema.$ref}`);
    return resolve(target);
  };
  return resolve;
}

const typeOf = (schema: JsonSchema): string | undefined =>
  Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : (schema.type as string | undefined);

/** The branch of an anyOf/oneOf that a value takes (or the first that is not null). */
function branch(schema: JsonSchema, value: unknown, resolve: (s: JsonSchema) => JsonSchema): JsonSchema {
  const options = (schema.anyOf ?? schema.oneOf ?? []).map(resolve).filter((s) => typeOf(s) !== 'null');
  const tag = value && typeof value === 'object' ? (value as Record<string, unknown>).type : undefined;
  return (
    options.find((s) => tag !== undefined && resolve(s.properties?.type ?? {}).const === tag) ??
    options[0] ??
    schema
  );
}

export function kindOf(schema: JsonSchema, resolve: (s: JsonSchema) => JsonSchema): PointKind {
  if (schema.enum || schema.const !== undefined) return 'enum';
  switch (typeOf(schema)) {
    case 'string':
      return 'string';
    case 'integer':
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'array':
      return 'array';
    case 'object': {
      if (schema.properties) return 'object';
      const values =
        typeof schema.additionalProperties === 'object' ? resolve(schema.additionalProperties) : {};
      return typeOf(values) === 'string' ? 'string-map' : 'free-form';
    }
    default:
      return 'free-form';
  }
}

/** Sample strings for the patterns the API uses; the pattern itself checks each sample. */
const PATTERN_SAMPLES = [
  '01a20708-a928-4d86-8254-5a5c8f38d212',
  'email',
  'hostile',
  'x-hostile',
  'value',
  'key-1',
  'US',
];

/**
 * A valid value for the schema: the hint where one is given (the fixtures' ids, addresses, the
 * receiver's URL), otherwise the smallest value the schema accepts. Optional members are left out
 * unless the hint names them.
 */
export function generate(
  schema: JsonSchema,
  resolve: (s: JsonSchema) => JsonSchema,
  hint?: unknown,
): unknown {
  const s = resolve(schema);
  if (s.anyOf || s.oneOf) return generate(branch(s, hint, resolve), resolve, hint);
  if (s.const !== undefined) return hint ?? s.const;
  if (s.enum) return hint ?? s.enum[0];
  switch (typeOf(s)) {
    case 'object': {
      const given = hint && typeof hint === 'object' ? (hint as Record<string, unknown>) : {};
      if (!s.properties) return hint ?? {};
      const result: Record<string, unknown> = {};
      for (const [name, member] of Object.entries(s.properties)) {
        if (name in given) result[name] = generate(member, resolve, given[name]);
        else if (s.required?.includes(name)) result[name] = generate(member, resolve);
      }
      return result;
    }
    case 'array': {
      if (Array.isArray(hint)) return hint.map((item: unknown) => generate(s.items ?? {}, resolve, item));
      return Array.from({ length: s.minItems ?? 0 }, () => generate(s.items ?? {}, resolve));
    }
    case 'string': {
      if (hint !== undefined) return hint;
      if (s.format === 'date-time') return '2031-01-01T00:00:00Z';
      if (s.format === 'uri') return 'http://127.0.0.1:9/hostile';
      if (s.pattern) {
        const pattern = new RegExp(s.pattern);
        const sample = PATTERN_SAMPLES.find((candidate) => pattern.test(candidate));
        if (!sample) throw new Error(`no sample string for pattern ${s.pattern}`);
        return sample;
      }
      return 'hostile'.padEnd(s.minLength ?? 0, 'x').slice(0, s.maxLength ?? 256);
    }
    case 'integer':
    case 'number':
      return hint ?? s.minimum ?? 1;
    case 'boolean':
      return hint ?? false;
    default:
      return hint ?? {};
  }
}

/**
 * Every place in a body where a value can go: each member of each object (present in the base body
 * or not), each array and its first element, each free-form object.
 */
export function points(schema: JsonSchema, base: unknown, resolve: (s: JsonSchema) => JsonSchema): Point[] {
  const found: Point[] = [];
  const walk = (
    raw: JsonSchema,
    value: unknown,
    path: Path,
    required: boolean,
    parents: Point['parents'],
  ) => {
    let s = resolve(raw);
    if (s.anyOf || s.oneOf) s = branch(s, value, resolve);
    const kind = kindOf(s, resolve);
    found.push({ path, kind, schema: s, required, parents });
    if (kind === 'object' && s.properties) {
      const object = value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
      for (const [name, member] of Object.entries(s.properties)) {
        const present = name in object;
        const child = present ? object[name] : generate(member, resolve);
        walk(
          member,
          child,
          [...path, name],
          s.required?.includes(name) ?? false,
          present ? parents : [...parents, { path: [...path, name], value: child }],
        );
      }
    }
    if (kind === 'array' && s.items) {
      const items = Array.isArray(value) ? value : [];
      const first = items.length > 0 ? items[0] : generate(s.items, resolve);
      walk(
        s.items,
        first,
        [...path, 0],
        true,
        items.length > 0 ? parents : [...parents, { path, value: [first] }],
      );
    }
  };
  walk(schema, base, [], true, []);
  return found;
}

export function clone<T>(value: T): T {
  return structuredClone(value);
}

/** Sets (or with `undefined`, deletes) the value at a path, creating nothing: parents must exist. */
export function setAt(body: unknown, path: Path, value: unknown): unknown {
  if (path.length === 0) return value;
  let node = body as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path[path.length - 1] as string | number;
  if (value === undefined) {
    if (Array.isArray(node) && typeof last === 'number') node.splice(last, 1);
    else delete node[last];
  } else {
    // defineProperty, so a key named __proto__ becomes data and never a prototype.
    Object.defineProperty(node, last, { value, enumerable: true, writable: true, configurable: true });
  }
  return body;
}

/** The base body with its missing optional parents filled in and `value` at the point. */
export function mutate(base: unknown, point: Point, value: unknown): unknown {
  let body = clone(base);
  for (const parent of point.parents) body = setAt(body, parent.path, clone(parent.value));
  return setAt(body, point.path, value);
}

export const pathText = (path: Path): string =>
  path.reduce<string>(
    (text, key) => (typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${key}` : key),
    '',
  ) || '(body)';
