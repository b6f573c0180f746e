import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../shared/domain/errors.ts';
import { parseOrThrow } from '../../shared/http/parse-request.ts';
import { createCampaignSchema } from '../../shared/schemas/campaign.ts';
import { fieldIssues, formatPath, pageQuerySchema } from '../../shared/schemas/common.ts';
import { unitaryExecutionSchema } from '../../shared/schemas/execution.ts';
import * as z from '../../shared/schemas/zod.ts';

const issuesOf = (schema: z.ZodMiniType, value: unknown, base = 'body') => {
  const result = schema.safeParse(value);
  if (result.success) throw new Error('the value was accepted');
  return fieldIssues(result.error, base).issues;
};

const recipient = { type: 'aep', userId: 'a@example.com', namespace: 'email' };
const trigger = {
  requestId: 'r1',
  campaignId: '01a20708-a928-7d86-8254-5a5c8f38d212',
  recipients: [recipient, recipient, recipient],
};

describe('formatPath', () => {
  it('joins names with dots and indexes with brackets', () => {
    expect(formatPath('body', ['recipients', 2, 'userId'])).toBe('body.recipients[2].userId');
    expect(formatPath('body', [])).toBe('body');
    expect(formatPath('', ['a', 0, 'b'])).toBe('a[0].b');
    expect(formatPath('', [])).toBe('');
  });
});

describe('fieldIssues', () => {
  it('names each unknown key on its own', () => {
    const issues = issuesOf(z.pick(createCampaignSchema, { name: true }), { name: 'n', foo: 1, bar: 2 });
    expect(issues).toEqual([
      { path: 'body.foo', message: 'is not a known field' },
      { path: 'body.bar', message: 'is not a known field' },
    ]);
  });

  it('names unknown keys inside nested objects and arrays', () => {
    const issues = issuesOf(unitaryExecutionSchema, {
      ...trigger,
      recipients: [recipient, recipient, { ...recipient, userID: 'x', channelData: { fax: '1' } }],
    });
    expect(issues.map((i) => i.path)).toEqual([
      'body.recipients[2].channelData.fax',
      'body.recipients[2].userID',
    ]);
  });

  it('names a failing value at its nested array path, with the rule', () => {
    const issues = issuesOf(unitaryExecutionSchema, {
      ...trigger,
      recipients: [recipient, recipient, { ...recipient, userId: '' }],
    });
    expect(issues).toHaveLength(1);
    expect(issues[0]?.path).toBe('body.recipients[2].userId');
    expect(issues[0]?.message).not.toBe('');
  });

  it('reports every failing field, under the base it is given', () => {
    const issues = issuesOf(pageQuerySchema, { limit: '0', cursor: 'x'.repeat(2000), page: '2' }, 'query');
    expect(issues.map((i) => i.path).sort()).toEqual(['query.cursor', 'query.limit', 'query.page']);
  });

  it('names a missing required field', () => {
    const issues = issuesOf(unitaryExecutionSchema, { requestId: 'r', recipients: [] });
    expect(issues.map((i) => i.path)).toEqual(['body.campaignId']);
  });
});

describe('parseOrThrow', () => {
  it('returns the parsed value, with defaults and coercions', () => {
    expect(parseOrThrow(pageQuerySchema, { limit: '10' }, 'query')).toEqual({ limit: 10 });
    expect(parseOrThrow(pageQuerySchema, {}, 'query')).toEqual({ limit: 25 });
  });

  it('throws one ValidationError naming every field', () => {
    let caught: unknown;
    try {
      parseOrThrow(z.strictObject({ a: z.string(), b: z.number() }), { a: 1, b: 'x', c: true }, 'body');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    const error = caught as ValidationError;
    expect(error.status).toBe(400);
    expect(error.fields.map((f) => f.path).sort()).toEqual(['body.a', 'body.b', 'body.c']);
    expect(error.detail).toContain('body.c: is not a known field');
  });
});
