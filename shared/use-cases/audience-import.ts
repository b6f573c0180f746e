import { parseCsv } from '../domain/csv.ts';
import { HeraldError, NotFoundError, ValidationError } from '../domain/errors.ts';
import { identityKey, isStandardNamespace } from '../domain/identity.ts';
import { uuidv7 } from '../domain/ids.ts';
import {
  type IMPORT_FORMATS,
  type ImportProgress,
  MAX_IMPORT_COLUMNS,
  MAX_IMPORT_LINES,
} from '../schemas/audience.ts';
import { namespaceCodeSchema } from '../schemas/common.ts';
import { jsonIssues, parseJson } from '../schemas/json-guard.ts';
import { RESERVED_KEYS } from '../schemas/limits.ts';
import {
  attributesSchema,
  type Consent,
  consentSchema,
  type Identity,
  identitySchema,
  MAX_IDENTITIES_PER_PROFILE,
} from '../schemas/profile.ts';
import * as z from '../schemas/zod.ts';
import { type AudienceDeps, addCandidates, loadAudience, screen } from './audiences.ts';
import { bulkUpsertProfiles, upsertProfile } from './profiles.ts';

/** Rejections kept on an import (the counts keep counting past it). */
const KEPT_REJECTIONS = 100;
/** Upserts of rows naming several identities in flight at once. */
const UPSERT_CONCURRENCY = 8;

type ImportFormat = (typeof IMPORT_FORMATS)[number];

/** An import line that is a whole profile: identities, and attributes or consent to merge. */
const profileLineSchema = z.strictObject({
  identities: z.array(identitySchema).check(z.minLength(1), z.maxLength(MAX_IDENTITIES_PER_PROFILE)),
  attributes: z.optional(attributesSchema),
  consent: z.optional(consentSchema),
});

interface ProfileRow {
  readonly line: number;
  readonly identities: { namespace: string; id: string }[];
  readonly attributes?: Record<string, unknown>;
  readonly consent?: Consent;
}

/** What a chunk's lines are: identities alone (the batched path), whole profiles, and rejections. */
interface ParsedChunk {
  readonly identities: { position: number; value: unknown }[];
  readonly profiles: ProfileRow[];
  readonly rejected: { line: number; reason: string }[];
}

/** A CSV column: an identity namespace, an attribute, or a marketing consent channel. */
type Column =
  | { readonly kind: 'identity'; readonly namespace: string }
  | { readonly kind: 'attribute'; readonly name: string }
  | { readonly kind: 'consent'; readonly channel: 'email' | 'sms' | 'push' };

const CONSENT_COLUMN = /^consent\.marketing\.(email|sms|push)$/;

/** The header's columns, or a 400 naming the bad one (custom namespaces must be registered). */
async function readHeader(deps: AudienceDeps, sandbox: string, header: readonly string[]): Promise<Column[]> {
  const bad = (message: string) => new ValidationError([{ path: 'body.lines', message }]);
  if (header.length > MAX_IMPORT_COLUMNS)
    throw bad(`the header must have at most ${MAX_IMPORT_COLUMNS} columns`);
  const seen = new Set<string>();
  const columns: Column[] = [];
  for (const [index, raw] of header.entries()) {
    const name = raw.trim();
    const where = `header column ${index + 1} '${name}'`;
    if (seen.has(name)) throw bad(`${where} appears twice`);
    seen.add(name);
    const consent = CONSENT_COLUMN.exec(name)?.[1] as 'email' | 'sms' | 'push' | undefined;
    if (consent) columns.push({ kind: 'consent', channel: consent });
    else if (name.startsWith('attributes.')) {
      const attribute = name.slice('attributes.'.length);
      if (attribute.length < 1 || attribute.length > 128)
        throw bad(`${where} must name an attribute of 1 to 128 characters`);
      if (RESERVED_KEYS.has(attribute))
        throw bad(`${where}: '${attribute}' is not allowed as an attribute name`);
      columns.push({ kind: 'attribute', name: attribute });
    } else if (namespaceCodeSchema.safeParse(name).success) {
      if (!isStandardNamespace(name) && !(await deps.namespaces.exists(sandbox, name)))
        throw bad(`${where}: namespace '${name}' is not registered in this sandbox`);
      columns.push({ kind: 'identity', namespace: name });
    } else {
      throw bad(
        `${where} must be an identity namespace, attributes.<name> or consent.marketing.<email|sms|push>`,
      );
    }
  }
  const identities = columns.filter((c) => c.kind === 'identity').length;
  if (identities === 0) throw bad('the header must name at least one identity namespace');
  if (identities > MAX_IDENTITIES_PER_PROFILE)
    throw bad(
      `the header may name at most ${MAX_IDENTITIES_PER_PROFILE} identity namespaces (a profile upsert's limit)`,
    );
  return columns;
}

