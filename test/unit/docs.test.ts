import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../../shared/http/openapi.ts';
import { documentedOperationId, type RouteDefinition, routeKey, routes } from '../../shared/http/routes.ts';

const root = path.resolve(import.meta.dirname, '../..');

describe('the documentation matches the code', () => {
  it('the OpenAPI document has every route with its operation, body schema and problem answer', () => {
    const document = openApiDocument() as {
      openapi: string;
      paths: Record<
        string,
        Record<string, { operationId: string; requestBody?: unknown; responses: Record<string, unknown> }>
      >;
      components: { schemas: Record<string, unknown> };
      webhooks: Record<string, unknown>;
    };
    expect(document.openapi).toBe('3.1.0');
    for (const route of routes as readonly RouteDefinition[]) {
      const operation = document.paths[route.path]?.[route.method.toLowerCase()];
      expect(operation?.operationId, routeKey(route)).toBe(documentedOperationId(route));
      expect(operation?.requestBody !== undefined, routeKey(route)).toBe(
        route.body !== undefined || route.formBody === true,
      );
      expect(Object.keys(operation?.responses ?? {})).toEqual([String(route.status), 'default']);
    }
    expect(Object.keys(document.components.schemas)).toEqual(
      expect.arrayContaining(['Problem', 'FeedbackEvent']),
    );
    expect(Object.keys(document.webhooks)).toEqual(['message.feedback']);
  });

  it('the README lists every route, and says that /im/ routes also answer under /ajo', async () => {
    const readme = await readFile(path.join(root, 'README.md'), 'utf8');
    const missing = (routes as readonly RouteDefinition[])
      .filter((route) => route.aliasOf === undefined)
      .map(routeKey)
      .filter((key) => !readme.includes(`\`${key}\``));
    expect(missing).toEqual([]);
    expect(readme).toContain('`/ajo/im/…`');
  });

  it('the README starts with the two commands', async () => {
    const readme = await readFile(path.join(root, 'README.md'), 'utf8');
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm ci && npm test');
    const ci = await readFile(path.join(root, '.ci/run'), 'utf8');
    expect(ci).toContain('npm ci');
    expect(ci).toContain('npm test');
  });

  it("the README's error table lists every problem type Herald can answer", async () => {
    const readme = await readFile(path.join(root, 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('### Errors'), readme.indexOf('### Limits'));
    const source = await readFile(path.join(root, 'shared/domain/errors.ts'), 'utf8');
    const slugs = [...source.matchAll(/super\(\s*'([a-z-]+)'/g)].map((m) => m[1] as string);
    const reasons = /type NotTriggerableReason =([^;]+);/.exec(source)?.[1] ?? '';
    slugs.push(...[...reasons.matchAll(/'([a-z-]+)'/g)].map((m) => `campaign-${m[1]}`), 'internal');
    expect(slugs.length).toBeGreaterThan(20);
    expect(slugs.filter((slug) => !table.includes(`\`${slug}\``))).toEqual([]);
  });
});
