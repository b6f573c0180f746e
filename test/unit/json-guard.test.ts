import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../shared/domain/errors.ts';
import { parseJsonOrThrow } from '../../shared/http/parse-request.ts';
import { jsonIssues, parseJson } from '../../shared/schemas/json-guard.ts';
import { MAX_ARRAY_MEMBERS, MAX_JSON_DEPTH, MAX_REPORTED_ISSUES } from '../../shared/schemas/limits.ts';
import * as z from '../../shared/schemas/zod.ts';

const nested = (depth: number): unknown => {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
};

describe('the JSON guard every body passes', () => {
  it('accepts ordinary JSON, emoji and all', () => {
    const body = parseJson(
      '{"subject":"🎉 Flash sale","n":[0,-0,1.5,1e125,1e-130,9007199254740992,1.0,0.1],"ok":null}',
    );
    expect(jsonIssues(body, 'body').count).toBe(0);
  });

  it(`allows ${MAX_JSON_DEPTH} levels and refuses the next, naming the path`, () => {
    // nested(n) has n objects around the value: the body itself is level 1.
    expect(jsonIssues(nested(MAX_JSON_DEPTH), 'body').count).toBe(0);
    const { issues } = jsonIssues(nested(MAX_JSON_DEPTH + 1), 'body');
    expect(issues).toEqual([
      { path: `body${'.a'.repeat(MAX_JSON_DEPTH)}`, message: `nests deeper than ${MAX_JSON_DEPTH} levels` },
    ]);
  });

  it(`allows ${MAX_ARRAY_MEMBERS} array members in all and refuses the next, naming the array`, () => {
    const half = Array.from({ length: MAX_ARRAY_MEMBERS / 2 }, () => ({}));
    expect(jsonIssues({ a: half, b: [...half] }, 'body').count).toBe(0);
    expect(jsonIssues({ a: half, b: [...half, {}] }, 'body').issues).toEqual([
      { path: 'body.b', message: `makes the body hold more than ${MAX_ARRAY_MEMBERS} array members in all` },
    ]);
  });

  it('answers 100,000 bad recipients with a problem, not a stack overflow in the validator', () => {
    const schema = z.strictObject({
      recipients: z.array(z.strictObject({ userId: z.string(), type: z.string() })),
    });
    const body = { recipients: Array.from({ length: 100_000 }, () => ({})) };
    expect(() => parseJsonOrThrow(schema, body, 'body')).toThrow(ValidationError);
  });

  it('walks 100,000 levels without recursion', () => {
    const { count } = jsonIssues(JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`), 'body');
    expect(count).toBe(1);
  });

  it('refuses numbers DynamoDB cannot store or a double cannot hold exactly', () => {
    const body = parseJson(
      '{"a":1e200,"b":1e-200,"c":9007199254740993,"d":1e309,"e":-1e126,"f":0.10000000000000000001}',
    );
    expect(jsonIssues(body, 'body').issues.map((i) => i.path)).toEqual([
      'body.a',
      'body.b',
      'body.c',
      'body.d',
      'body.e',
      'body.f',
    ]);
  });

  it('keeps long digit runs inside strings as they are', () => {
    const body = parseJson('{"token":"12345678901234567890"}');
    expect(body).toEqual({ token: '12345678901234567890' });
    expect(jsonIssues(body, 'body').count).toBe(0);
  });

  it('refuses lone surrogates in values and keys', () => {
    const body = JSON.parse('{"ok":"\\ud83c\\udf89","bad":"x\\ud800","\\udc00":1}');
    expect(
      jsonIssues(body, 'body')
        .issues.map((i) => i.path)
        .sort(),
    ).toEqual(['body.bad', 'body.\ufffd']);
  });

  it('refuses prototype keys at any depth, as data never reaches a merge', () => {
    const body = JSON.parse('{"__proto__":{"x":1},"a":{"constructor":1,"b":[{"prototype":2}]}}');
    expect(jsonIssues(body, 'body').issues.map((i) => i.path)).toEqual([
      'body.__proto__',
      'body.a.constructor',
      'body.a.b[0].prototype',
    ]);
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });

  it(`reports at most ${MAX_REPORTED_ISSUES} issues and counts them all`, () => {
    const { issues, count } = jsonIssues(
      Array.from({ length: 5_000 }, () => 1e300),
      'body',
    );
    expect(issues).toHaveLength(MAX_REPORTED_ISSUES);
    expect(count).toBe(5_000);
  });

  it('cuts long keys in paths', () => {
    const [issue] = jsonIssues({ ['k'.repeat(10_000)]: 1e300 }, 'body').issues;
    expect(issue?.path.length).toBeLessThan(80);
  });

  it(`runs before the schema, and the problem stays small for ${MAX_ARRAY_MEMBERS} bad elements`, () => {
    const schema = z.array(z.string());
    try {
      parseJsonOrThrow(
        schema,
        Array.from({ length: MAX_ARRAY_MEMBERS }, (_, i) => i),
        'body',
      );
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      const problem = error as ValidationError;
      expect(problem.fields).toHaveLength(MAX_REPORTED_ISSUES);
      expect(problem.extensions.issueCount).toBe(MAX_ARRAY_MEMBERS);
      expect(JSON.stringify({ fields: problem.fields, detail: problem.detail }).length).toBeLessThan(16_000);
    }
  });
});
