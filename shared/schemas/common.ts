import type { FieldIssue } from './field-issue.ts';
import { MAX_REPORTED_ISSUES } from './limits.ts';
import * as z from './zod.ts';

export const sandboxNameSchema = z
  .string()
  .check(
    z.regex(
      /^[a-z][a-z0-9-]{1,31}$/,
      'must be 2 to 32 lower-case letters, digits or hyphens, starting with a letter',
    ),
    z.meta({ description: 'Sandbox name, e.g. `prod` or `dev`.', example: 'prod' }),
  );

/** A display name: 1 to `max` characters, no control characters (they break logs, headers and consoles). */
export const nameSchema = (max: number) =>
  z
    .string()
    .check(z.minLength(1), z.maxLength(max), z.regex(/^[^\p{Cc}]*$/u, 'must not contain control characters'));

export const uuidSchema = z
  .string()
  .check(z.regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, 'must be a UUID'));

export const isoDateTimeSchema = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time' });

export const namespaceCodeSchema = z.string().check(
  z.regex(
    /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/,
    'must be 1 to 64 letters, digits, _ . or -, starting with a letter',
  ),
  z.meta({
    description: 'Identity namespace code: `email`, `phone`, `ecid` or a custom one.',
    example: 'email',
  }),
);

export const pageQuerySchema = z.strictObject({
  limit: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(100)), 25),
  cursor: z.optional(z.string().check(z.maxLength(1024))),
});

export const pageOf = <T extends z.ZodMiniType>(item: T) =>
  z.object({
    items: z.array(item),
    nextCursor: z
      .optional(z.string())
      .check(z.meta({ description: 'Pass as `cursor` to read the next page.' })),
  });

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.int(),
    detail: z.optional(z.string()),
    fields: z.optional(z.array(z.object({ path: z.string(), message: z.string() }))),
    report: z
      .object({
        correlationId: z.string().check(z.meta({ description: 'Quote it when reporting a problem.' })),
        requestId: z
          .optional(z.string())
          .check(z.meta({ description: "The call's requestId, when its body names one." })),
        campaignId: z
          .optional(z.string())
          .check(z.meta({ description: 'The campaign the call names, when it names one.' })),
        additionalContext: z.record(z.string(), z.string()).check(
          z.meta({
            description:
              "The same members again, where the reference system's error documents carry them (`report.additionalContext`).",
          }),
        ),
      })
      .register(z.globalRegistry, { description: 'Correlation data for the failed call.' }),
  })
  .register(z.globalRegistry, { id: 'Problem', description: 'RFC 9457 problem document.' });

/** Formats a zod issue path as `a.b[2].c`. */
export function formatPath(base: string, path: readonly PropertyKey[]): string {
  let out = base;
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out ? `.${String(segment)}` : String(segment);
  }
  return out || base;
}

/**
 * Turns zod issues into field issues, naming unknown keys one by one; keeps the first
 * MAX_REPORTED_ISSUES and counts them all.
 */
export function fieldIssues(error: z.core.$ZodError, base: string): { issues: FieldIssue[]; count: number } {
  const issues: FieldIssue[] = [];
  let count = 0;
  const add = (issue: FieldIssue) => {
    count++;
    if (issues.length < MAX_REPORTED_ISSUES) issues.push(issue);
  };
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys)
        add({ path: formatPath(base, [...issue.path, key]), message: 'is not a known field' });
    } else if (issue.code === 'invalid_key') {
      // A record's key broke its schema: say how, not zod's generic "Invalid key in record".
      const message = issue.issues.map((inner) => inner.message).join('; ') || issue.message;
      add({ path: formatPath(base, issue.path), message });
    } else {
      add({ path: formatPath(base, issue.path), message: issue.message });
    }
  }
  return { issues, count };
}