function csvRows(records: readonly string[][], columns: readonly Column[], offset: number): ParsedChunk {
  const chunk: ParsedChunk = { identities: [], profiles: [], rejected: [] };
  records.forEach((fields, index) => {
    const line = offset + index + 1;
    if (fields.length === 1 && fields[0] === '') return; // a blank line
    if (fields.length !== columns.length) {
      chunk.rejected.push({ line, reason: `has ${fields.length} fields; the header has ${columns.length}` });
      return;
    }
    const identities: { namespace: string; id: string }[] = [];
    const attributes: Record<string, unknown> = {};
    const marketing: Record<string, 'y' | 'n'> = {};
    for (const [i, column] of columns.entries()) {
      const value = fields[i] ?? '';
      if (value === '') continue;
      if (column.kind === 'identity') identities.push({ namespace: column.namespace, id: value });
      // defineProperty: an attribute name is data, whatever it is.
      else if (column.kind === 'attribute')
        Object.defineProperty(attributes, column.name, {
          value,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      else {
        const answer = value.trim().toLowerCase();
        if (answer !== 'y' && answer !== 'n') {
          chunk.rejected.push({ line, reason: `consent.marketing.${column.channel} must be y or n` });
          return;
        }
        marketing[column.channel] = answer;
      }
    }
    const [only] = identities;
    if (!only) chunk.rejected.push({ line, reason: 'no identity: every identity column is empty' });
    else if (
      identities.length === 1 &&
      Object.keys(attributes).length === 0 &&
      Object.keys(marketing).length === 0
    )
      chunk.identities.push({ position: line, value: only });
    else
      chunk.profiles.push({
        line,
        identities,
        ...(Object.keys(attributes).length > 0 ? { attributes } : {}),
        ...(Object.keys(marketing).length > 0 ? { consent: { marketing } } : {}),
      });
  });
  return chunk;
}

function ndjsonRows(lines: readonly string[], offset: number): ParsedChunk {
  const chunk: ParsedChunk = { identities: [], profiles: [], rejected: [] };
  lines.forEach((text, index) => {
    const line = offset + index + 1;
    if (text.trim() === '') return;
    let value: unknown;
    try {
      value = parseJson(text);
    } catch {
      chunk.rejected.push({ line, reason: 'not JSON' });
      return;
    }
    const [issue] = jsonIssues(value, 'line').issues;
    if (issue) {
      chunk.rejected.push({ line, reason: `${issue.path}: ${issue.message}` });
      return;
    }
    if (value === null || typeof value !== 'object' || !('identities' in value)) {
      chunk.identities.push({ position: line, value });
      return;
    }
    const parsed = profileLineSchema.safeParse(value);
    if (!parsed.success) {
      const [first] = parsed.error.issues;
      chunk.rejected.push({
        line,
        reason: `${first?.path.join('.') || 'line'}: ${first?.message ?? 'not a profile'}`,
      });
      return;
    }
    chunk.profiles.push({ line, ...parsed.data });
  });
  return chunk;
}

/** What a refused row's profile upsert said, as one line of reason. */
function reasonOf(error: HeraldError): string {
  return error.fields.length > 0
    ? error.fields.map((f) => `${f.path}: ${f.message}`).join('; ')
    : (error.detail ?? error.title);
}

/** A refusal of one row (a 4xx the upsert answered) as a rejection; anything else is a fault. */
function rejection(line: number, error: unknown) {
  if (!(error instanceof HeraldError) || error.status >= 500) throw error;
  return { line, reason: reasonOf(error) };
}

/**
 * Merges whole-profile rows as `PUT /profiles` does (attributes and consent merged, new identities
 * claimed), with the outcome of upserting them one after another in line order:
 *
 * - every identity is normalised first (a bad one rejects its line), and their owners read in one
 *   batch;
 * - rows that share nothing with any other row of the chunk — no identity, no owning profile —
 *   are independent: those of one identity are merged in bulk (`bulkUpsertProfiles`), those of
 *   several upserted 8 at a time;
 * - rows that touch the same person as another row are upserted one by one, in line order, so
 *   the last line wins as it would in sequence.
 *
 * A row the upsert refuses is a rejection with its reason.
 */
async function upsertRows(deps: AudienceDeps, sandbox: string, rows: readonly ProfileRow[]) {
  const profileIds: string[] = [];
  const rejected: { line: number; reason: string }[] = [];
  let created = 0;
  const upsert = async (row: {
    identities: Identity[];
    attributes?: Record<string, unknown>;
    consent?: Consent;
  }) =>
    upsertProfile(deps, sandbox, {
      identities: row.identities,
      ...(row.attributes ? { attributes: row.attributes } : {}),
      ...(row.consent ? { consent: row.consent } : {}),
    });
  const record = (result: { profileId: string; created: boolean }) => {
    profileIds.push(result.profileId);
    if (result.created) created++;
  };
  const attempt = async (row: ProfileRow & { identities: Identity[] }) => {
    try {
      record(await upsert(row));
    } catch (error) {
      rejected.push(rejection(row.line, error));
    }
  };

  // Normalised identities per line; a line with a bad identity is rejected whole.
  const screened = await screen(
    deps,
    sandbox,
    rows.flatMap((row) => row.identities.map((value) => ({ position: row.line, value }))),
  );
  const bad = new Map<number, string>();
  for (const { line, reason } of screened.rejected) if (!bad.has(line)) bad.set(line, reason);
  rejected.push(...[...bad].map(([line, reason]) => ({ line, reason })));
  const normalized = new Map<number, Identity[]>();
  for (const { position, identity } of screened.accepted) {
    if (!bad.has(position)) normalized.set(position, [...(normalized.get(position) ?? []), identity]);
  }
  const good = rows.flatMap((row) => {
    const identities = normalized.get(row.line);
    return identities ? [{ ...row, identities }] : [];
  });

  // Who each row touches: its identities and the profiles that own them.
  const owners = await deps.profiles.findOwners(sandbox, [
    ...new Map(good.flatMap((row) => row.identities).map((i) => [identityKey(i), i])).values(),
  ]);
  const touches = (row: (typeof good)[number]) => [
    ...new Set(
      row.identities.flatMap((i) => {
        const owner = owners.get(identityKey(i));
        return owner ? [`identity:${identityKey(i)}`, `profile:${owner}`] : [`identity:${identityKey(i)}`];
      }),
    ),
  ];
  const uses = new Map<string, number>();
  for (const row of good) for (const key of touches(row)) uses.set(key, (uses.get(key) ?? 0) + 1);
  const independent = (row: (typeof good)[number]) => touches(row).every((key) => uses.get(key) === 1);
  const alone = good.filter(independent);
  const together = good.filter((row) => !independent(row)).sort((a, b) => a.line - b.line);

  // Independent rows of one identity: in bulk.
  const singles = alone.filter((row) => row.identities.length === 1);
  const bulk = singles.map((row) => ({
    line: row.line,
    identity: row.identities[0] as Identity,
    ...(row.attributes ? { attributes: row.attributes } : {}),
    ...(row.consent ? { consent: row.consent } : {}),
  }));
  const results = await bulkUpsertProfiles(
    deps,
    sandbox,
    bulk,
    (row) => upsert({ ...row, identities: [row.identity] }),
    owners,
  );
  results.forEach((result, index) => {
    if ('error' in result) rejected.push(rejection(bulk[index]?.line ?? 0, result.error));
    else record(result);
  });

  // Independent rows of several identities: a few at a time.
  const several = alone.filter((row) => row.identities.length > 1);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(UPSERT_CONCURRENCY, several.length) }, async () => {
      for (let row = several[next++]; row; row = several[next++]) await attempt(row);
    }),
  );

  // Rows about the same person as another: one by one, in line order.
  for (const row of together) await attempt(row);
  return { profileIds, created, rejected };
}

