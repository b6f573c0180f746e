import type * as z from '../schemas/zod.ts';
import type { Key } from './keys.ts';

/**
 * One kind of item of the single table: how a record becomes an item (its key, its `type`, any
 * index or TTL attributes) and how an item is parsed back into a record. Parsing is the only way
 * a store turns an item into a record, so a malformed item is a MalformedItemError naming its kind
 * and key, never a wrongly shaped object handed to the domain. The key functions stay in keys.ts:
 * an entity names one, it never builds keys of its own.
 */
export interface ItemReader<R> {
  /** The item's `type` attribute, and the kind named in errors. */
  readonly kind: string;
  /** The record an item holds, or MalformedItemError. Keys, `type`, index and TTL attributes are dropped. */
  parse(item: Readonly<Record<string, unknown>>): R;
}

export interface Entity<R> extends ItemReader<R> {
  /** What the domain calls it, for AlreadyExistsError and ConcurrentUpdateError (`Campaign`). */
  readonly label: string;
  /** The key of a record's item. */
  key(record: R): Key;
  /** The id shown in errors (`Campaign '…' already exists`). */
  id(record: R): string;
  /** The whole item of a record: key, `type`, the record's fields as stored, derived attributes, `extra`. */
  item(record: R, extra?: Readonly<Record<string, unknown>>): Record<string, unknown>;
}

export interface EntityDefinition<R> {
  readonly kind: string;
  readonly label: string;
  readonly key: (record: R) => Key;
  readonly id: (record: R) => string;
  /**
   * Item → record. A `z.object` strips what the record does not hold (pk, sk, type, expiresAt,
   * duePk, dueSk); write its shape `satisfies RecordShape<R>` so the compiler proves the schema has
   * every field of the record and no other.
   */
  readonly schema: z.ZodMiniType<NoInfer<R>>;
  /** The record's fields as stored, when they differ from the record (a JSON string, a set). */
  readonly encode?: (record: R) => Record<string, unknown>;
  /** Attributes derived from the record and stored beside it (index keys, TTL); never read back. */
  readonly attributes?: (record: R) => Record<string, unknown>;
}

/**
 * The schema of each field of a record `R`: every key of `R` and no other (with `satisfies`, an
 * extra key is an excess property), each schema's output a value of that field, and the optional
 * fields of `R` (and only they) optional in the schema — so a stored item may lack exactly what the
 * record may lack.
 */
export type RecordShape<R> = {
  readonly [K in keyof R]-?: Partial<Pick<R, K>> extends Pick<R, K>
    ? z.ZodMiniOptional<z.ZodMiniType<Exclude<R[K], undefined>>>
    : z.ZodMiniType<R[K]>;
};

/** A stored item that is not what its kind says: a bug or a manual edit, never a request's fault. */
export class MalformedItemError extends Error {
  readonly kind: string;
  readonly key: { readonly pk: unknown; readonly sk: unknown };
  readonly issues: readonly { readonly path: string; readonly message: string }[];

  constructor(kind: string, item: Readonly<Record<string, unknown>>, error: z.core.$ZodError) {
    // Paths and zod's messages only: a value could be personal data, and this message is logged.
    const issues = error.issues.map((issue) => ({
      path: issue.path.map(String).join('.') || '(item)',
      message: issue.message,
    }));
    const shown = issues
      .slice(0, 5)
      .map((issue) => `${issue.path}: ${issue.message}`)
      .join('; ');
    const more = issues.length > 5 ? `; and ${issues.length - 5} more` : '';
    super(
      `Malformed ${kind} item (pk ${String(item.pk)}, sk ${String(item.sk)}) in the table: ${shown}${more}`,
    );
    this.name = 'MalformedItemError';
    this.kind = kind;
    this.key = { pk: item.pk, sk: item.sk };
    this.issues = issues;
  }
}

/** Parses an item (or a projection of one) with `schema`; MalformedItemError naming `kind` and its key. */
export function parseItem<T>(
  kind: string,
  schema: z.ZodMiniType<T>,
  item: Readonly<Record<string, unknown>>,
): T {
  const result = schema.safeParse(item);
  if (!result.success) throw new MalformedItemError(kind, item, result.error);
  return result.data;
}

/** A reader of items (or projections of them) that are not written as one record: attempts, due refs. */
export function reader<T>(kind: string, schema: z.ZodMiniType<T>): ItemReader<T> {
  return { kind, parse: (item) => parseItem(kind, schema, item) };
}

export function entity<R>(definition: EntityDefinition<R>): Entity<R> {
  const { kind, label, key, id, schema, encode, attributes } = definition;
  return {
    kind,
    label,
    key,
    id,
    item: (record, extra = {}) => ({
      ...key(record),
      type: kind,
      ...(encode ? encode(record) : record),
      ...attributes?.(record),
      ...extra,
    }),
    parse: (item) => parseItem(kind, schema, item),
  };
}

/**
 * The condition of a write that expects the stored item to be absent (`'absent'`) or at revision
 * `previous`: optimistic concurrency, shared by every record with a revision.
 */
export function revisionCondition(previous: number | 'absent') {
  return previous === 'absent'
    ? { ConditionExpression: 'attribute_not_exists(pk)' }
    : {
        ConditionExpression: '#revision = :previous',
        ExpressionAttributeNames: { '#revision': 'revision' },
        ExpressionAttributeValues: { ':previous': previous },
      };
}