/**
 * One chunk of a bulk import (ndjson or csv, ≤ MAX_IMPORT_LINES lines). Identity-only lines join
 * in batches; lines with attributes, consent or several identities are merged into their profiles
 * as `PUT /profiles` would. Bad lines are rejected with their line number (counted across chunks;
 * a CSV's header is line 1) and a reason; the import's progress accumulates.
 */
export async function importChunk(
  deps: AudienceDeps,
  sandbox: string,
  audienceId: string,
  chunk: { importId?: string | undefined; format?: ImportFormat | undefined; lines: string },
): Promise<ImportProgress> {
  await loadAudience(deps, sandbox, audienceId);
  const now = deps.clock.now().toISOString();
  const previous = chunk.importId ? await deps.audiences.getImport(sandbox, chunk.importId) : undefined;
  if (chunk.importId && (!previous || previous.audienceId !== audienceId))
    throw new NotFoundError('Import', chunk.importId);
  const format: ImportFormat = previous ? (previous.format ?? 'ndjson') : (chunk.format ?? 'ndjson');
  if (chunk.format && chunk.format !== format)
    throw new ValidationError([{ path: 'body.format', message: `this import is ${format}` }]);
  const offset = previous?.lines ?? 0;

  let count: number;
  let parsed: ParsedChunk;
  let columns = previous?.columns;
  if (format === 'csv') {
    const csv = parseCsv(chunk.lines);
    if (!csv.ok)
      throw new ValidationError([
        { path: 'body.lines', message: `CSV record ${offset + csv.record}: ${csv.message}` },
      ]);
    count = csv.records.length;
    // The first chunk starts with the header; later chunks use the one the import kept.
    const [first = [], ...rest] = csv.records;
    const header = columns ?? first.map((name) => name.trim());
    const records = columns ? csv.records : rest;
    if (records.length > MAX_IMPORT_LINES)
      throw new ValidationError([
        { path: 'body.lines', message: `must hold at most ${MAX_IMPORT_LINES} records per chunk` },
      ]);
    columns = header;
    parsed = csvRows(records, await readHeader(deps, sandbox, header), offset + (count - records.length));
  } else {
    const lines = chunk.lines.split(/\r?\n/);
    if (lines.at(-1) === '') lines.pop();
    if (lines.length > MAX_IMPORT_LINES)
      throw new ValidationError([
        { path: 'body.lines', message: `must hold at most ${MAX_IMPORT_LINES} lines per chunk` },
      ]);
    count = lines.length;
    parsed = ndjsonRows(lines, offset);
  }

  const { accepted, rejected } = await screen(deps, sandbox, parsed.identities);
  const identityRows = await addCandidates(deps, sandbox, audienceId, accepted);
  const profileRows = await upsertRows(deps, sandbox, parsed.profiles);
  if (profileRows.profileIds.length > 0)
    await deps.audiences.addMembers(sandbox, audienceId, [...new Set(profileRows.profileIds)], now);
  const allRejected = [...parsed.rejected, ...rejected, ...profileRows.rejected].sort(
    (a, b) => a.line - b.line,
  );
  const progress: ImportProgress & { revision: number } = {
    importId: previous?.importId ?? uuidv7(),
    audienceId,
    format,
    ...(columns ? { columns } : {}),
    chunks: (previous?.chunks ?? 0) + 1,
    lines: offset + count,
    imported: (previous?.imported ?? 0) + identityRows.added + profileRows.profileIds.length,
    created: (previous?.created ?? 0) + identityRows.created + profileRows.created,
    rejected: (previous?.rejected ?? 0) + allRejected.length,
    rejections: [...(previous?.rejections ?? []), ...allRejected].slice(0, KEPT_REJECTIONS),
    startedAt: previous?.startedAt ?? now,
    modifiedAt: now,
    revision: previous ? previous.revision + 1 : 0,
  };
  await deps.audiences.saveImport(sandbox, progress);
  const { revision: _revision, ...view } = progress;
  return view;
}
